"""The operator hears of failed runs and overruns through their own subscription (a real webhook)."""

import pytest
import yaml

from pipeline.errors import ConfigError, FeedsFailed
from pipeline.ingest.poll import FeedReport, PollReport, raise_for_feed_errors
from pipeline.ops.operator import deadline_missed, notify_operator
from pipeline.settings import Settings


def test_the_operator_subscription_gets_the_message(tmp_path, webhook, monkeypatch):
    monkeypatch.setenv("NEWSWATCH_FETCH__ALLOW", "127.0.0.1")  # the webhook listens there: allowed explicitly
    (tmp_path / "alerts.yaml").write_text(yaml.safe_dump({"subscriptions": [
        {"name": "ops", "channels": [webhook.url], "rule": {}}]}))
    (tmp_path / "topics.yaml").write_text("topics: []\n")
    settings = Settings(config_dir=tmp_path, operator_subscription="ops")
    assert notify_operator("newswatch_poll.poll_shard failed", ["Error: boom <b>"], settings=settings) == []
    [message] = webhook.received
    assert "poll_shard failed" in message["title"] and "boom &lt;b&gt;" in message["message"]

    monkeypatch.setenv("NEWSWATCH_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSWATCH_OPERATOR_SUBSCRIPTION", "ops")
    deadline_missed(run_id="scheduled__x", dag_id="newswatch_poll")
    assert "overrunning" in webhook.received[-1]["title"]

    with pytest.raises(ConfigError, match="names 'nobody'"):
        notify_operator("x", [], settings=settings.replace(operator_subscription="nobody"))
    assert notify_operator("x", [], settings=settings.replace(operator_subscription=None)) == []


def test_the_feed_error_policy():
    report = PollReport(feeds=[FeedReport("a", "error", error="timeout: slow"), FeedReport("b", "ok")])
    raise_for_feed_errors(report, "all")  # one of two failed: the task stays green, the log says which
    raise_for_feed_errors(report, "never")
    with pytest.raises(FeedsFailed, match="1 of 2 feeds failed: a: timeout"):
        raise_for_feed_errors(report, "any")
    alone = PollReport(feeds=[FeedReport("a", "error", error="http_404: gone")])  # the only feed due in its shard
    raise_for_feed_errors(alone, "all")  # that feed's warning, not an outage: no retries re-polling it, no red run
    cut_off = PollReport(feeds=[FeedReport("a", "error", error="network: ClientConnectorError: refused")])
    with pytest.raises(FeedsFailed):  # one feed due, and it could not be reached: the network may be down
        raise_for_feed_errors(cut_off, "all")
    down = PollReport(feeds=[FeedReport("a", "error", error="network: refused"), FeedReport("b", "error")])
    with pytest.raises(FeedsFailed):
        raise_for_feed_errors(down, "all")
