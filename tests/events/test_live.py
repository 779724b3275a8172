"""The live events stage against the real node: stories placed once, documents rebuilt once, surges in the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.events.features import parse_time, story_features
from pipeline.events.live import STATE_KEY, dump_monitor, load_monitor, story_entities, story_item, track_events
from pipeline.ingest.stories import search_words
from pipeline.store.documents import GeoPlace, Story
from tests.events.conftest import item_entities, synthetic_items
from tests.support import answers_lost


def kept_stories() -> list[Story]:
    """The synthetic stream's kept stories as enrichment leaves them in the index (the only ones stored)."""
    items, topics = synthetic_items()
    out = []
    for it in items:
        if not topics[it["id"]]:
            continue
        found = item_entities(it)
        out.append(Story(
            story_id=it["id"], url=f"https://news.example/{it['id']}", canonical_url=f"https://news.example/{it['id']}",
            feed_id="f", outlet=it["outlet"], language="en", country="GB", title=it["title"], summary=it["summary"],
            text=it["summary"], published=it["published"], ingested=it["published"], run_id="r",
            topics=topics[it["id"]], enriched=True, cluster_id=it["id"],
            search_terms=search_words(it["title"], it["summary"]),
            entities=[{"text": n, "label": k, "canonical": n, "start": 0, "end": 0} for k, n in found],
            persons=[n for k, n in found if k == "person"], places=[n for k, n in found if k == "place"],
            geo_places=[GeoPlace(text=n, name=n, kind="country") for k, n in found if k == "place"]))
    return out


def test_events_and_surges_take_the_storys_people_and_its_resolved_places():
    """Not the model's raw tags: a road tagged a person, a surname and a headline's first word tagged places."""
    raw = [("person", "Chemin Roxham"), ("person", "Femi Biobaku"), ("place", "Biobaku"), ("place", "Influx"),
           ("place", "chemin Roxham"), ("organization", "Matthew House")]
    story = Story(story_id="s", url="u", canonical_url="u", feed_id="f", outlet="CBC", language="en", country="CA",
                  title="Influx of asylum claimants", published="2023-05-13T10:00:00+00:00",
                  ingested="2023-05-13T10:00:00+00:00", run_id="r", enriched=True, persons=["Femi Biobaku"],
                  entities=[{"text": n, "label": k, "canonical": n, "start": 0, "end": 0} for k, n in raw],
                  geo_places=[GeoPlace(text="chemin Roxham", name="Roxham Road", kind="road")])
    assert story_entities(story) == [("person", "Femi Biobaku"), ("organization", "Matthew House"),
                                     ("place", "Roxham Road")]


def zorland(stories: list[Story]) -> list[str]:
    return [s.story_id for s in stories if "Zorland" in s.title or "Varga" in s.title]


def test_an_event_split_across_two_batches_is_one_event_and_a_rerun_writes_nothing(store, settings, es):
    stories = kept_stories()
    burst = zorland(stories)
    cut = next(i for i, s in enumerate(stories) if s.story_id == burst[4])
    store.write_stories(stories[:cut])
    first = track_events(store, settings)
    assert first.placed == cut
    store.write_stories(stories[cut:])
    second = track_events(store, settings)
    assert second.placed == len(stories) - cut

    placed = store.stories(s.story_id for s in stories)
    events = {placed[i].event_id for i in burst}
    assert len(events) == 1 and None not in events
    event_id = events.pop()
    doc = store.get("events", event_id)
    assert doc.reports == len(burst) and sorted(doc.story_ids) == sorted(burst)
    assert doc.level == "event" and doc.storyline_id == placed[burst[0]].storyline_id
    assert set(doc.outlets) == {placed[i].outlet for i in burst} and doc.outlet_count == len(doc.outlets)
    assert "Zorland" in doc.places and "Varga" in doc.persons
    assert sum(day["reports"] for day in doc.timeline) == len(burst)
    line = store.get("events", doc.storyline_id)
    assert line.level == "storyline" and event_id in line.event_ids
    version = es.get(index=f"{settings.index_prefix}-events", id=event_id)["_version"]

    again = track_events(store, settings)
    assert again.placed == 0 and again.events == 0
    assert es.get(index=f"{settings.index_prefix}-events", id=event_id)["_version"] == version
    assert store.count("events", {"term": {"level": "event"}}) == len({s.event_id for s in placed.values()})


def test_a_run_that_died_after_saving_its_state_is_finished_by_the_next(store, settings):
    """The state holds the stories but they never got their ids: the next run writes the same ids, once."""
    stories = kept_stories()
    store.write_stories(stories)
    monitor = load_monitor({})
    reference = monitor.process_stories([story_features(story_item(s), story_entities(s)) for s in stories],
                                        {s.story_id: s.topics for s in stories})
    state = dump_monitor(monitor) | {"pending": {p.id: [p.event, p.storyline] for p in reference}}
    store.save_monitor_state(STATE_KEY, state, len(reference), None)

    report = track_events(store, settings)
    assert report.placed == len(stories)
    placed = store.stories(s.story_id for s in stories)
    assert {p.id: p.event for p in reference} == {i: s.event_id for i, s in placed.items()}
    saved, count, _ = store.monitor_state(STATE_KEY)
    assert count == len(stories)  # placed once: the second run only wrote what the first had decided
    groups = load_monitor(saved).groups
    ids = [i for e in groups.events.values() for i in e.story_ids]
    assert len(ids) == len(set(ids))
    doc = store.get("events", placed[zorland(stories)[0]].event_id)
    assert len(doc.story_ids) == len(set(doc.story_ids)) == doc.reports


def test_a_run_that_died_after_writing_ids_writes_its_documents_in_the_next_run(store, settings, es):
    """Step 3 fails (the events index refuses writes): the stories have their ids, the events and the surge
    have no documents; the next run, with no new story, writes them all from the saved state, once."""
    from pipeline.errors import WritesBlocked

    stories = kept_stories()
    store.write_stories(stories)
    events_index = f"{settings.index_prefix}-events"
    es.indices.put_settings(index=events_index, settings={"index.blocks.read_only": True})
    try:
        with pytest.raises(WritesBlocked):
            track_events(store, settings)
    finally:
        es.indices.put_settings(index=events_index, settings={"index.blocks.read_only": None})
    placed = store.stories(s.story_id for s in stories)
    assert all(s.event_id and s.storyline_id for s in placed.values())
    assert store.count("events", {"match_all": {}}) == 0 and not store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))

    report = track_events(store, settings)
    assert report.raised  # first written now: the alerts DAG, which runs on this count, must hear of them
    assert report.events == len({s.event_id for s in placed.values()})
    assert store.count("events", {"term": {"level": "event"}}) == report.events
    burst_event = store.get("events", placed[zorland(stories)[0]].event_id)
    assert burst_event.reports == len(zorland(stories)) and burst_event.storyline_id
    assert not burst_event.title.startswith("s0")  # the group's chosen title, not a story id
    assert store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))
    saved, count, _ = store.monitor_state(STATE_KEY)
    assert count == len(stories) and not saved.get("pending") and not saved.get("dirty")
    assert track_events(store, settings).placed == 0  # nothing left to finish


def placed_through_the_burst(store, settings) -> tuple[list[Story], int, list]:
    """The stories up to the burst's last placed in one pass: the stories, the last one's index, the open surges."""
    stories = kept_stories()
    burst = zorland(stories)
    last = max(i for i, s in enumerate(stories) if s.story_id in burst)
    store.write_stories(stories[: last + 1])
    track_events(store, settings)
    opened = store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert opened and all(s.end is None for s in opened)
    return stories, last, opened


def stored_closed(store, opened) -> bool:
    stored = {s.surge_id: s for s in store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))}
    return all(s.surge_id in stored and stored[s.surge_id].end is not None for s in opened)


def test_a_surge_that_closes_in_a_later_batch_is_stored_closed(store, settings):
    stories, last, opened = placed_through_the_burst(store, settings)
    store.write_stories(stories[last + 1:])  # four more days of quiet coverage: the burst cools down
    track_events(store, settings)
    assert stored_closed(store, opened)


def test_a_surge_that_closes_after_a_quiet_week_is_stored_closed_before_the_state_forgets_it(store, settings):
    stories, last, opened = placed_through_the_burst(store, settings)
    week_later = stories[last].published + timedelta(days=9)
    store.write_stories([stories[last + 1].model_copy(update={  # the next story only nine days on: closed and
        "story_id": "quiet-week", "cluster_id": "quiet-week", "published": week_later, "ingested": week_later})])
    track_events(store, settings)  # older than the state's week, in one pass
    assert stored_closed(store, opened)


def test_the_burst_surges_in_its_own_batch_and_quiet_series_do_not(store, settings):
    stories = kept_stories()
    burst = zorland(stories)
    crossing = None
    for i, story in enumerate(stories):  # one story a batch: the surge must appear in the batch that crossed
        store.write_stories([story])
        report = track_events(store, settings)
        if report.raised and crossing is None:
            crossing = i
            assert story.story_id in burst
            surge = store.get("surges", report.raised[0])
            assert story.story_id in surge.story_ids and surge.count >= 3 and surge.expected < surge.count
    assert crossing is not None, "the ten-story burst raised no surge"
    surges = store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert surges and all(set(s.story_ids) <= set(burst) for s in surges)
    assert not [s for s in surges if any(p in s.key.lower() for p in ("calvera", "ostrania", "belmont", "kessel"))]
    assert all(parse_time(s.start.isoformat()) <= parse_time(s.peak.isoformat()) for s in surges)


def test_undated_stories_are_placed_but_raise_no_surge(store, settings):
    """A feed with no dates, polled for the first time: its backlog is all "published" when first seen."""
    stories = [s.model_copy(update={"date_source": "unknown"}) for s in kept_stories()]
    store.write_stories(stories)
    report = track_events(store, settings)
    assert report.placed == len(stories) and not report.raised
    assert not store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("kind", ["event", "storyline"])
def test_recent_groups_lists_the_most_reported_first(store, settings, kind):
    store.write_stories(kept_stories())
    track_events(store, settings)
    groups = store.recent_groups(kind, datetime(2000, 1, 1, tzinfo=UTC), size=5)
    assert groups and [g.stories for g in groups] == sorted((g.stories for g in groups), reverse=True)


def test_analysts_see_events_in_the_cli_and_search_folds_by_event(store, settings, monkeypatch, capsys):
    import json

    from pipeline.cli import main
    from pipeline.ops.search import search_stories

    stories = kept_stories()
    store.write_stories(stories)
    track_events(store, settings)
    store.refresh("stories", "events")
    monkeypatch.setenv("NEWSWATCH_ES_URL", settings.es_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", settings.index_prefix)

    assert main(["events", "--json", "--days", "7"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    burst = [r for r in rows if r["level"] == "event" and "Zorland" in r["places"]]
    assert burst and burst[0]["reports"] == len(zorland(stories))
    assert all(r["last_seen"] >= "2023-05-13" for r in rows)  # the 7 days to the index's newest news

    assert main(["events", "--days", "7"]) == 0
    text = capsys.readouterr().out
    assert f"{len(zorland(stories))} reports from 3 outlets" in text

    hits = search_stories(store, "Zorland", size=10)
    by_story = search_stories(store, "Zorland", size=10, by_event=False)
    assert len(hits) == 1 < len(by_story)
    assert hits[0].event.reports == len(zorland(stories)) and hits[0].folded == len(by_story) - 1
    assert main(["search", "Zorland"]) == 0
    assert f"event: {len(zorland(stories))} reports from 3 outlets" in capsys.readouterr().out

    from pipeline.store.documents import SurgeDoc

    old = datetime(2020, 5, 1, tzinfo=UTC)  # a surge of 2020 written today (a replay): not this week's news
    store.write("surges", [("old", SurgeDoc(surge_id="old", topic="t", key="topic:t", kind="topic", label="t",
                                             start=old, peak=old, end=old + timedelta(days=1), score=3.0, count=5,
                                             expected=0.5, updated=store.now()))])
    store.refresh("surges")
    assert main(["surges", "--json", "--days", "7"]) in (0, 1)
    assert all(json.loads(line)["surge_id"] != "old" for line in capsys.readouterr().out.splitlines())
    with pytest.raises(SystemExit):  # a usage error, not Elasticsearch's "result window is too large" traceback
        main(["events", "--size", "20000"])
    assert "out of range" in capsys.readouterr().err


def test_a_storyline_past_ten_thousand_reports_is_counted_whole(store):
    """A search counts hits exactly only up to 10,000 unless asked (`track_total_hits`); a storyline open for
    a year passes that, and its document must not say 10,000."""
    many = 10_050
    base = datetime(2022, 1, 1, tzinfo=UTC)
    store.write("stories", ((f"s{n}", {"story_id": f"s{n}", "storyline_id": "sl-long", "cluster_id": f"s{n}",
                                       "published": (base + timedelta(minutes=n)).isoformat(), "outlet": "BBC",
                                       "topics": ["asylum"], "enriched": True}) for n in range(many)))
    [(found_id, found)] = store.summarise_groups("storyline", ["sl-long"]).items()
    assert found_id == "sl-long" and found["reports"] == many


def test_an_event_told_by_more_outlets_than_it_lists_counts_them_all(store):
    """The count was the length of the outlet list, a terms aggregation of 100 buckets: a story carried by 150
    outlets said "100 outlets"."""
    base = datetime(2022, 1, 1, tzinfo=UTC)
    store.write("stories", ((f"s{n}", {"story_id": f"s{n}", "event_id": "e-wide", "cluster_id": "wire",
                                       "published": (base + timedelta(minutes=n)).isoformat(), "outlet": f"Outlet {n}",
                                       "topics": ["asylum"], "enriched": True}) for n in range(150)))
    [(group_id, found)] = store.summarise_groups("event", ["e-wide"]).items()
    doc = store.group_doc("event", group_id, "Wire story", None, found)
    assert doc.outlet_count == 150 and len(doc.outlets) == 100


def test_one_run_at_a_time_places_stories_and_a_lapsed_lease_is_taken_over(store, settings):
    """Two runs at once (a poll from the command line beside the DAG's, a zombie task beside its retry) wrote
    documents from two states, the older over the newer: while one holds the lease the other places nothing."""
    from pipeline.events.live import LEASE, LEASE_KEY

    stories = kept_stories()
    store.write_stories(stories)
    assert store.hold_lease(LEASE_KEY, "another-run", store.now() + LEASE)
    assert track_events(store, settings).placed == 0
    assert all(s.event_id is None for s in store.stories(s.story_id for s in stories).values())
    assert store.hold_lease(LEASE_KEY, "another-run", store.now() - timedelta(seconds=1))  # it lapses (a killed run)
    assert track_events(store, settings).placed == len(stories)
    assert store.hold_lease(LEASE_KEY, "next-run", store.now() + LEASE)  # released when the run ended


def test_a_retry_of_the_same_task_takes_its_lease_back_and_does_the_work(store, settings):
    """A killed attempt's lease runs for half an hour: its retry, finding it held, returned nothing in green and
    the stories, their surges and alerts waited for a later run."""
    from pipeline.events.live import LEASE, LEASE_KEY, earlier_attempt

    stories = kept_stories()
    store.write_stories(stories)
    task = "newswatch_enrich/scheduled__2026-12-06/place_events"
    assert store.hold_lease(LEASE_KEY, f"{task}#1", store.now() + LEASE)  # the killed attempt's
    assert track_events(store, settings).placed == 0  # another run's: left to it
    assert track_events(store, settings, holder="other_dag/run/place_events#2").placed == 0  # not its own task
    assert store.hold_lease(LEASE_KEY, f"{task}#1", store.now() + LEASE)
    assert track_events(store, settings, holder=f"{task}#2").placed == len(stories)
    # an attempt Airflow gave up on but which runs on cannot take the lease back from its retry
    assert store.hold_lease(LEASE_KEY, f"{task}#2", store.now() + LEASE)
    assert not store.hold_lease(LEASE_KEY, f"{task}#1", store.now() + LEASE, supersedes=earlier_attempt(f"{task}#1"))
    # a lease written before holders carried their try (the deploy in between) is this task's earlier attempt too
    assert earlier_attempt(f"{task}#2")(task) and not earlier_attempt(f"{task}#2")("other_dag/run/place_events")


def test_a_retry_after_the_surges_were_written_still_reports_them_raised(store, settings, monkeypatch):
    """The attempt wrote its surges, then failed on the state's last save; the retry found them stored and
    reported none raised, so the alerts run, which goes by that count, could be skipped past the alerts' age."""
    from pipeline.errors import StoreError

    stories = kept_stories()
    store.write_stories(stories)
    real = type(store).save_monitor_state

    def last_save_fails(self, key, state, placed, version):
        if "pending" not in state:  # the final save, with nothing left to write
            raise StoreError("saving the events state", "the node went away")
        return real(self, key, state, placed, version)

    monkeypatch.setattr(type(store), "save_monitor_state", last_save_fails)
    with pytest.raises(StoreError):
        track_events(store, settings)
    assert store.surges_since(datetime(2000, 1, 1, tzinfo=UTC))  # written before the failure
    monkeypatch.undo()
    retry = track_events(store, settings)
    assert retry.raised and retry.placed == len(stories)
    assert not track_events(store, settings).raised  # reported until saved, then no more


def test_a_surge_of_a_very_long_name_gets_an_id_elasticsearch_takes():
    from pipeline.events.live import surge_id
    from pipeline.events.surges import Surge

    long_key = "organization:" + "Department of " * 60
    ids = {surge_id(Surge("asylum-border", key, "x", "2026-12-01T10:00:00+00:00", "2026-12-01T11:00:00+00:00", 3.0))
           for key in (long_key, long_key + "Health")}
    assert len(ids) == 2 and all(len(i.encode()) <= 512 for i in ids)
    short = Surge("asylum-border", "person:Ana Ruiz", "Ana Ruiz", "2026-12-01T10:00:00+00:00", "", 3.0)
    assert surge_id(short) == "asylum-border|person:Ana Ruiz|2026-12-01T10:00:00+00:00"  # as stored so far


def test_a_feed_that_gives_only_the_day_counts_the_story_when_it_was_first_seen():
    from pipeline.events.live import counted_at

    day = datetime(2026, 12, 1, tzinfo=UTC)
    seen = day + timedelta(hours=21)
    story = kept_stories()[0].model_copy(update={"published": day, "date_source": "feed", "first_seen": seen})
    assert counted_at(story) == seen  # not 21 hours early, in hour 0 of the profile
    timed = story.model_copy(update={"published": day + timedelta(hours=20, minutes=5)})
    assert counted_at(timed) == day + timedelta(hours=20, minutes=5)


def test_groups_whose_stories_have_no_title_are_named_by_a_summary_not_a_story_id(store, settings):
    """RSS items may have no title: the event's title is the start of its first summary, or "(untitled)"."""
    stories = [s.model_copy(update={"title": ""}) for s in kept_stories()]
    store.write_stories(stories)
    track_events(store, settings)
    placed = store.stories(s.story_id for s in stories)
    groups = {i for s in placed.values() for i in (s.event_id, s.storyline_id)}
    titles = {i: store.get("events", i).title for i in groups}
    assert all(title and title not in placed and not title.startswith("s0") for title in titles.values())
    burst = titles[placed[zorland(kept_stories())[0]].event_id]
    assert burst.startswith("Asylum seekers arriving without papers") and burst.endswith("…") and len(burst) <= 101
    from pipeline.events.live import UNTITLED, stand_in_title

    bare = stories[0].model_copy(update={"story_id": "bare", "summary": ""})
    store.write_stories([bare])
    assert stand_in_title(store, ["bare"]) == UNTITLED
    assert stand_in_title(store, ["bare", stories[0].story_id]) == stories[0].summary


def test_stories_to_place_are_read_without_what_placing_never_reads(store):
    """A backlog of 5,000 stories was read whole, quotes, MinHash and search terms included: hundreds of MB."""
    story = kept_stories()[0].model_copy(update={"minhash": list(range(128)), "quotes": [{"quote": "x" * 500}]})
    store.write_stories([story])
    [read] = store.unplaced_stories()
    assert read.story_id == story.story_id and read.text == story.text and read.entities == story.entities
    assert read.persons == story.persons and read.geo_places == story.geo_places and read.topics == story.topics
    assert read.quotes == [] and read.minhash == [] and read.search_terms == ""


@pytest.mark.parametrize("write", ["/_create/monitor-lease", "/_doc/monitor-lease"], ids=["take", "renewal"])
def test_a_lease_written_whose_answer_was_lost_is_this_runs_and_it_does_the_work(store, settings, write):
    """The client sends a write whose answer timed out again (`retry_on_timeout`); the node, which applied the
    first, refuses the second as taken: the run read its own lease as another's, placed nothing in green (or
    stopped as outrun at its first renewal), and its lease held every run back for half an hour."""
    from pipeline.events.live import LEASE, LEASE_KEY

    stories = kept_stories()
    store.write_stories(stories)
    with answers_lost(store.client, "PUT", write) as lost:
        report = track_events(store, settings)
    assert lost, "the lease's write was not retried"
    assert report.placed == len(stories)
    assert store.hold_lease(LEASE_KEY, "next-run", store.now() + LEASE)  # and given up at the end


def test_a_lease_left_by_a_take_that_failed_is_given_up(store, settings):
    """The take applied and every answer timed out: the run failed, and the lease it had written held the next
    runs back for half an hour; given up with the run, the retry does the work at once."""
    from pipeline.errors import StoreUnavailable
    from pipeline.events.live import LEASE_KEY

    stories = kept_stories()
    store.write_stories(stories)
    with answers_lost(store.client, "PUT", "/_create/monitor-lease", lost=99), pytest.raises(StoreUnavailable):
        track_events(store, settings)
    assert store.hold_lease(LEASE_KEY, "next-run", store.now() - timedelta(seconds=1))  # nobody holds it
    assert track_events(store, settings).placed == len(stories)
