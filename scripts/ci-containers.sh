#!/usr/bin/env bash
# Prepares a Debian machine (root) for the container suite (npm run test:toolchain): a Docker-compatible
# engine without a Docker daemon, and the base images the generated Dockerfiles start FROM.
#
#   - apt: podman, buildah, runc, skopeo (engine), debootstrap (base images), docker-registry (the
#     local registry publish.sh pushes to), shellcheck;
#   - /etc/containers/{containers,storage}.conf as this kind of sandbox needs them: runc (crun fails),
#     cgroupfs (no systemd), explicit nofile/nproc ulimits, vfs storage (no overlay mounts);
#   - stand-in base images under the exact names the Dockerfiles use, made offline: a Debian minbase
#     root file system (debootstrap) plus THIS machine's node binary at /usr/local/bin/node. They are
#     not the official node images (see test/toolchain/README.md). Cached as tarballs, so a second run
#     only re-imports them when the engine's storage was wiped.
#
# Idempotent: every step checks before it acts. Prints each step's time. Services (podman's API socket,
# the registry) are not started here: each test run starts its own and stops them.
set -euo pipefail

CACHE_DIR="${CIM_CACHE_DIR:-/var/cache/create-iexec-module}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Dockerfile FROM name -> Debian suite. SCONE's stand-in is bullseye for its glibc 2.31, like the real one.
BASE_IMAGES=(
  "docker.io/library/node:22-bookworm-slim bookworm"
  "docker.io/library/node:22-bullseye-slim bullseye"
)
STAND_IN_LABEL=org.create-iexec-module.stand-in

die() {
  echo "ci-containers: error: $*" >&2
  exit 1
}

step_start=0
step() {
  step_start=$SECONDS
  echo "ci-containers: $*" >&2
}
step_done() {
  echo "ci-containers:   done in $((SECONDS - step_start)) s" >&2
}

[[ "$(id -u)" == 0 ]] || die "run as root (it installs apt packages and writes /etc/containers)"
command -v apt-get >/dev/null || die "needs a Debian-based machine (apt-get)"
# The suite drives the TDX module through the docker client, as on a laptop; this machine kind ships it
# (no daemon). Debian's docker.io would add a daemon that cannot run here.
command -v docker >/dev/null || die "the docker client is missing: install a docker CLI (docker-ce-cli) and retry"

install_packages() {
  local wanted=(podman buildah runc skopeo debootstrap docker-registry shellcheck) missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  step "apt packages: ${missing[*]:-all present}"
  if [[ ${#missing[@]} -gt 0 ]]; then
    # The lock timeout: another apt run (a parallel setup step) must not fail this one.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      "${missing[@]}" containernetworking-plugins iptables uidmap >/dev/null
  fi
  step_done
}

# write_if_changed FILE: stdin becomes FILE unless FILE already has that content.
write_if_changed() {
  local file="$1" content
  content="$(cat)"
  if [[ ! -f "$file" || "$(cat "$file")" != "$content" ]]; then
    mkdir -p "$(dirname "$file")"
    printf '%s\n' "$content" >"$file"
    echo "ci-containers:   wrote $file" >&2
  fi
}

configure_engine() {
  step "engine configuration"
  write_if_changed /etc/containers/containers.conf <<'CONF'
# Written by create-iexec-module scripts/ci-containers.sh (container test suite).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  write_if_changed /etc/containers/storage.conf <<'CONF'
# Written by create-iexec-module scripts/ci-containers.sh (container test suite).
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
  # Storage made earlier with another driver makes podman refuse to start: say how to get out.
  podman info >/dev/null ||
    die "podman does not start with this configuration (see podman info). If its storage was made with
  another driver, remove it (podman system reset) and run this script again."
  step_done
}

node_version="$(node --version)"

# base_image NAME SUITE: imports the stand-in NAME, debootstrapping SUITE unless its tarball is cached.
base_image() {
  local name="$1" suite="$2" tarball rootfs label
  label="$suite minbase + host node $node_version"
  step "base image $name ($label)"
  if [[ "$(podman image inspect --format "{{index .Labels \"$STAND_IN_LABEL\"}}" "$name" 2>/dev/null || true)" == "$label" ]]; then
    echo "ci-containers:   already present" >&2
    step_done
    return
  fi
  tarball="$CACHE_DIR/$suite-node-$node_version.tar"
  if [[ ! -f "$tarball" ]]; then
    rootfs="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
    debootstrap --variant=minbase "$suite" "$rootfs" "$DEBIAN_MIRROR" >"$rootfs.log" 2>&1 ||
      die "debootstrap $suite failed, see $rootfs.log"
    rm -f "$rootfs.log"
    install -m 0755 "$(readlink -f "$(command -v node)")" "$rootfs/usr/local/bin/node"
    # Image layers need no package lists or docs: drop them to keep the vfs copies small.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc \
      "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
    tar -C "$rootfs" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  podman import \
    --change "LABEL $STAND_IN_LABEL=\"$label\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    --quiet "$tarball" "$name" >/dev/null
  step_done
}

total_start=$SECONDS
install_packages
configure_engine
mkdir -p "$CACHE_DIR"
for entry in "${BASE_IMAGES[@]}"; do
  # shellcheck disable=SC2086 # "NAME SUITE" pairs
  base_image $entry
done
echo "ci-containers: ready in $((SECONDS - total_start)) s" >&2
