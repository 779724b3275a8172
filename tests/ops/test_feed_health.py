"""Feed health verdicts, from poll histories and from real polls against the real node."""

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest

from pipeline.config import load_feeds
from pipeline.ingest.poll import poll_feeds
from pipeline.local.replay import REPLAY_DIR
from pipeline.ops.feed_health import check_and_report, classify, feed_health, report
from pipeline.store.documents import PollRecord
from tests.support import replay_settings, write_feeds

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def polls(new_at_hours: list[int], last_hour: int, latency: float = 0.2, failures: int = 0) -> list[PollRecord]:
    out = []
    for hour in range(0, last_hour + 1):
        out.append(PollRecord(feed_id="f", time=T0 + timedelta(hours=hour), outcome="ok", latency=latency,
                              new_items=2 if hour in new_at_hours else 0, consecutive_failures=0))
    for n in range(failures):
        out.append(PollRecord(feed_id="f", time=T0 + timedelta(hours=last_hour + 1 + n), outcome="error",
                              error_class="http_500", error_message="HTTP 500", consecutive_failures=n + 1))
    return out


def test_a_wire_feed_going_quiet_is_silent_within_hours():
    history = polls(new_at_hours=list(range(0, 24)), last_hour=36)  # new items hourly, then 12 h of nothing
    verdict = classify("wire", history, T0 + timedelta(hours=36))
    assert verdict.status == "silent" and "usually brings one every 1.0 h" in verdict.reason


def test_a_weekly_feed_is_not_silent_after_a_day():
    history = polls(new_at_hours=[0, 168, 336, 504], last_hour=530)
    assert classify("weekly", history, T0 + timedelta(hours=530)).status == "ok"
    assert classify("weekly", history, T0 + timedelta(hours=504 + 4 * 168 + 1)).status == "silent"


def test_failing_and_slow():
    assert classify("f", polls([0, 1, 2, 3], 4, failures=2), T0 + timedelta(hours=7)).status == "failing"
    assert classify("f", polls([0, 1, 2, 3], 4, failures=1), T0 + timedelta(hours=6)).status == "ok"
    assert classify("s", polls([0, 1, 2, 3], 4, latency=12.0), T0 + timedelta(hours=5)).status == "slow"
    assert classify("n", [], T0).status == "new"


def test_a_feed_that_never_succeeded_is_failing_from_its_first_poll():
    first = PollRecord(feed_id="f", time=T0, outcome="error", error_class="not_a_feed",
                       error_message="an HTML page was served", consecutive_failures=1,
                       next_due=T0 + timedelta(minutes=10))
    verdict = classify("f", [first], T0 + timedelta(minutes=1))
    assert verdict.status == "failing" and verdict.reason.startswith("no success in the last 30 days: 1 failed poll in a row")
    assert "not_a_feed" in verdict.reason
    listing = report([verdict])
    assert "next due" in listing.splitlines()[0] and (T0 + timedelta(minutes=10)).isoformat()[:16] in listing


def test_a_feed_whose_last_success_is_older_than_the_window_is_not_said_never_to_have_succeeded(store):
    """Only the last 30 days are read: a feed down for 40 days was reported "never succeeded"."""
    at = datetime.now(UTC).replace(microsecond=0)
    ok = PollRecord(feed_id="f", time=at - timedelta(days=40), outcome="ok", latency=0.2, new_items=1)
    down = [PollRecord(feed_id="f", time=at - timedelta(days=d), outcome="error", error_class="http_410",
                       error_message="HTTP 410", consecutive_failures=40 - d) for d in range(39, 0, -1)]
    store.record_polls([ok, *down])
    verdict = feed_health(store, ["f"], at=at)[0]
    assert verdict.status == "failing" and "never" not in verdict.reason
    assert verdict.reason.startswith("no success in the last 30 days: 39 failed polls in a row: http_410")


def test_the_last_weeks_days_are_utc_days_whatever_the_zone_asked_in():
    """The days were those of `at`'s own zone, the new items' buckets UTC days: `feed-health --at
    2026-12-02T01:00:00+05:00` (20:00 UTC on 1 December) dropped 25 November and showed an empty 2 December."""
    utc_days = [datetime(2026, 11, 25, 12, tzinfo=UTC) + timedelta(days=d) for d in range(7)]
    history = [PollRecord(feed_id="f", time=t, outcome="ok", latency=0.2, new_items=1 + n)
               for n, t in enumerate(utc_days)]
    for at in (datetime(2026, 12, 1, 20, tzinfo=UTC), datetime.fromisoformat("2026-12-02T01:00:00+05:00")):
        verdict = classify("f", history, at)
        assert verdict.new_per_day == [(t.date().isoformat(), 1 + n) for n, t in enumerate(utc_days)], at


def test_health_from_real_polls_lists_failing_and_silent(store, settings, web, tmp_path):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds_file)
    ids = [f.id for f in load_feeds(feeds_file)]
    poll_feeds(store, settings, ids, run_id="health-1")
    poll_feeds(store, settings, ids, run_id="health-2")
    today = {h.feed_id: h for h in feed_health(store, ids)}
    assert today["replay-not-a-feed"].status == "failing" and "not_a_feed" in today["replay-not-a-feed"].reason
    assert today["replay-canada"].status == "ok" and sum(n for _, n in today["replay-canada"].new_per_day) >= 10
    later = {h.feed_id: h for h in feed_health(store, ids, at=datetime.now(UTC) + timedelta(days=3))}
    assert later["replay-canada"].status == "silent" and "no new item for" in later["replay-canada"].reason
    listing = report(list(later.values()))
    assert "replay-not-a-feed" in listing and "failing" in listing and "silent" in listing


def test_health_page_shows_status_and_reason(store, settings, web, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from pipeline.ops.health_app import create_app

    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds_file)
    poll_feeds(store, settings, ["replay-not-a-feed", "replay-quebec"], run_id="manual__page")  # an Airflow run
    poll_feeds(store, settings, ["replay-not-a-feed"], run_id="local-page-2")  # a CLI pass: no Airflow log
    client = TestClient(create_app(settings))
    rows = {r["feed_id"]: r for r in client.get("/api/feeds").json()}
    assert rows["replay-not-a-feed"]["status"] == "failing" and rows["replay-quebec"]["status"] == "ok"
    assert rows["replay-canada"]["status"] == "new"
    page = client.get("/").text
    assert "<tr class='failing' data-feed='replay-not-a-feed'>" in page and "1 failing" in page
    assert "an HTML page was served where a feed was expected" in page
    assert 'http-equiv="refresh"' in page and "prefers-color-scheme: dark" in page  # refreshes, light and dark
    assert " UTC</td>" in page  # times say their zone
    row = page[page.index("data-feed='replay-quebec'"):].split("</tr>")[0]
    assert 'href="http://replay.newswatch.invalid/feeds/quebec.rss"' in row  # the feed itself
    assert 'href="/dags/newswatch_poll/runs/manual__page"' in row and 'target="_top"' in row  # its last poll's log
    cli = page[page.index("data-feed='replay-not-a-feed'"):].split("</tr>")[0]
    assert "last poll log" not in cli  # a pass run from the CLI has no Airflow page to link to
    assert "/app/discover#" in row and "feed_id:%22replay-quebec%22" in row  # its stories in Kibana
    # the events view and surges timeline, of this deployment's index prefix (the objects `kibana-setup` imports)
    assert f"/app/dashboards#/view/{settings.index_prefix}-what-is-happening" in page
    assert f"dataViewId:'{settings.index_prefix}-stories'" in unquote(page)


def long_history(feed_id: str, polls: int, start: datetime) -> list[PollRecord]:
    """A busy feed polled every 15 minutes: new items hourly, a failure now and then, latencies that vary."""
    out, failures = [], 0
    for n in range(polls):
        failed = n % 97 == 13 or n >= polls - 2 and feed_id.endswith("broken")
        failures = failures + 1 if failed else 0
        out.append(PollRecord(feed_id=feed_id, time=start + timedelta(minutes=15 * n),
                              outcome="error" if failed else "ok", latency=0.1 + (n % 7) / 10,
                              new_items=0 if failed or n % 4 else 1 + n % 3, consecutive_failures=failures,
                              error_class="http_500" if failed else None, error_message="HTTP 500" if failed else None,
                              run_id=f"run-{n}"))
    return out


def test_the_page_reads_a_bounded_summary_not_the_history(store, settings, tmp_path):
    """Three weeks of polls every 15 minutes: the page asks the node once for feed health, and what
    comes back is bounded per feed, whatever the length of the history; the verdicts are those of the
    whole history."""
    from pipeline.ops.health_app import feed_status

    at = datetime.now(UTC).replace(microsecond=0)
    ids = ["busy", "busy-broken", "quiet"]
    histories = {fid: long_history(fid, 2000, at - timedelta(minutes=15 * 2000)) for fid in ids[:2]}
    histories["quiet"] = long_history("quiet", 40, at - timedelta(days=20))  # then nothing for days
    store.record_polls(r for history in histories.values() for r in history)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n" + "".join(f"  - {{id: {fid}, url: 'http://h.example/{fid}', outlet: O, "
                                          "language: en, country: CA}\n" for fid in ids))
    settings = settings.replace(feeds_file=feeds, source="live")

    searches: list[dict] = []
    search = store.client.search

    def counted(**kwargs):
        found = search(**kwargs)
        searches.append(found.body)
        return found

    store.client.search = counted
    rows = {r["feed_id"]: r for r in feed_status(store, settings)}
    del store.client.search

    def hits(node: object) -> int:  # every document the node sent back, inner hits included
        if isinstance(node, dict):
            own = len(node["hits"]["hits"]) if isinstance(node.get("hits"), dict) else 0
            return own + sum(hits(v) for k, v in node.items() if k != "hits")
        return sum(hits(v) for v in node) if isinstance(node, list) else 0

    assert len(searches) <= 2, len(searches)  # feed health and freshness, one request each
    assert sum(hits(body) for body in searches) <= len(ids) * 120, [hits(body) for body in searches]
    config = settings.health
    for fid in ids:
        whole = classify(fid, [p for p in histories[fid] if p.time >= at - timedelta(days=config.history_days)], at,
                         config)
        shown = rows[fid]
        assert (shown["status"], shown["reason"], shown["last_success"], shown["last_new_item"]) == \
            (whole.status, whole.reason, whole.last_success, whole.last_new_item), fid
        assert shown["usual_gap_hours"] == whole.usual_gap_hours and shown["median_latency"] == whole.median_latency
        assert [tuple(d) for d in shown["new_per_day"]] == whole.new_per_day and shown["last_run_id"] == whole.last_run_id
    assert rows["busy"]["status"] == "ok" and rows["busy-broken"]["status"] == "failing"
    assert rows["quiet"]["status"] == "silent"


def test_a_shard_naming_a_feed_removed_since_polls_the_others(store, settings, web, tmp_path, caplog):
    """A shard is planned before a deploy removes a feed: every retry of the shard failed on the one id."""
    from pipeline.errors import ConfigError

    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text((REPLAY_DIR / "feeds.yaml").read_text())
    settings = replay_settings(settings, web.url, feeds_file)
    with pytest.raises(ConfigError, match="unknown feed ids: replay-removed"):
        poll_feeds(store, settings, ["replay-canada", "replay-removed"], run_id="manual")
    report = poll_feeds(store, settings, ["replay-canada", "replay-removed"], run_id="manual", unknown_ids="skip")
    assert [f.feed_id for f in report.feeds] == ["replay-canada"] and report.feeds[0].outcome == "ok"
    assert "replay-removed" in caplog.text


def test_a_dns_failure_on_the_server_judges_the_real_feeds_not_the_replay(store, settings, tmp_path):
    """Under `auto` (the default) the feed list was the one `newswatch poll` would pick: the bundled replay when
    the feed hosts do not resolve. A DNS failure on the api-server showed replay feeds only, and the daily check
    judged those ("new") while every real feed failed."""
    from pipeline.ops.health_app import feed_status

    real = {"wire": "http://wire.newswatch-prod.invalid/rss", "weekly": "http://weekly.newswatch-prod.invalid/rss"}
    settings = settings.replace(feeds_file=write_feeds(tmp_path, real), source="auto", operator_subscription="")
    at = datetime.now(UTC)
    store.record_polls(PollRecord(feed_id=fid, time=at - timedelta(minutes=m), outcome="error", error_class="dns",
                                  error_message="name does not resolve", consecutive_failures=3 - m)
                       for fid in real for m in (2, 1))
    rows = {r["feed_id"]: r["status"] for r in feed_status(store, settings)}
    assert rows == {"wire": "failing", "weekly": "failing"}
    daily = check_and_report(store, settings)
    assert daily.counts["failing"] == 2 and daily.counts["new"] == 0
    assert "wire" in daily.listing and "replay-" not in daily.listing
