#!/usr/bin/env bash
# Install the test dependencies, start the services the tests need (a real Elasticsearch 9 node;
# the tests start their own local HTTP server), run the whole suite, stop the node.
# The whole suite includes the production-shape drill (`scripts/cluster.sh test`, tests/scenarios/test_cluster.py:
# Airflow with Celery, PostgreSQL, Redis, three Elasticsearch nodes, about 4 minutes on a 2-core machine).
# `scripts/test.sh --fast [pytest args]`: the development loop, every test not marked `slow` or `cluster` (the
# browser test, the Airflow `dag.test()` runs, the fault tests that kill a node or a worker, the drill), in two
# processes (pytest-xdist, a file per process at a time: each test has its own index prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
fast=()
if [ "${1:-}" = "--fast" ]; then
  shift
  fast=(-m "not slow and not cluster" -n 2 --dist loadfile)
fi
scripts/bootstrap.sh --test

# Static checks first: they take seconds and fail fast.
.venv/bin/ruff check .
.venv/bin/mypy

# The browser test drives Debian's Chromium (no browser download); install it when missing.
if [ ${#fast[@]} -eq 0 ] && [ ! -x /usr/bin/chromium ]; then
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
