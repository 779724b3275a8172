"""A whole poll pass through the real node and a real local HTTP server with real captured feeds."""

from pathlib import Path

import pytest
import yaml

from pipeline.config import load_feeds
from pipeline.ingest.poll import due_feeds, poll_feeds
from pipeline.local.replay import REPLAY_DIR
from pipeline.nlp.enrich import enrich_stories
from tests.support import replay_settings


def write_feeds(tmp_path: Path, web_url: str) -> Path:
    """The bundled replay feeds plus real broken and off-topic feeds, all served by the local server."""
    feeds = yaml.safe_load((REPLAY_DIR / "feeds.yaml").read_text())["feeds"]
    feeds = [f for f in feeds if f["id"] in {"replay-canada", "replay-quebec", "replay-world"}]
    feeds.append({"id": "techcrunch", "url": f"{web_url}/feeds/feedjira__TechCrunch.xml", "outlet": "TechCrunch",
                  "language": "en", "country": "US", "fetch_pages": "never"})
    feeds.append({"id": "broken", "url": f"{web_url}/feeds/feedrs__rss_2.0_invalid_1.xml", "outlet": "Broken",
                  "language": "en", "country": "US"})
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump({"feeds": feeds}))
    return path


@pytest.mark.slow
def test_poll_pass_indexes_on_topic_stories_once(es, store, settings, web, tmp_path):
    feeds_file = write_feeds(tmp_path, web.url)
    settings = replay_settings(settings, web.url, feeds_file)
    ids = [f.id for f in load_feeds(feeds_file)]
    report = poll_feeds(store, settings, ids, run_id="test-run")
    counts = report.counts()
    enriched = enrich_stories(store, settings)
    counts["quotes_indexed"] = enriched.quotes  # the CLI adds enrichment to the pass summary the same way
    assert enriched.stories == counts["stories_indexed"]
    by_feed = {f.feed_id: f for f in report.feeds}

    assert by_feed["broken"].outcome == "error" and by_feed["broken"].error.startswith("malformed_xml")
    assert by_feed["techcrunch"].outcome == "ok" and by_feed["techcrunch"].items > 0
    assert by_feed["techcrunch"].matched == 0  # off-topic feed: nothing goes further
    assert by_feed["replay-canada"].new >= 10 and by_feed["replay-quebec"].new == 4
    assert counts["stories_indexed"] == sum(f.new for f in report.feeds) > 0

    stories = f"{settings.index_prefix}-stories"
    quotes = f"{settings.index_prefix}-quotes"
    es.indices.refresh(index=[stories, quotes])
    n_stories = es.count(index=stories)["count"]
    n_quotes = es.count(index=quotes)["count"]
    assert n_stories == counts["stories_indexed"] and n_quotes == counts["quotes_indexed"] > 0

    seed = es.search(index=stories, query={"match_phrase": {"title": "Safe Third Country"}})["hits"]["hits"]
    seed = next(h["_source"] for h in seed if "inches closer" in h["_source"]["title"])
    assert seed["text_source"] == "page" and "Story continues below" not in seed["text"]
    assert "utm_source" not in seed["canonical_url"]
    assert "Justin Trudeau" in seed["quoted"] and "Justin Trudeau" in seed["persons"]
    assert seed["topics"] == ["asylum-border"] and "safe third country" in seed["matched_terms"]
    assert seed["run_id"] == "test-run"
    trudeau = es.search(index=quotes, query={"term": {"speaker_canonical": "Justin Trudeau"}})["hits"]["hits"]
    assert any(h["_source"]["story_id"] == seed["story_id"] and h["_source"]["outlet"] for h in trudeau)

    off_topic = es.search(index=stories, query={"match": {"title": "hibernating astronauts"}})["hits"]["total"]["value"]
    assert off_topic == 0  # the CTV science story in the world feed is not kept

    state = es.get(index=f"{settings.index_prefix}-feeds", id="broken")["_source"]
    assert state["consecutive_failures"] == 1 and state["last_error_kind"] == "malformed_xml"

    again = poll_feeds(store, settings, ids, run_id="test-run-2").counts()
    assert enrich_stories(store, settings).stories == 0  # nothing waits: every story was enriched once
    es.indices.refresh(index=[stories, quotes])
    assert again["stories_indexed"] == 0
    assert es.count(index=stories)["count"] == n_stories and es.count(index=quotes)["count"] == n_quotes
    state = es.get(index=f"{settings.index_prefix}-feeds", id="broken")["_source"]
    assert state["consecutive_failures"] == 2

    # nothing is due right after a poll; everything is when forced
    assert due_feeds(store, settings) == []
    assert due_feeds(store, settings, force=True) == ids
