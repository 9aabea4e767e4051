#!/usr/bin/env bash
# Usage: [TAG=dev] tests/run.sh [ARGS...]
# Runs $IMAGE:TAG the way an iExec worker does (ARGS as the task args, IEXEC_* set, tests/iexec_in and
# tests/iexec_out mounted on /iexec_in and /iexec_out), then checks the result as the worker would:
# exits non-zero when the task would fail.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/docker.sh"

ref="$IMAGE:${TAG:-dev}"
in_dir="$MODULE_ROOT/tests/iexec_in"
out_dir="$MODULE_ROOT/tests/iexec_out"

"$DOCKER" image inspect "$ref" >/dev/null 2>&1 || die "no image $ref: build it with tests/build.sh ${TAG:-dev}"

mkdir -p "$in_dir" "$out_dir"
# A worker starts each task with an empty IEXEC_OUT: leftovers would hide a missing computed.json.
# Rootful Docker on Linux leaves root-owned files the user cannot delete: those go from a container.
if ! find "$out_dir" -mindepth 1 -delete 2>/dev/null; then
  "$DOCKER" run --rm --platform linux/amd64 -v "$out_dir:/iexec_out:z" --entrypoint /usr/bin/find "$ref" \
    /iexec_out -mindepth 1 -delete
fi

# Same values a worker sets for a single task without input files; the ids are placeholders.
status=0
"$DOCKER" run --rm --platform linux/amd64 \
  -v "$in_dir:/iexec_in:z" \
  -v "$out_dir:/iexec_out:z" \
  -e IEXEC_IN=/iexec_in \
  -e IEXEC_OUT=/iexec_out \
  -e IEXEC_TASK_ID=0x0000000000000000000000000000000000000000000000000000000000000001 \
  -e IEXEC_DEAL_ID=0x0000000000000000000000000000000000000000000000000000000000000002 \
  -e IEXEC_TASK_INDEX=0 \
  -e IEXEC_BOT_SIZE=1 \
  -e IEXEC_BOT_FIRST_INDEX=0 \
  -e IEXEC_BOT_TASK_INDEX=0 \
  -e IEXEC_INPUT_FILES_FOLDER=/iexec_in \
  -e IEXEC_INPUT_FILES_NUMBER=0 \
  "$ref" "$@" || status=$?

# The worker's checks, in node since the module needs it anyway (no jq dependency).
node - "$out_dir" "$status" <<'CHECK'
const fs = require('node:fs');
const path = require('node:path');
const [outDir, status] = process.argv.slice(2);
const fail = (message) => {
  console.error(`FAIL: ${message}`);
  process.exit(1);
};
const names = (dir) => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? [e.name, ...names(path.join(dir, e.name))] : [e.name]));

if (status !== '0') fail(`the app exited with status ${status}: the worker fails the task on a non-zero exit`);
const computedPath = path.join(outDir, 'computed.json');
if (!fs.existsSync(computedPath)) fail('the app wrote no computed.json in IEXEC_OUT: the task would fail');
let computed;
try {
  computed = JSON.parse(fs.readFileSync(computedPath, 'utf8'));
} catch (error) {
  fail(`computed.json is not valid JSON: ${error.message}`);
}
const output = computed && computed['deterministic-output-path'];
if (typeof output !== 'string') fail('computed.json has no "deterministic-output-path" string');
// The worker maps the path from /iexec_out to its host folder: it must be absolute and inside.
const relative = path.posix.relative('/iexec_out', output);
if (!path.posix.isAbsolute(output) || relative.startsWith('..')) {
  fail(`deterministic-output-path ${output} is not an absolute path under /iexec_out`);
}
const hostOutput = path.join(outDir, relative);
if (!fs.existsSync(hostOutput)) fail(`deterministic-output-path ${output} does not exist`);
const tooLong = names(outDir).filter((name) => name.length > 31);
if (tooLong.length > 0) fail(`result file names over 31 characters fail the post-compute: ${tooLong.join(', ')}`);

console.log(`OK: computed.json -> ${output}`);
if (fs.statSync(hostOutput).isFile()) console.log(fs.readFileSync(hostOutput, 'utf8').trimEnd());
console.log(`result files in ${outDir}: ${names(outDir).join(', ')}`);
CHECK
