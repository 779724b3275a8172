"""Index templates and idempotent writes against the real Elasticsearch node."""

from pipeline.index import alias, bulk_write, ensure_indices, existing_ids, load_feed_states, save_feed_states
from pipeline.feeds import FeedState


def test_ensure_indices_is_idempotent_and_mappings_fit_kibana(es, prefix):
    ensure_indices(es, prefix)
    ensure_indices(es, prefix)
    assert sorted(es.indices.get_alias(name=alias(prefix, "stories")).body) == [f"{prefix}-stories-000001"]
    props = es.indices.get_mapping(index=alias(prefix, "stories")).body[f"{prefix}-stories-000001"]["mappings"]["properties"]
    assert props["outlet"]["type"] == "keyword" and props["text"]["type"] == "text"
    assert props["published"]["type"] == "date" and props["persons"]["type"] == "keyword"
    quotes = es.indices.get_mapping(index=alias(prefix, "quotes")).body[f"{prefix}-quotes-000001"]["mappings"]
    assert quotes["properties"]["speaker_canonical"]["type"] == "keyword"


def test_bulk_write_twice_leaves_one_document(es, prefix):
    ensure_indices(es, prefix)
    doc = {"quote_id": "s1-000", "story_id": "s1", "quote": "We will", "speaker_canonical": "Justin Trudeau"}
    bulk_write(es, prefix, "quotes", [("s1-000", doc)])
    bulk_write(es, prefix, "quotes", [("s1-000", doc)])
    assert es.count(index=alias(prefix, "quotes"))["count"] == 1
    assert existing_ids(es, prefix, "quotes", ["s1-000", "other"]) == {"s1-000"}


def test_strict_mapping_refuses_unknown_fields(es, prefix):
    ensure_indices(es, prefix)
    written = bulk_write(es, prefix, "quotes", [("x", {"quote_id": "x", "surprise": 1})])
    assert written == 0


def test_feed_state_round_trip(es, prefix):
    ensure_indices(es, prefix)
    from datetime import datetime, timezone

    when = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    save_feed_states(es, prefix, [FeedState("cbc", etag='"abc"', last_polled=when, consecutive_failures=2,
                                            last_error="HTTP 500", last_error_kind="http_500")])
    state = load_feed_states(es, prefix, ["cbc", "missing"])["cbc"]
    assert state.etag == '"abc"' and state.last_polled == when and state.consecutive_failures == 2
