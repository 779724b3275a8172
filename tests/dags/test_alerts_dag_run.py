"""`newswatch_alerts` end to end under dag.test(): stories from the replay, a real webhook receiver."""

import os
import shutil

import pytest
import yaml

from pipeline.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out


def test_alerts_dag_delivers_once(dagbag, es_url, prefix, es, tmp_path, airflow_home, webhook, web):
    received = webhook.received
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(PROJECT_ROOT / "config" / "topics.yaml", config)
    (config / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [{
        "name": "roxham", "channels": [webhook.url], "since": "2000-01-01T00:00:00Z",
        "rule": {"keywords": {"any": ["Roxham"]}}}]}))
    saved = dict(os.environ)
    os.environ.update({"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay",
                       "NEWSWATCH_CONFIG_DIR": str(config),
                       "NEWSWATCH_FETCH__ALLOW": "127.0.0.1",  # the webhook receiver, allowed explicitly
                       "NEWSWATCH_ALERTS__MAX_AGE": "P36500D"})  # the replay's stories are years old
    try:
        from pipeline.ingest.poll import poll_feeds
        from pipeline.nlp.enrich import enrich_stories
        from pipeline.settings import Settings
        from pipeline.store import Store
        from tests.support import replay_settings

        # the replay's stories, fetched as live ones: stories of a replay run are never alerted
        settings = replay_settings(Settings.from_env(source="live"), web.url)
        with Store.open(settings) as store:
            poll_feeds(store, settings, ["replay-canada", "replay-quebec"], run_id="alerts-dag")
            enrich_stories(store, settings)
        dag = dagbag.dags["newswatch_alerts"]
        first = dag.test()
        assert str(first.state).endswith("success")
        assert len(received) >= 2 and all("roxham" in (r["title"] + r["message"]).lower() for r in received)
        count = len(received)
        second = dag.test()
        assert str(second.state).endswith("success") and len(received) == count
    finally:
        os.environ.clear()
        os.environ.update(saved)
