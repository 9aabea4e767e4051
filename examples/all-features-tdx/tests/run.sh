#!/usr/bin/env bash
# Usage: [TAG=dev] tests/run.sh ["ARGS"]      e.g. npm run docker:run -- 'Alice "Ada Lovelace"'
# Runs $IMAGE:TAG the way an iExec worker runs a standard task, then checks the result as the worker
# would: exits non-zero when the task would fail.
#   - ARGS is the task's iexec_args: ONE string, as `iexec app run --args "..."` takes it, split into
#     the app's arguments the way the worker splits it (scripts/args.mjs), not the way a shell would.
#   - IEXEC_* set as for a single task without dataset or input files; tests/iexec_in and
#     tests/iexec_out mounted on /iexec_in and /iexec_out.
#   - The app's stdout and stderr are shown and, as the worker does, kept in tests/iexec_out as
#     stdout.txt and stderr.txt: they are part of the uploaded result.
set -euo pipefail

# How this module's package manager passes arguments on to a script (npm needs --).
docker_run='npm run'' docker:run --'
local_run='npm run'' local --'
if [[ $# -gt 1 ]]; then
  # The worker gets one string and splits it itself: separate words here would skip its rules.
  echo "error: tests/run.sh takes the task args as ONE string, as iexec app run --args does, and got $# arguments." >&2
  echo "Quote them: $docker_run \"Alice Bob\"   (or: tests/run.sh \"Alice Bob\")" >&2
  exit 1
fi
args="${1:-}"

# shellcheck source=SCRIPTDIR/../scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/docker.sh"

ref="$IMAGE:${TAG:-dev}"
in_dir="$MODULE_ROOT/tests/iexec_in"
out_dir="$MODULE_ROOT/tests/iexec_out"

"$DOCKER" image inspect "$ref" >/dev/null 2>&1 || die "no image $ref: build it with tests/build.sh ${TAG:-dev}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The module's own port of the worker's splitter: one word per NUL-terminated record. On unbalanced
# quotes it prints nothing and warns on stderr, and the app runs with no args, as on a worker.
node "$MODULE_ROOT/scripts/args.mjs" "$args" >"$work/argv" || die "scripts/args.mjs could not split the args"
argv=()
# A read loop rather than mapfile -d '': macOS still ships bash 3.2.
while IFS= read -r -d '' word; do
  argv+=("$word")
done <"$work/argv"

mkdir -p "$in_dir" "$out_dir"
# A worker starts each task with an empty IEXEC_OUT: leftovers would hide a missing computed.json.
# Rootful Docker on Linux leaves root-owned files the user cannot delete: those go from a container.
if ! find "$out_dir" -mindepth 1 -delete 2>/dev/null; then
  "$DOCKER" run --rm --platform linux/amd64 -v "$out_dir:/iexec_out:z" --entrypoint /usr/bin/find "$ref" \
    /iexec_out -mindepth 1 -delete
fi

# The environment of iexec-common IexecEnvUtils.getComputeStageEnvMap for a single task: no
# IEXEC_INPUT_FILES_FOLDER without input files, and the zero address as the dataset when there is
# none (the deal's dataset pointer). The task and deal ids are placeholders.
no_dataset=0x0000000000000000000000000000000000000000
# stderr goes through a FIFO read by a background tee: unlike a process substitution, a background
# job can be waited for in bash 3.2, so stderr.txt is complete before it is read.
mkfifo "$work/stderr.fifo"
tee "$work/stderr" <"$work/stderr.fifo" >&2 &
stderr_tee=$!
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
  -e IEXEC_INPUT_FILES_NUMBER=0 \
  -e IEXEC_DATASET_ADDRESS="$no_dataset" \
  -e IEXEC_DATASET_FILENAME="$no_dataset" \
  "$ref" ${argv[@]+"${argv[@]}"} 2>"$work/stderr.fifo" | tee "$work/stdout" || status=$?
wait "$stderr_tee"

# iexec-worker ComputeManagerService.runCompute writes the app's logs into the task's IEXEC_OUT
# (stdout.txt, stderr.txt) only when the app succeeded and only when they are not empty; it does so
# before the post-compute, so they are checked and uploaded with the result like any file.
if [[ "$status" == 0 ]]; then
  for stream in stdout stderr; do
    if [[ -s "$work/$stream" ]]; then
      rm -f "$out_dir/$stream.txt"
      cp "$work/$stream" "$out_dir/$stream.txt"
    fi
  done
fi

# The worker's checks, in node since the module needs it anyway (no jq dependency).
node - "$out_dir" "$status" "$local_run" <<'CHECK'
const fs = require('node:fs');
const path = require('node:path');
const [outDir, status, localRun] = process.argv.slice(2);
const fail = (message) => {
  console.error(`FAIL: ${message}`);
  process.exit(1);
};
const warn = (message) => console.error(`WARNING: ${message}`);
// Files only, as the TEE post-compute walks them (tee-worker-compute-rust post-compute/src/compute/
// web2_result.rs check_result_files_name: WalkDir filtered on is_file, so neither folders nor links).
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const full = path.join(dir, e.name);
  if (e.isDirectory()) return files(full);
  return e.isFile() ? [full] : [];
});

if (status !== '0') {
  // Since iexec-worker 9.2.0 (TaskManagerService, commit 030f21c8) a failed compute no longer stops
  // the task: the worker logs APP_COMPUTE_FAILED and goes on to the post-compute.
  warn(`the app exited with status ${status}: the worker logs APP_COMPUTE_FAILED and keeps no stdout.txt/stderr.txt, ` +
    'but since iexec-worker 9.2.0 it still runs the post-compute and contributes the result when computed.json is valid ' +
    '(older workers fail the task here)');
}
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
// The limit is in bytes of UTF-8 (Rust's str::len), not in characters.
const resultFiles = files(outDir).map((file) => path.relative(outDir, file));
const tooLong = resultFiles.filter((file) => Buffer.byteLength(path.basename(file), 'utf8') > 31);
if (tooLong.length > 0) {
  fail(`result file names over 31 bytes (UTF-8) fail the post-compute: ${tooLong.map((f) => `${f} (${Buffer.byteLength(path.basename(f), 'utf8')} bytes)`).join(', ')}`);
}
if (![undefined, null, ''].includes(computed['callback-data'])) {
  // PoCo contracts/facets/IexecPoco2Facet.sol (finalize, contributeAndFinalize) requires an empty
  // resultsCallback when deal.callback is the zero address, and the worker passes callback-data on.
  warn('computed.json has callback-data: this run cannot tell whether the deal has a callback contract. ' +
    "On a deal WITHOUT a callback, PoCo's finalize reverts (IexecPoco2Facet) and the task never completes: " +
    'write callback-data only for callback deals. ' +
    `Check both cases: ${localRun} --callback, and without --callback.`);
}

console.log(`OK: computed.json -> ${output}`);
if (fs.statSync(hostOutput).isFile()) console.log(fs.readFileSync(hostOutput, 'utf8').trimEnd());
console.log(`result files in ${outDir}: ${resultFiles.join(', ')}`);
CHECK
