#!/usr/bin/env bash
# The production shape on one machine, without Docker: PostgreSQL, Redis, three Elasticsearch nodes, an SMTP
# server and Airflow with the CeleryExecutor (api-server, scheduler, dag-processor, triggerer, two workers).
#   scripts/cluster.sh up       start it (idempotent); state and data in .newswatch/cluster/
#   scripts/cluster.sh status   each process and what each service answers
#   scripts/cluster.sh test     the fault drill: kill a worker and a node mid-run, restart Redis and PostgreSQL (on a
#                               cluster of its own: .newswatch/drill-cluster/, ports from 27300)
#   scripts/cluster.sh down     stop every process (data stays), or what a killed supervisor left running
# --state DIR: another cluster's folder (`down --state .newswatch/drill-cluster` after `test --keep`).
# Needs the project's virtualenv (.venv), PostgreSQL 15 and, for Elasticsearch, Maven and a JDK 21+ (as for
# scripts/run.sh); redis-server is installed from Debian's packages when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
action="${1:-}"
[ $# -gt 0 ] && shift
if [ ! -x .venv/bin/python ]; then
  echo "no project virtualenv (.venv): run scripts/bootstrap.sh first" >&2; exit 2
fi
# The SMTP server standing in for Mailpit is aiosmtpd, once a test-only requirement: in a virtualenv made without
# it, the server restarted for ever and mail went nowhere.
if { [ "$action" = up ] || [ "$action" = test ]; } && ! .venv/bin/python -c "import aiosmtpd" 2>/dev/null; then
  echo "aiosmtpd (the cluster's SMTP server) is not installed in .venv: run scripts/bootstrap.sh first" >&2; exit 2
fi
case "$action" in
  up|status|down) exec .venv/bin/python -m pipeline.local.cluster "$action" "$@" ;;
  test) exec .venv/bin/python -m pipeline.ops.drill "$@" ;;
  *) echo "usage: scripts/cluster.sh up | status | test | down [--port-base N] [--state DIR]" >&2; exit 2 ;;
esac
