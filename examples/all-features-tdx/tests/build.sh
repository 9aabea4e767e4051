#!/usr/bin/env bash
# Usage: tests/build.sh [TAG]   (default TAG: dev)
# Bundles the app, then builds the linux/amd64 image $IMAGE:TAG. All build output goes to stderr and
# stdout is the image reference only, so `ref="$(tests/build.sh 1.0.0)"` works.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../scripts/docker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/docker.sh"

tag="${1:-dev}"
cd "$MODULE_ROOT"
[[ -d node_modules ]] || die "node_modules is missing: run 'npm install' first"
# The image copies dist/app.cjs as is: rebuild it so the image never ships a stale bundle.
npm run build >&2
image_build "$tag" >&2
echo "$IMAGE:$tag"
