"""Every DAG file imports cleanly, fast, without touching connections or Elasticsearch at parse time."""

import ast
import subprocess
import sys
import time

import pytest

from pipeline.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"newswatch_poll", "newswatch_enrich", "newswatch_alerts", "newswatch_digests"} <= set(dagbag.dags)


def test_poll_triggers_enrichment_which_triggers_alerts(dagbag):
    poll, enrich, alerts = (dagbag.dags[d] for d in ("newswatch_poll", "newswatch_enrich", "newswatch_alerts"))
    [stories] = poll.get_task("summarize").outlets
    assert stories.uri.rstrip("/") == "newswatch://stories"
    assert type(enrich.timetable).__name__ == "AssetTriggeredTimetable"
    assert stories in enrich.timetable.asset_condition.objects
    [enriched] = enrich.get_task("summarize").outlets
    assert enriched.uri.rstrip("/") == "newswatch://enriched"
    assert enriched in alerts.timetable.asset_condition.objects and stories not in alerts.timetable.asset_condition.objects
    assert alerts.max_active_runs == 1 and enrich.max_active_runs == 1
    assert enrich.get_task("enrich_batch").upstream_task_ids == {"plan_batches"}


def test_poll_dag_shape(dagbag):
    dag = dagbag.dags["newswatch_poll"]
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.doc_md and "Newswatch" in dag.doc_md
    assert "newswatch" in dag.tags
    assert set(dag.task_ids) == {"plan_shards", "poll_shard", "summarize", "watcher"}
    # the healthy shards' stories go on to enrichment when one shard fails; the watcher turns the run red
    assert dag.get_task("summarize").trigger_rule == "all_done" and dag.get_task("watcher").trigger_rule == "one_failed"
    for name in ("newswatch_poll", "newswatch_enrich"):  # one operator message per failure: the failed task's
        assert not dagbag.dags[name].get_task("watcher").on_failure_callback, name
    for task in dag.tasks:
        assert task.retries >= 2 and task.retry_exponential_backoff
    assert dag.get_task("poll_shard").upstream_task_ids == {"plan_shards"}
    # the pass ends itself, recording its unfinished feeds (back-off, feed health), before Airflow kills the task
    from datetime import timedelta

    from pipeline.settings import Settings

    deadline = timedelta(seconds=Settings().poll.pass_deadline)
    assert deadline + timedelta(minutes=2) <= dag.get_task("poll_shard").execution_timeout


def test_dag_files_import_only_airflow_sdk_and_defer_heavy_imports():
    for path in DAG_FILES:
        tree = ast.parse(path.read_text())
        top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        modules = {(n.module if isinstance(n, ast.ImportFrom) else n.names[0].name) for n in top_level}
        assert not any(m and m.startswith(("pipeline", "spacy", "elasticsearch")) for m in modules), path
        assert all(not m or not m.startswith("airflow") or m == "airflow.sdk" for m in modules), path


def test_dag_file_parses_fast():
    started = time.monotonic()
    code = "import runpy, sys; runpy.run_path(sys.argv[1])"
    for path in DAG_FILES:
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True)
    assert (time.monotonic() - started) / len(DAG_FILES) < 15


def test_pipeline_never_imports_airflow():
    for path in (PROJECT_ROOT / "pipeline").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "airflow" for n in names), path


def test_plugin_loads_with_views(airflow_home):
    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    import newswatch_plugin

    views = newswatch_plugin.NewswatchPlugin.external_views
    run_link = next(v for v in views if v["destination"] == "dag_run")
    assert "{RUN_ID}" in run_link["href"] and "run_id" in run_link["href"]
    assert newswatch_plugin.NewswatchPlugin.fastapi_apps[0]["url_prefix"] == "/newswatch"


def test_operators_see_named_shards_and_hear_of_failures_and_overruns(dagbag):
    poll = dagbag.dags["newswatch_poll"]
    assert poll.get_task("poll_shard").map_index_template == "{{ shard_name }}"
    assert poll.deadline  # DeadlineAlert: a run still going ten minutes after it was queued
    # the digests DAG too: it sends the digests and every retry, and a run that failed there told no one
    for dag_id in ("newswatch_poll", "newswatch_enrich", "newswatch_alerts", "newswatch_digests"):
        for task in dagbag.dags[dag_id].tasks:
            if task.task_id == "watcher":
                continue  # it fails the run for a task that failed and told the operator itself
            callbacks = task.on_failure_callback if isinstance(task.on_failure_callback, list) else \
                [task.on_failure_callback]
            assert any(type(c).__name__ == "OperatorNotifier" for c in callbacks), (dag_id, task.task_id)
