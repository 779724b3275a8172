#!/usr/bin/env bash
# The main job on embedded defaults: install, start a local Elasticsearch, poll every configured
# feed once (the bundled offline replay when feed hosts do not resolve), print a summary.
# Idempotent: re-running reuses the node and adds only new stories.
set -euo pipefail
started=$(date +%s.%N)
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/newswatch run-local --started "$started" "$@"
