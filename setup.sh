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

# The R side is optional: the metadata side and its tests run without it. Set
# SYNTHSPECTRUM_NO_R=1 to skip it.
extras="test"
if [ "${SYNTHSPECTRUM_NO_R:-0}" != 1 ]; then
  if apt_install r-base-core r-base-dev; then
    extras="test,r"
    # synthpop's imports that Debian packages: binary, so CRAN only has to bring synthpop
    # itself and the three Debian lacks (mipfp, cmm, broman). jsonlite reads the workshop's
    # checkpoint specification, the same file Python reads.
    apt_install r-cran-lattice r-cran-mass r-cran-nnet r-cran-ggplot2 r-cran-rpart r-cran-party \
      r-cran-foreign r-cran-plyr r-cran-proto r-cran-polspline r-cran-randomforest r-cran-ranger \
      r-cran-classint r-cran-survival r-cran-stringr r-cran-rmutil r-cran-forcats r-cran-numderiv \
      r-cran-rsolnp r-cran-jsonlite || echo "setup.sh: some of synthpop's R dependencies could not be installed from apt" >&2
  else
    echo "setup.sh: could not install R; carrying on without the R side (its tests will skip)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[$extras]"

# synthpop comes from CRAN (Debian does not package it). Where CRAN cannot be reached,
# say so and carry on: everything that does not need synthpop works, and its tests skip.
if command -v Rscript >/dev/null && [ "${SYNTHSPECTRUM_NO_R:-0}" != 1 ]; then
  if ! Rscript --vanilla -e 'quit(status = !requireNamespace("synthpop", quietly = TRUE))' >/dev/null 2>&1; then
    echo "setup.sh: trying to install the R package synthpop from CRAN..."
    lib=$(Rscript --vanilla -e 'cat(.libPaths()[1])')
    if [ -w "$lib" ] && timeout 1800 Rscript --vanilla -e \
        'install.packages("synthpop", repos = "https://cloud.r-project.org"); quit(status = !requireNamespace("synthpop", quietly = TRUE))' \
        >/tmp/synthspectrum-synthpop-install.log 2>&1; then
      echo "setup.sh: synthpop installed"
    else
      echo "setup.sh: synthpop is NOT installed: CRAN could not be reached or the install failed" >&2
      echo "          (log: /tmp/synthspectrum-synthpop-install.log; library: $lib)." >&2
      echo "          Carrying on: the synthpop parts and their tests are skipped until" >&2
      echo "          Rscript -e 'install.packages(\"synthpop\")' succeeds." >&2
    fi
  fi
fi
# The workshop's slides: Debian's pandoc turns slides/*.md into self-contained reveal.js decks,
# with the reveal.js that slides/package-lock.json pins, which `npm ci` installs into
# slides/node_modules (once; the build itself needs no network). Checked by command, not by
# package name: a Node.js from elsewhere brings its own npm. Without apt or the npm registry
# this says so and carries on: only building the slides needs them (their tests skip).
# SYNTHSPECTRUM_NO_SLIDES=1 leaves them out.
if [ "${SYNTHSPECTRUM_NO_SLIDES:-0}" != 1 ]; then
  command -v pandoc >/dev/null || apt_install pandoc ||
    echo "setup.sh: could not install pandoc; the slides cannot be built until apt-get install pandoc works" >&2
  command -v npm >/dev/null || apt_install nodejs npm ||
    echo "setup.sh: could not install nodejs/npm; the slides cannot be built until apt-get install nodejs npm works" >&2
  if command -v npm >/dev/null && { [ ! -f slides/node_modules/.package-lock.json ] ||
      [ slides/package-lock.json -nt slides/node_modules/.package-lock.json ]; }; then
    if (cd slides && npm ci --no-audit --no-fund --loglevel=error); then
      echo "setup.sh: reveal.js installed for the slides (slides/node_modules)"
    else
      echo "setup.sh: npm ci in slides/ failed (no network to the npm registry?); the slides cannot be" >&2
      echo "          built until 'cd slides && npm ci' succeeds. Carrying on." >&2
    fi
  fi
fi

echo "setup.sh: ready. The command line is .venv/bin/synthspectrum; check the set-up with .venv/bin/synthspectrum doctor"
