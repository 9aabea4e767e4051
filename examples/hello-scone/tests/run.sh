#!/usr/bin/env bash
# Usage: [TAG=dev] [CALLBACK=1] tests/run.sh ["ARGS"]      e.g. npm run docker:run -- 'Alice "Ada Lovelace"'
# Runs $IMAGE:TAG as an iExec worker runs a standard task (tests/iexec_in and tests/iexec_out mounted
# on /iexec_in and /iexec_out), then checks the result as the worker would: exits 1 when the task would
# fail. ARGS is the task's iexec_args, ONE string, split as the worker splits it, not as a shell would.
# A SCONE (TEE) task gets its args another way, not emulated here: the SMS makes the enclave's command
# of mrenclave.entrypoint + " " + the args string (iexec-commons-poco TaskDescription.getAppCommand,
# iexec-sms SconeSessionMakerService), which the worker's splitter never sees.
set -euo pipefail

if [[ $# -gt 1 ]]; then
  # The worker gets one string and splits it itself: separate words here would skip its rules.
  echo "error: tests/run.sh takes the task args as ONE string, as iexec app run --args does, and got $# arguments." >&2
  echo "Quote them: npm run docker:run -- \"Alice Bob\"   (or: tests/run.sh \"Alice Bob\")" >&2
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

# One word per NUL-terminated record; none, with a warning, on unbalanced quotes, as on a worker.
kit="$MODULE_ROOT/node_modules/.bin/iexec-module"
[[ -x "$kit" ]] || die "iexec-module-kit is not installed: run 'npm install' first"
"$kit" args "$args" >"$work/argv" || die "iexec-module args could not split the args"
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

# What the worker does next, by the same code as `npm run local` (the kit's post-compute): keep the
# app's output as stdout.txt and stderr.txt, then check the result. CALLBACK=1 runs it as a deal with a
# callback contract (iexec app run --callback), where callback-data is required, not refused.
"$kit" post-compute "$out_dir" --iexec-out /iexec_out --exit-code "$status" \
  --stdout "$work/stdout" --stderr "$work/stderr" ${CALLBACK:+--callback}
