#!/usr/bin/env bash
# Prepares a machine for the args splitter's fidelity test (npm run test:fidelity): a JDK (11 or later,
# for single-file source programs) and the real Java classes the iExec worker splits iexec_args with:
#   - maven-shared-utils (CommandLineUtils.translateCommandline): Debian's libmaven-shared-utils-java;
#   - commons-lang3 (StringUtils.isBlank, which decides whether the worker sets a command at all):
#     Debian's libcommons-lang3-java, 3.12.0 in bookworm, the version iexec-commons-containers uses.
# Idempotent: installs only what is missing (dpkg, then the JDK on PATH), so a second run is instant.
# Prints the class path to stdout; everything else goes to stderr.
set -euo pipefail

JARS=(/usr/share/java/maven-shared-utils.jar /usr/share/java/commons-lang3.jar)
PACKAGES=(libmaven-shared-utils-java libcommons-lang3-java)

die() {
  echo "ci-java: error: $*" >&2
  exit 1
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# `java Foo.java` needs the jdk.compiler module: a JRE alone cannot run the harness.
jdk_ok() {
  command -v javac >/dev/null || return 1
  local version
  version="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')"
  [[ -n "$version" && "$version" -ge 11 ]]
}

missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in "${PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
else
  for jar in "${JARS[@]}"; do [[ -f "$jar" ]] || missing+=("$jar"); done
fi
jdk_ok || missing+=(default-jdk-headless)

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "ci-java: missing: ${missing[*]}" >&2
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    die "not a Debian-based machine: install a JDK (11 or later), and maven-shared-utils and commons-lang3 as ${JARS[*]}"
  fi
  [[ "$(id -u)" == 0 ]] || die "run as root to install ${missing[*]} (apt-get), or install them yourself"
  # A fresh container has no package lists: fetch them only then.
  if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  fi
  apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      default-jdk-headless "${PACKAGES[@]}" >&2
  }
  # Stale lists name package versions the mirror no longer has: refresh once and retry.
  apt_install || { apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && apt_install; }
  jdk_ok || die "no javac 11 or later on PATH after installing default-jdk-headless"
fi

for jar in "${JARS[@]}"; do [[ -f "$jar" ]] || die "$jar is missing"; done
versions=""
if command -v dpkg-query >/dev/null; then
  for pkg in "${PACKAGES[@]}"; do versions+=", $pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '(not from dpkg)')"; done
fi
echo "ci-java: $(javac -version 2>&1)$versions" >&2
(IFS=:; echo "${JARS[*]}")
