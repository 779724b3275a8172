"""`newswatch_enrich` end to end under dag.test(): stories polled from the replay are enriched, placed in
events, and the run hands its counts on to the alerts DAG, with the failure watcher left out."""

import os

import pytest

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out


def test_enrich_dag_enriches_places_and_summarises(dagbag, es_url, prefix, es, airflow_home, web):
    saved = dict(os.environ)
    os.environ.update({"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"})
    try:
        from pipeline.ingest.poll import poll_feeds
        from pipeline.settings import Settings
        from pipeline.store import Store
        from tests.support import replay_settings

        settings = replay_settings(Settings.from_env(source="live"), web.url)
        with Store.open(settings) as store:
            poll_feeds(store, settings, ["replay-canada", "replay-quebec"], run_id="enrich-dag")
        run = dagbag.dags["newswatch_enrich"].test()
        states = {ti.task_id: str(ti.state).rsplit(".", 1)[-1].lower() for ti in run.get_task_instances()}
        assert str(run.state).endswith("success"), states
        assert states["summarize"] == "success" and states["place_events"] == "success"
        assert states["watcher"] == "skipped"  # it fails the run only when a task failed
        es.indices.refresh(index=f"{prefix}-*")
        on_topic = es.count(index=f"{prefix}-stories", query={"exists": {"field": "topics"}})["count"]
        placed = es.count(index=f"{prefix}-stories", query={"exists": {"field": "event_id"}})["count"]
        assert on_topic and placed == on_topic
        totals = next(ti for ti in run.get_task_instances() if ti.task_id == "summarize").xcom_pull(task_ids="summarize")
        assert totals["stories_enriched"] >= on_topic and "surges_raised" in totals
        again = dagbag.dags["newswatch_enrich"].test()  # nothing waits: no batch, yet the events stage still
        states = {ti.task_id: str(ti.state).rsplit(".", 1)[-1].lower() for ti in again.get_task_instances()}
        assert states["place_events"] == "success", states  # runs, to finish what a died run left
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_story_refused_for_good_fails_its_batch_once_without_retries(dagbag, es_url, prefix, es, airflow_home,
                                                                        monkeypatch):
    """Set aside (`enrich_error`) and the task failed at once: a retry would pass, the story being no longer
    waiting, and the run would end green with the story lost from view."""
    import pipeline.nlp.enrich as enrich
    from pipeline.settings import Settings
    from pipeline.store import Store
    from pipeline.store.documents import Story

    monkeypatch.setenv("NEWSWATCH_ES_URL", es_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", f"{prefix}-aside")
    fields = enrich.enrichment
    monkeypatch.setattr(enrich, "enrichment", lambda analysis, text="": fields(analysis, text) | (
        {"quote_count": "many"} if "40 asylum" in text else {}))  # a value the mapping cannot take
    when = "2024-05-01T10:00:00+00:00"
    with Store.open(Settings.from_env()) as store:
        store.write_stories([Story(story_id=f"s{i}", url=f"https://news.example/{i}", canonical_url=f"https://news.example/{i}",
                                   feed_id="f", outlet="Example", language="en", country="GB", title=f"Asylum story {i}",
                                   text=f"Officials said 4{i} asylum seekers arrived in Dover on Monday.", published=when,
                                   ingested=when, run_id="r") for i in range(2)])
    run = dagbag.dags["newswatch_enrich"].test()
    batch = next(ti for ti in run.get_task_instances() if ti.task_id == "enrich_batch")
    assert str(run.state).endswith("failed") and str(batch.state).endswith("failed") and batch.try_number == 1
    totals = next(ti for ti in run.get_task_instances() if ti.task_id == "summarize").xcom_pull(task_ids="summarize")
    assert totals["batches_failed"] == 1  # s1 was enriched: the alerts run must look, not skip
    with Store.open(Settings.from_env()) as store:
        assert "parsing" in (store.get("stories", "s0").enrich_error or "") and store.get("stories", "s1").enriched
