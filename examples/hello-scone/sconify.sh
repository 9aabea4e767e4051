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
#                         size in bytes, and the fingerprint depends on it.
#   --signer KEY.pem      RSA-3072 enclave signing key (openssl genrsa -3 -out KEY.pem 3072). Without it
#                         the image is a debug enclave (inspectable: for tests, run it on the debug
#                         workerpool); with it, a production enclave for a production workerpool.
#   --sconify-image TAG   tag of registry.scontain.com/scone-production/iexec-sconify-image
#                         (default 5.9.1-v16). mrenclave.version is "v" + its major.minor.
#
# record is the second half on its own, for an image sconified elsewhere (e.g. on an x86 CI runner):
# it reads the image's ENTRYPOINT and the fingerprint it prints when run with SCONE_HASH=1, pushes it,
# and writes its multiaddr, checksum and mrenclave into iexec.tee.json. Give it the --heap and
# --sconify-image the image was built with.
set -euo pipefail
# shellcheck source=scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/docker.sh"
# shellcheck source=scripts/registry.sh
source "$MODULE_ROOT/scripts/registry.sh"

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
[[ "$sconify_tag" =~ ^([0-9]+)\.([0-9]+)\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
  die "--sconify-image must be a tag like 5.9.1-v16, got '$sconify_tag'"
scone_version="v${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

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
  echo "next: node scripts/iexec.mjs tee app deploy" >&2
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

# Re-pushing a tag changes its digest: a TEE app already deployed with the old checksum would then fail.
recorded="$(node -e 'console.log(require(process.argv[1]).app.multiaddr)' "$PROFILE")"
[[ "$recorded" != "$to" ]] || die "iexec.tee.json already records $to: sconify a new VERSION instead of overwriting it"

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
