"""`newswatch_poll` end to end under dag.test(), against the real node and the offline replay."""

import os

import pytest

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out


@pytest.fixture
def replay_env(es_url, prefix, airflow_home):
    saved = dict(os.environ)
    os.environ.update({"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"})
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_poll_dag_runs_end_to_end(dagbag, replay_env, es, prefix):
    dag = dagbag.dags["newswatch_poll"]
    assert dag.deadline  # an overrunning run tells the operator (a DeadlineAlert)
    # Airflow 3.3's dag.test() looks the deadline alerts of an unserialized DAG up as database ids and fails;
    # the scheduler (scripts/bench_airflow.py, the browser test) runs the DAG with them.
    dag.deadline = None
    run = dag.test()
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states.pop("watcher").endswith("skipped"), states  # it fails the run only when a shard failed
    assert all(s.endswith("success") for s in states.values()), states
    es.indices.refresh(index=f"{prefix}-*")
    stories = es.search(index=f"{prefix}-stories", size=100, query={"match_all": {}})["hits"]["hits"]
    assert len(stories) >= 20
    assert {s["_source"]["run_id"] for s in stories} == {run.run_id}
    mapped = [ti for ti in run.get_task_instances() if ti.task_id == "poll_shard"]
    assert len(mapped) == 1  # the seven replay feeds share one host, so one shard keeps the per-host limit
    failing = es.get(index=f"{prefix}-feeds", id="replay-not-a-feed")["_source"]
    assert failing["last_error_kind"] == "not_a_feed"
