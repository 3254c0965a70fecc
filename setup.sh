#!/usr/bin/env bash
# Set up synthspectrum from nothing on Debian/Ubuntu: system packages, a virtualenv in .venv,
# and the package with its test dependencies. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup.sh: need root (or sudo) to run: $*" >&2; return 1; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup.sh: installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

if ! command -v "$PY" >/dev/null; then
  apt_install python3 python3-venv python3-pip
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "setup.sh: synthspectrum needs Python >= 3.10; $PY is $("$PY" --version 2>&1)" >&2
  exit 1
fi
# Debian's python3 ships venv without ensurepip until python3-venv is installed.
if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt_install python3-venv
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
echo "setup.sh: ready. The command line is .venv/bin/synthspectrum; check the set-up with .venv/bin/synthspectrum doctor"
