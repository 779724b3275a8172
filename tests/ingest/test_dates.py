"""No made-up dates: a feed item without a date takes its page's own date, else stays "date unknown"."""

from __future__ import annotations

from pipeline.ingest.poll import poll_feeds
from pipeline.local.replay import REPLAY_DIR, ReplayServer
from pipeline.ops.search import as_json, format_hit
from pipeline.settings import FetchSettings
from pipeline.store import Page
from tests.support import write_feeds

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><link>{base}/</link>
<description>d</description>
<item><title>Safe third country: asylum seekers at the border</title><link>{base}/html/aeb__5f9c5ed5d6.html</link>
<guid>dated-page</guid><description>Asylum seekers and the safe third country agreement.</description></item>
<item><title>Asylum seekers: the RCMP dismantles its Roxham Road post</title><link>{base}/pages/026.html</link>
<guid>undated-page</guid><description>Asylum seekers, the safe third country agreement and Roxham Road.</description></item>
</channel></rss>
"""


def test_an_undated_item_takes_its_pages_date_or_stays_unknown(store, settings, shared_data, tmp_path):
    with ReplayServer(tmp_path, shared_data, REPLAY_DIR) as server:
        (tmp_path / "undated.rss").write_text(FEED.format(base=server.url))
        feeds = write_feeds(tmp_path, {"undated": f"{server.url}/undated.rss"})
        polled = settings.replace(feeds_file=feeds, fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
        report = poll_feeds(store, polled, ["undated"], run_id="dates")
    assert report.indexed == 2, report.feeds
    stories = {s.url.rsplit("/", 1)[-1]: s for s in store.scan("stories", {"match_all": {}}, [{"story_id": "asc"}])}
    dated, undated = stories["aeb__5f9c5ed5d6.html"], stories["026.html"]
    assert dated.date_source == "page" and dated.published.date().isoformat() == "2019-11-20"  # the page's own date
    assert undated.date_source == "unknown" and undated.published == undated.first_seen  # ordering only
    shown = format_hit(Page(undated, {}, []))
    assert shown.startswith("date unknown (first seen ") and "2019-01-01" not in shown
    assert as_json(Page(undated, {}, []))["published"] is None
    assert format_hit(Page(dated, {}, [])).startswith("2019-11-20")


def test_the_replay_invents_no_dates():
    for feed in (REPLAY_DIR / "feeds").glob("*.rss"):
        assert "01 Jan 2019 00:00:00" not in feed.read_text(), feed


def test_a_pages_stated_time_and_offset_are_kept():
    from datetime import UTC, datetime

    from pipeline.ingest.articles import page_date

    evening = b'<html><head><meta property="article:published_time" content="2022-03-01T21:30:00-05:00"></head></html>'
    assert page_date(evening) == datetime(2022, 3, 2, 2, 30, tzinfo=UTC)  # not 2022-03-01 00:00 UTC
    day_only = b'<html><head><meta name="date" content="2022-03-01"></head></html>'
    assert page_date(day_only) == datetime(2022, 3, 1, tzinfo=UTC)


def test_a_story_dated_by_its_page_day_alone_counts_when_first_seen():
    from datetime import UTC, datetime

    from pipeline.events.live import story_item
    from pipeline.store.documents import Story

    story = Story(story_id="s", url="u", canonical_url="u", feed_id="f", outlet="o", language="en", country="GB",
                  title="t", published=datetime(2022, 3, 1, tzinfo=UTC), date_source="page", run_id="r",
                  ingested=datetime(2022, 3, 1, 23, 40, tzinfo=UTC), first_seen=datetime(2022, 3, 1, 23, 35, tzinfo=UTC))
    assert story_item(story)["published"] == datetime(2022, 3, 1, 23, 35, tzinfo=UTC)
    stated = story.model_copy(update={"published": datetime(2022, 3, 1, 21, 0, tzinfo=UTC)})
    assert story_item(stated)["published"] == datetime(2022, 3, 1, 21, 0, tzinfo=UTC)  # a stated time stands
    stale = story.model_copy(update={"first_seen": datetime(2022, 3, 9, tzinfo=UTC)})  # found a week later
    assert story_item(stale)["published"] == datetime(2022, 3, 1, tzinfo=UTC)
