# shellcheck shell=bash
# Sourced, not run, by tests/build.sh, tests/run.sh, publish.sh, so that they agree
# on the container engine, the image name and how to build it. Callers use `set -euo pipefail`.
#
# Environment:
#   DOCKER            engine command (docker, podman, ...); default: docker if its daemon answers,
#                     else podman
#   DOCKER_NAMESPACE  Docker Hub user or organisation to name the image with

die() {
  echo "error: $*" >&2
  exit 1
}

MODULE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -z "${DOCKER:-}" ]]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    DOCKER=docker
  elif command -v podman >/dev/null 2>&1; then
    DOCKER=podman
  elif command -v docker >/dev/null 2>&1; then
    die "'docker info' fails: start the Docker daemon (or Docker Desktop), or set DOCKER=podman"
  else
    die "no container engine found: install Docker or Podman, or set DOCKER to the engine command"
  fi
elif ! command -v "$DOCKER" >/dev/null 2>&1; then
  die "DOCKER=$DOCKER: command not found"
fi

DEFAULT_NAMESPACE='alice'
IMAGE_NAME='all-features-tdx'
# shellcheck disable=SC2034 # used by the scripts that source this file
IMAGE="${DOCKER_NAMESPACE:-$DEFAULT_NAMESPACE}/$IMAGE_NAME"

# BuildKit (buildx) only behind a real Docker daemon: podman, or a docker client talking to a
# Podman service through DOCKER_HOST, builds with `build` itself.
uses_buildx() {
  local version
  [[ "$(basename "$DOCKER")" != podman* ]] || return 1
  "$DOCKER" buildx version >/dev/null 2>&1 || return 1
  version="$("$DOCKER" version 2>/dev/null || true)"
  [[ "$version" != *"Podman Engine"* ]]
}

# image_build TAG: builds $IMAGE:TAG from the module root for linux/amd64, the only platform workers run.
image_build() {
  local ref="$IMAGE:$1"
  if uses_buildx; then
    # --load: with a docker-container builder the image would otherwise stay in the builder's cache.
    "$DOCKER" buildx build --platform linux/amd64 --load -t "$ref" "$MODULE_ROOT"
  else
    "$DOCKER" build --platform linux/amd64 -t "$ref" "$MODULE_ROOT"
  fi
}
