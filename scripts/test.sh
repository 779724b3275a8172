#!/usr/bin/env bash
# Install the test dependencies, start the services the tests need (a real Elasticsearch 9 node;
# the tests start their own local HTTP server), run the whole suite, stop the node.
# `scripts/test.sh --fast [pytest args]`: the development loop, every test not marked `slow` (the
# browser test, the Airflow `dag.test()` runs, the fault tests that kill a node or a worker).
set -euo pipefail
cd "$(dirname "$0")/.."
# `scripts/test.sh --cluster`: also the production-shape drill (`scripts/cluster.sh test`, 6–12 minutes: Airflow
# with Celery, PostgreSQL, Redis, three Elasticsearch nodes), which the default run leaves out to stay well inside
# CI's time limit on a 2-core machine.
fast=(-m "not cluster")
if [ "${1:-}" = "--fast" ]; then
  shift
  fast=(-m "not slow")
elif [ "${1:-}" = "--cluster" ]; then
  shift
  fast=()
fi
scripts/bootstrap.sh --test

# Static checks first: they take seconds and fail fast.
.venv/bin/ruff check .
.venv/bin/mypy

# The browser test drives Debian's Chromium (no browser download); install it when missing.
if [ "${fast[*]}" != "-m not slow" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  else
    echo "the browser test needs Debian's chromium: apt-get install chromium" >&2; exit 1
  fi
fi

state=$(mktemp -d)
cleanup() { .venv/bin/python -m pipeline.local.es_node stop --state-dir "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT
NEWSWATCH_TEST_ES_URL=$(.venv/bin/python -m pipeline.local.es_node start --state-dir "$state")
export NEWSWATCH_TEST_ES_URL
echo "Elasticsearch for the tests: $NEWSWATCH_TEST_ES_URL"
.venv/bin/python -m pytest "${fast[@]}" "$@"
