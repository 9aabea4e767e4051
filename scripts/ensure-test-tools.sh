#!/usr/bin/env bash
# The suite lints every generated shell script with shellcheck, which npm cannot provide offline
# (its npm wrapper downloads a binary). Install it from Debian when we can, else say how.
set -euo pipefail
command -v shellcheck >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing shellcheck (apt-get) for the test suite…"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  exit 0
fi
echo "The tests need shellcheck: install it (apt-get install shellcheck, brew install shellcheck) and retry." >&2
exit 1
