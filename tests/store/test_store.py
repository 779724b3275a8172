"""The store against the real Elasticsearch node: templates, idempotent writes, typed round trips."""

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.errors import StoreError, StoreUnavailable
from pipeline.redact import redact
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.documents import INDEXED, FeedState, PollRecord, mapping_of


def test_ensure_is_idempotent_and_mappings_fit_kibana(es, store, prefix):
    store.ensure()
    store.ensure()
    assert sorted(es.indices.get_alias(name=store.index("stories")).body) == [f"{prefix}-stories-000001"]
    props = es.indices.get_mapping(index=store.index("stories")).body[f"{prefix}-stories-000001"]["mappings"]["properties"]
    assert props["outlet"]["type"] == "keyword" and props["text"]["type"] == "text"
    assert props["published"]["type"] == "date" and props["persons"]["type"] == "keyword"
    quotes = es.indices.get_mapping(index=store.index("quotes")).body[f"{prefix}-quotes-000001"]["mappings"]
    assert quotes["properties"]["speaker_canonical"]["type"] == "keyword"


def test_live_mappings_are_the_ones_derived_from_the_models(store):
    for kind, model in INDEXED.items():
        live = store.live_mapping(kind)
        derived = mapping_of(model)
        assert live["dynamic"] == "strict"
        assert set(live["properties"]) == set(derived["properties"]), kind
        for name, spec in derived["properties"].items():
            assert live["properties"][name].get("type", "object") == spec.get("type", "object"), (kind, name)


def test_a_mapping_refused_part_way_is_tried_again_by_the_next_open(store, es, monkeypatch):
    """The templates were stamped before the live indices took their mappings: an update cut short at the last
    kind was never tried again, and its strict index refused every write of the new field."""
    from elasticsearch import ConnectionTimeout

    kind = list(INDEXED)[-1]
    alias = store.index(kind)
    es.indices.delete(index=f"{alias}-000001")  # the live index of a release before: one field fewer
    derived = mapping_of(INDEXED[kind])
    missing = sorted(derived["properties"])[-1]
    older = {"dynamic": "strict", "properties": {k: v for k, v in derived["properties"].items() if k != missing}}
    store.put_template(kind, older, "a release before")  # the template it was made from
    es.indices.create(index=f"{alias}-000001", aliases={alias: {"is_write_index": True}})
    assert missing not in store.live_mapping(kind)["properties"]
    real = store.client.indices.put_mapping

    def refused_for_the_last(**kwargs):
        if kwargs["index"] == alias:
            raise ConnectionTimeout("timed out")
        return real(**kwargs)

    monkeypatch.setattr(store.client.indices, "put_mapping", refused_for_the_last)
    with pytest.raises(StoreError):
        store.ensure()
    monkeypatch.undo()
    store.ensure()
    assert missing in store.live_mapping(kind)["properties"]


def test_a_mapping_refused_for_good_is_said_once_and_tasks_go_on(store, es):
    """A field whose type changed is refused with a 400 every time: left unstamped, every task's open failed."""
    kind = list(INDEXED)[-1]
    alias = store.index(kind)
    es.indices.delete(index=f"{alias}-000001")
    derived = mapping_of(INDEXED[kind])
    name = next(k for k, v in sorted(derived["properties"].items()) if v.get("type") == "keyword")
    older = {"dynamic": "strict", "properties": {**derived["properties"], name: {"type": "long"}}}
    store.put_template(kind, older, "a release before")
    es.indices.create(index=f"{alias}-000001", aliases={alias: {"is_write_index": True}})
    with pytest.raises(StoreError, match=f"newswatch reindex {kind}"):
        store.ensure()  # said once, by the open that met it
    assert store.live_mapping(kind)["properties"][name]["type"] == "long"
    assert store._up_to_date(store._desired()[1])  # the next task's open costs two requests again


def test_bulk_write_twice_leaves_one_document(store):
    doc = {"quote_id": "s1-000", "story_id": "s1", "quote": "We will", "speaker_canonical": "Justin Trudeau"}
    store.write("quotes", [("s1-000", doc)])
    store.write("quotes", [("s1-000", doc)])
    assert store.count("quotes") == 1
    assert store.existing_ids("quotes", ["s1-000", "other"]) == {"s1-000"}


def test_strict_mapping_refuses_unknown_fields(store):
    written = store.write("quotes", [("x", {"quote_id": "x", "surprise": 1})])
    assert written.ok == 0
    assert "strict_dynamic_mapping" in written.rejected["x"]


def test_feed_state_round_trip(store):
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    store.save_feed_states([FeedState(feed_id="cbc", etag='"abc"', last_polled=when, consecutive_failures=2,
                                      last_error="HTTP 500", last_error_kind="http_500")])
    states = store.feed_states(["cbc", "missing"])
    assert set(states) == {"cbc"}
    state = states["cbc"]
    assert state.etag == '"abc"' and state.last_polled == when and state.consecutive_failures == 2


def test_long_histories_are_paged_not_capped(store):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    records = [PollRecord(feed_id="busy", time=start + timedelta(minutes=i), outcome="ok") for i in range(2500)]
    assert store.record_polls(records).ok == 2500
    history = store.poll_history(["busy", "idle"], start, start + timedelta(days=10))
    assert len(history["busy"]) == 2500 and history["idle"] == []
    assert [r.time for r in history["busy"]] == sorted(r.time for r in records)


def test_unreachable_node_is_one_clear_error_without_credentials():
    from pipeline.local.es_node import free_port

    settings = Settings(es_url=f"http://admin:s3cret@127.0.0.1:{free_port()}", index_prefix="x")
    with pytest.raises(StoreUnavailable) as err:
        Store.open(settings)
    assert "s3cret" not in str(err.value) and "did not answer" in str(err.value)
    assert redact("https://u:p@host:9200/x") == "https://***@host:9200/x"


def test_a_wire_storys_copies_are_read_one_page_deep_and_without_their_text(store):
    """An alert names a story's other outlets: a cluster of 120 copies was read whole, text and all, for each."""
    now = datetime.now(UTC)
    store.write("stories", ((f"c{n}", {"story_id": f"c{n}", "cluster_id": "wire", "outlet": f"Outlet {n}",
                                       "text": "A long wire story. " * 200, "ingested": (now + timedelta(seconds=n)).isoformat()})
                            for n in range(120)))
    searches = []
    real = store.client.search

    def counted(**kwargs):
        searches.append(kwargs)
        return real(**kwargs)

    store.client.search = counted
    try:
        members = store.cluster_members("wire", limit=50)
    finally:
        store.client.search = real
    assert [m["story_id"] for m in members] == [f"c{n}" for n in range(50)]
    assert len(searches) == 1 and all("text" not in m for m in members)


def test_a_stored_document_its_model_cannot_read_is_left_out_not_fatal(store, es, caplog):
    """A story edited by hand in Kibana (no login there), or a value an older version wrote, stopped every stage
    that scans the index: enrichment, alerts and events stalled behind one document."""
    when = "2024-05-01T10:00:00+00:00"
    doc = {"quote_id": "s1-000", "story_id": "s1", "quote": "We will", "speaker": "Trudeau", "speaker_canonical":
           "Justin Trudeau", "verb": "said", "kind": "direct", "start": 0, "end": 9, "outlet": "X", "feed_id": "f",
           "language": "en", "published": when, "ingested": when, "title": "T", "url": "https://x.example/1", "run_id": "r"}
    store.write("quotes", [("s1-000", doc), ("s1-001", doc | {"quote_id": "s1-001"})])
    es.index(index=store.index("quotes"), id="s1-002", document=doc | {"quote_id": "s1-002", "start": None},
             refresh=True)  # a value the index takes and the model does not
    found = list(store.scan("quotes", {"match_all": {}}, sort=[{"quote_id": "asc"}]))
    assert [q.quote_id for q in found] == ["s1-000", "s1-001"]
    assert sorted(store.get_many("quotes", ["s1-000", "s1-002", "s1-001"])) == ["s1-000", "s1-001"]
    assert "quotes/s1-002 left out" in caplog.text
    with pytest.raises(StoreError, match=r"quotes/s1-002 is not a QuoteDoc this version can read"):
        store.get("quotes", "s1-002")  # by id: not "missing", which a caller would write a fresh one over
    es.index(index=store.index("feeds"), id="f1", document={"feed_id": "f1", "consecutive_failures": None}, refresh=True)
    merged: list[object] = []
    store.save_feed_states([FeedState(feed_id="f1", items_seen=3)],
                           merge=lambda new, stored: merged.append(stored) or new)  # read as absent, written over
    assert merged == [None] and store.get("feeds", "f1").items_seen == 3
