#!/usr/bin/env bash
# Usage:
#   ./sconify.sh VERSION [--heap SIZE] [--signer KEY.pem] [--sconify-image TAG]
#   ./sconify.sh record IMAGE_TEE [--heap SIZE] [--sconify-image TAG]
#
# Turns $IMAGE:VERSION (tests/build.sh VERSION or ./publish.sh VERSION built it) into the SCONE (SGX)
# image the TEE app runs, pushes it and writes everything the TEE app needs into iexec.tee.json:
# multiaddr, checksum and the whole mrenclave (framework, SCONE version, entrypoint, heapSize,
# fingerprint). Nothing to copy by hand.
#
#   --heap SIZE           enclave heap, e.g. 512M, 1G, 2G (default 1G). mrenclave.heapSize is the same
#                         size in bytes, and the fingerprint depends on it. Over 8G, workers refuse the
#                         task unless their operator raised their cap.
#   --signer KEY.pem      RSA-3072 enclave signing key (openssl genrsa -3 -out KEY.pem 3072). Without it
#                         the image is a debug enclave (inspectable: for tests, run it on the debug
#                         workerpool); with it, a production enclave for a production workerpool.
#   --sconify-image TAG   tag of registry.scontain.com/scone-production/iexec-sconify-image
#                         (default 5.9.1-v16): SCONE 5.9.x (mrenclave.version v5.9) or 5.7.x (v5).
#
# record is the second half on its own, for an image sconified elsewhere (e.g. on an x86 CI runner):
# it reads the image's ENTRYPOINT and the fingerprint it prints when run with SCONE_HASH=1, pushes it,
# and writes its multiaddr, checksum and mrenclave into iexec.tee.json. Give it the --heap and
# --sconify-image the image was built with.
set -euo pipefail
# shellcheck source=scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/docker.sh"
# The kit's push_image and set_app: the registry digest, read the same way for every engine.
registry_sh="$MODULE_ROOT/node_modules/iexec-module-kit/sh/registry.sh"
[[ -f "$registry_sh" ]] || die "iexec-module-kit is not installed: run 'npm install' first"
# shellcheck source=/dev/null
source "$registry_sh"

SCONIFY_REPOSITORY=registry.scontain.com/scone-production/iexec-sconify-image
PROFILE="$MODULE_ROOT/iexec.tee.json"

usage() {
  die "usage: ./sconify.sh VERSION [--heap SIZE] [--signer KEY.pem] [--sconify-image TAG]
       ./sconify.sh record IMAGE_TEE [--heap SIZE] [--sconify-image TAG]"
}

heap=1G
signer=""
sconify_tag=5.9.1-v16
mode=sconify
target=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --heap) [[ $# -ge 2 ]] || usage; heap="$2"; shift 2 ;;
    --signer) [[ $# -ge 2 ]] || usage; signer="$2"; shift 2 ;;
    --sconify-image) [[ $# -ge 2 ]] || usage; sconify_tag="$2"; shift 2 ;;
    record) [[ -z "$target" && "$mode" == sconify ]] || usage; mode=record; shift ;;
    -*) usage ;;
    *) [[ -z "$target" ]] || usage; target="$1"; shift ;;
  esac
done
[[ -n "$target" ]] || usage

[[ "$heap" =~ ^([1-9][0-9]*)([KMG]?)$ ]] || die "--heap must look like 512M or 1G, got '$heap'"
case "${BASH_REMATCH[2]}" in
  K) heap_bytes=$((BASH_REMATCH[1] * 1024)) ;;
  M) heap_bytes=$((BASH_REMATCH[1] * 1024 * 1024)) ;;
  G) heap_bytes=$((BASH_REMATCH[1] * 1024 * 1024 * 1024)) ;;
  *) heap_bytes="${BASH_REMATCH[1]}" ;;
esac
# The worker refuses an mrenclave.heapSize over its cap, IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB
# (iexec-worker src/main/resources/application.yml, default 8; checked in TeeServicesPropertiesService
# against Spring's DataSize.ofGigabytes, 1024^3 bytes each): PRE_COMPUTE_INVALID_ENCLAVE_HEAP_CONFIGURATION.
# Only a warning: a workerpool may raise the cap.
max_heap_gb=8
if ((heap_bytes > max_heap_gb * 1024 * 1024 * 1024)); then
  echo "warning: --heap $heap is over ${max_heap_gb}G, the default cap of iExec workers (IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB):" \
    "a worker refuses the task unless its operator raised that cap." >&2
fi

[[ "$sconify_tag" =~ ^([0-9]+)\.([0-9]+)\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
  die "--sconify-image must be a tag like 5.9.1-v16, got '$sconify_tag'"
# mrenclave.version names the SMS's pipeline for the task, not the SCONE release: the worker asks the
# SMS for the pipeline of that name (iexec-worker TeeServicesPropertiesService) and an SMS knows only
# the names of its configured pipelines (iexec-sms TeeSessionService.resolveTeeServiceProperties, the
# tee.worker.pipelines[].version of application-scone.yml); an unknown name fails the task
# (GET_TEE_SERVICES_CONFIGURATION_FAILED). iExec's names, from the iApp generator
# (iapp api/src/constants/constants.ts: "v5.9" for 5.9.1-v16; "v5" is the legacy SCONE 5.7, 5.7.6-v15
# until commit a836e4cf dropped it): not "v" + major.minor. Checked before anything is built or pushed.
case "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" in
  5.7) scone_version=v5 ;;
  5.9) scone_version=v5.9 ;;
  *)
    die "--sconify-image $sconify_tag: no known SMS pipeline for SCONE ${BASH_REMATCH[1]}.${BASH_REMATCH[2]} (mrenclave.version)." \
      "Known: 5.7.x (v5) and 5.9.x (v5.9); pass --sconify-image with one of those, e.g. 5.9.1-v16." \
      "If your SMS serves another pipeline, add its name to this table in sconify.sh."
    ;;
esac

# mrenclave_of IMAGE_TEE: prints the mrenclave object of a sconified image as JSON.
mrenclave_of() {
  local image="$1" hash_output fingerprint entrypoint
  # SCONE_HASH=1: the SCONE runtime prints the enclave fingerprint (MrEnclave) instead of running the app.
  hash_output="$("$DOCKER" run --rm --platform linux/amd64 -e SCONE_HASH=1 "$image")" ||
    die "running $image with SCONE_HASH=1 failed"
  fingerprint="$(grep -E '^[0-9a-f]{64}$' <<<"$hash_output" | tail -n 1 || true)"
  [[ -n "$fingerprint" ]] || die "$image printed no 64-hex fingerprint with SCONE_HASH=1; it printed: $hash_output"
  # The enclave runs the image's own command: the worker checks it against mrenclave.entrypoint.
  entrypoint="$("$DOCKER" image inspect --format '{{json .Config.Entrypoint}}' "$image")" ||
    die "cannot inspect $image"
  node -e '
    const [entrypoint, heapSize, version, fingerprint] = process.argv.slice(1);
    const words = JSON.parse(entrypoint);
    if (!Array.isArray(words) || words.length === 0) {
      console.error("error: the image has no exec-form ENTRYPOINT to record as mrenclave.entrypoint");
      process.exit(1);
    }
    const mrenclave = { framework: "SCONE", version, entrypoint: words.join(" "), heapSize: Number(heapSize), fingerprint };
    console.log(JSON.stringify(mrenclave));
  ' "$entrypoint" "$heap_bytes" "$scone_version" "$fingerprint"
}

# record IMAGE_TEE: pushes a sconified image and writes all the TEE app needs into iexec.tee.json.
record() {
  local image="$1" mrenclave digest
  "$DOCKER" image inspect "$image" >/dev/null 2>&1 || die "no local image $image"
  mrenclave="$(mrenclave_of "$image")"
  digest="$(push_image "$image")"
  set_app "$PROFILE" multiaddr "$image" checksum "0x${digest#sha256:}" mrenclave "$mrenclave"
  echo "iexec.tee.json: multiaddr $image, checksum 0x${digest#sha256:}, mrenclave $mrenclave" >&2
  echo "next: npm run deploy:tee" >&2
}

if [[ "$mode" == record ]]; then
  record "$target"
  exit 0
fi

version="$target"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z][0-9A-Za-z.-]*)?$ ]] ||
  die "VERSION must look like 1.0.0 or 1.0.0-rc.1, got '$version'"
from="$IMAGE:$version"
"$DOCKER" image inspect "$from" >/dev/null 2>&1 || die "no local image $from: build it first with ./publish.sh $version"

# SCONE's SGX tooling only runs on x86_64: an ARM machine (Apple silicon) cannot sconify.
engine_arch="$("$DOCKER" version --format '{{.Server.Arch}}' 2>/dev/null || true)"
[[ -z "$engine_arch" || "$engine_arch" == amd64 ]] ||
  die "the container engine runs on $engine_arch: sconify needs an x86_64 (amd64) machine, e.g. a CI runner or an x86 VM"

signer_mount=()
if [[ -n "$signer" ]]; then
  [[ -f "$signer" ]] || die "--signer $signer: no such file"
  signer_mount=(-v "$(cd "$(dirname "$signer")" && pwd)/$(basename "$signer"):/sig/enclave-key.pem:ro")
  to="$from-sconify-$sconify_tag-production"
else
  to="$from-sconify-$sconify_tag-debug"
fi

# No worker compares the image it pulls with the deployed checksum: it pulls by tag (iexec-worker
# ComputeManagerService). Re-pushing a recorded tag would make tasks of the deployed app run the new
# image, attested only by its enclave fingerprint (iexec-sms SconeSessionMakerService), with a stale checksum.
recorded="$(node -e 'console.log(require(process.argv[1]).app.multiaddr)' "$PROFILE")"
[[ "$recorded" != "$to" ]] ||
  die "iexec.tee.json already records $to: sconify a new VERSION instead of overwriting it" \
    "(workers pull by tag and never check the deployed checksum: tasks of the deployed app would run the new image)"

sconify_image="$SCONIFY_REPOSITORY:$sconify_tag"
if ! "$DOCKER" pull "$sconify_image" >&2; then
  die "cannot pull $sconify_image: the SCONE tools are private. To get them:
  1. create an account on https://gitlab.scontain.com (the SCONE registry's accounts);
  2. ask Scontain for access to scone-production/iexec-sconify-image (mail info@scontain.com,
     cc scone-access@iex.ec, with your gitlab.scontain.com user name); access is granted per repository;
  3. once granted: docker login registry.scontain.com (with 2FA, use a personal access token with the
     read_registry scope as the password).
'access denied' after a successful login means step 2 is not done yet for this repository."
fi

# sconify_iexec drives the host's Docker engine through its socket: it reads $from and creates $to there.
"$DOCKER" run --rm \
  -v /var/run/docker.sock:/var/run/docker.sock \
  ${signer_mount[@]+"${signer_mount[@]}"} \
  "$sconify_image" \
  sconify_iexec \
  --from="$from" \
  --to="$to" \
  --binary=/usr/local/bin/node \
  --binary-fs \
  --fs-dir=/app \
  --host-path=/etc/hosts \
  --host-path=/etc/resolv.conf \
  --heap="$heap" \
  --dlopen=1 \
  --verbose \
  --no-color \
  ${signer:+--scone-signer=/sig/enclave-key.pem} >&2 ||
  die "sconify_iexec failed (it needs a Docker engine reachable at /var/run/docker.sock)"

record "$to"
