#!/usr/bin/env bash
# Usage: ./publish.sh VERSION [--allow-dirty]   (e.g. 1.0.0)
# Builds $IMAGE:VERSION for linux/amd64 (tests/build.sh), pushes it, and writes its multiaddr and
# checksum (0x + the registry's sha256 digest) into iexec.json and iexec.tee.json (on TDX the TEE app
# runs this same image): the files `npm run deploy` registers.
set -euo pipefail
# shellcheck source=scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/docker.sh"
# The kit's push_image and set_app: the registry digest, read the same way for every engine.
registry_sh="$MODULE_ROOT/node_modules/iexec-module-kit/sh/registry.sh"
[[ -f "$registry_sh" ]] || die "iexec-module-kit is not installed: run 'npm install' first"
# shellcheck source=/dev/null
source "$registry_sh"

version="${1:-}"
allow_dirty="${2:-}"
[[ -n "$version" ]] || die "usage: ./publish.sh VERSION [--allow-dirty]   (e.g. 1.0.0)"
[[ -z "$allow_dirty" || "$allow_dirty" == --allow-dirty ]] || die "unknown option '$allow_dirty' (only --allow-dirty)"
# Semver without build metadata: '+' is not allowed in an image tag.
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z][0-9A-Za-z.-]*)?$ ]] ||
  die "VERSION must look like 1.0.0 or 1.0.0-rc.1, got '$version'"

cd "$MODULE_ROOT"
# A published version should be rebuildable from a commit: refuse uncommitted changes in what the
# image is built from, unless asked not to.
image_inputs=(src package.json package-lock.json pnpm-lock.yaml yarn.lock tsconfig.json scripts/build.mjs Dockerfile .dockerignore)
if [[ -z "$allow_dirty" ]] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  dirty="$(git status --porcelain -- "${image_inputs[@]}" 2>/dev/null)"
  [[ -z "$dirty" ]] || die "uncommitted changes in what the image is built from:
$dirty
commit them first (so $version matches a commit), or pass --allow-dirty"
fi
profiles=(iexec.json iexec.tee.json)
ref="$IMAGE:$version"
# A recorded tag is never pushed again, and not because deployed apps would fail: no worker compares
# the image it pulls with the deployed checksum (iexec-worker ComputeManagerService pulls by tag; the
# TDX secret agent runs with a null verifier, TeeTdxService), so tasks of an app deployed with the tag
# would silently run the new image while the chain still shows the old checksum.
for file in "${profiles[@]}"; do
  recorded="$(node -e 'console.log(require(process.argv[1]).app.multiaddr)' "$MODULE_ROOT/$file")"
  [[ "$recorded" != "$ref" ]] ||
    die "$file already records $ref: publish a new VERSION instead of overwriting it" \
      "(workers pull by tag and never check the deployed checksum: tasks of the deployed app would silently run the new image)"
done

ref="$(bash tests/build.sh "$version")"
digest="$(push_image "$ref")"
for file in "${profiles[@]}"; do
  set_app "$file" multiaddr "$ref" checksum "0x${digest#sha256:}"
  echo "$file: multiaddr $ref, checksum 0x${digest#sha256:}" >&2
done

echo "next: npm run deploy (and/or: npm run deploy:tee)" >&2
