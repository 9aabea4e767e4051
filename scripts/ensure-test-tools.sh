#!/usr/bin/env bash
# The suite lints every generated shell script with shellcheck, which npm cannot provide offline
# (its npm wrapper downloads a binary), and test/faults-create.test.ts injects signals with strace.
# Install them from Debian when we can, else say how.
set -euo pipefail
missing=()
for tool in shellcheck strace; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (apt-get) for the test suite…"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need ${missing[*]}: install them (apt-get install ${missing[*]}) and retry." >&2
exit 1
