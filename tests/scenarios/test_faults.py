"""Faults an operator meets: writes Elasticsearch refuses, a node that dies mid-pass, a node that is down."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import pytest

from pipeline.errors import StoreUnavailable, WritesBlocked
from pipeline.ingest.poll import poll_feeds, raise_for_rejected
from pipeline.nlp.enrich import enrich_stories
from pipeline.settings import PROJECT_ROOT, FetchSettings, IndexSettings, Settings
from pipeline.store import Store
from tests.hostile_server import HostileServer
from tests.support import write_feeds as feeds_file

pytestmark = pytest.mark.slow  # see pyproject's markers: `scripts/test.sh --fast` leaves these out


@pytest.fixture(scope="module")
def host():
    return HostileServer().start()


def test_a_write_blocked_index_fails_the_pass_and_its_stories_are_indexed_on_the_next(store, settings, es, host,
                                                                                      tmp_path):
    settings = settings.replace(feeds_file=feeds_file(tmp_path, {"good": f"{host.url}/feed/good"}),
                                fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    store.layout = IndexSettings(write_block_wait=1.0)  # a block longer than a reindex's swap
    es.indices.put_settings(index=store.index("stories"), settings={"index.blocks.write": True})
    try:
        with pytest.raises(WritesBlocked) as err:
            poll_feeds(store, settings, ["good"], run_id="blocked")
    finally:
        es.indices.put_settings(index=store.index("stories"), settings={"index.blocks.write": False})
    assert "index write" in str(err.value) and "\n" not in str(err.value)  # the task fails, and Airflow retries it
    assert store.count("stories") == 0
    assert "good" not in store.feed_states(["good"])  # nothing remembered as done

    second = poll_feeds(store, settings, ["good"], run_id="retry")
    assert second.indexed == 3 and not second.rejected
    assert store.count("stories") == 3


def test_a_story_refused_for_good_is_set_aside_and_the_pass_goes_on(store, settings, host, tmp_path, monkeypatch):
    """A story the mapping cannot take was held back and refused again on every pass: the feed's shard failed,
    retried, and held back the run's other stories from enrichment."""
    from pipeline.store.documents import Story

    settings = settings.replace(feeds_file=feeds_file(tmp_path, {"good": f"{host.url}/feed/good"}),
                                fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    source, odd = Story.to_source, []

    def unmappable(self, *args, **kwargs):
        doc = source(self, *args, **kwargs)
        if not odd or odd[0] == self.story_id:
            odd[:1] = [self.story_id]
            doc["colour"] = "red"  # the strict mapping refuses it, as it would any value it cannot take
        return doc

    monkeypatch.setattr(Story, "to_source", unmappable)
    first = poll_feeds(store, settings, ["good"], run_id="odd")
    raise_for_rejected(first)  # nothing to retry: the task succeeds
    assert first.indexed == 2 and list(first.set_aside) == odd and not first.rejected
    assert first.counts()["stories_set_aside"] == 1 and "refused for good" in (first.feeds[0].warning or "")
    assert "refused for good" in (store.feed_states(["good"])["good"].last_warning or "")  # the health page shows it
    from pipeline.cli.poll import poll_exit

    assert poll_exit(first, None) == 5  # `newswatch poll` in a cron job sees it
    again = poll_feeds(store, settings, ["good"], run_id="odd-again")
    assert not again.rejected and not again.set_aside  # not refused again, pass after pass


def test_every_index_read_only_mid_pass_fails_it_and_loses_nothing(store, settings, es, host, tmp_path):
    """Disk flood stage: every index turns read-only while a pass streams stories in. The pass fails with a
    one-line reason (never "0 failed" with its feed states dropped); after the block is lifted the re-run
    indexes every story once and saves every feed's state."""
    settings = settings.replace(
        feeds_file=feeds_file(tmp_path, {"good": f"{host.url}/feed/good", "slow": f"{host.url}/feed/slow-pages",
                                         "two": f"{host.url}/feed/good-two"}),
        fetch=FetchSettings(retries=0, allow=("127.0.0.1",)))
    pattern = f"{settings.index_prefix}-*"
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = poll_feeds(store, settings, ["good", "slow", "two"], run_id="flood")
        except Exception as exc:
            outcome["error"] = exc

    pass_thread = threading.Thread(target=run)
    pass_thread.start()
    while not store.client.count(index=store.index("stories"))["count"] and pass_thread.is_alive():
        threading.Event().wait(0.1)  # the first stories are searchable: the pass is in flight
    es.indices.put_settings(index=pattern, settings={"index.blocks.read_only_allow_delete": True})
    try:
        pass_thread.join(timeout=120)
    finally:
        es.indices.put_settings(index=pattern, settings={"index.blocks.read_only_allow_delete": None})
    error = outcome.get("error")
    assert isinstance(error, WritesBlocked), outcome  # the task fails, Airflow retries it
    assert "\n" not in str(error) and "writes refused" in str(error) and "flood-stage" in str(error)

    retry = poll_feeds(store, settings, ["good", "slow", "two"], run_id="flood-retry")
    raise_for_rejected(retry)
    store.refresh("stories")
    assert store.count("stories") == 3 + 8 + 2  # every story once: none lost, none twice
    states = store.feed_states(["good", "slow", "two"])
    assert all(states[f].last_success and states[f].seen for f in ("good", "slow", "two")), states


def test_elasticsearch_killed_mid_pass_then_restarted(tmp_path, host):
    """A node killed while stories stream in; restarted; the pass re-run: every story once, quotes complete."""
    from pipeline.local.es_node import free_port, start_node

    port, workdir = free_port(), tmp_path / "node"
    node = start_node(port=port, workdir=workdir)
    settings = Settings(es_url=node.url, index_prefix="killed", source="live",
                        feeds_file=feeds_file(tmp_path, {"slow": f"{host.url}/feed/slow-pages",
                                                         "good": f"{host.url}/feed/good"}),
                        fetch=FetchSettings(retries=0, allow=("127.0.0.1",), per_host_concurrency=1))
    try:
        store = Store.open(settings)
        killer = threading.Timer(4.0, lambda: os.killpg(node.process.pid, signal.SIGKILL))
        killer.start()
        with pytest.raises(StoreUnavailable):
            poll_feeds(store, settings, ["slow", "good"], run_id="dies")
        killer.join()
        node.process.wait(30)

        node = start_node(port=port, workdir=workdir)
        store = Store.open(settings)
        before = store.count("stories")
        assert before < 11  # some stories were written before the node died, not all
        report = poll_feeds(store, settings, ["slow", "good"], run_id="again")
        enrich_stories(store, settings)
        stories = list(store.scan("stories", {"match_all": {}}, [{"story_id": "asc"}]))
        assert len(stories) == len({s.story_id for s in stories}) == 11
        assert report.indexed == 11 - before and all(s.enriched for s in stories)
        store.refresh("quotes")
        assert store.count("quotes") == sum(s.quote_count for s in stories)
        states = store.feed_states(["slow", "good"])
        items_seen = {f: [k for k in states[f].seen if not k.startswith("t")] for f in states}  # "t…": with titles
        assert states["slow"].body_hash and len(items_seen["slow"]) == 8 and len(items_seen["good"]) == 3
        assert states["slow"].consecutive_failures == 0
    finally:
        node.stop()


def test_elasticsearch_down_is_one_line_without_credentials(tmp_path):
    from pipeline.local.es_node import free_port

    env = {**os.environ, "NEWSWATCH_ES_URL": f"http://elastic:hunter2@127.0.0.1:{free_port()}",
           "NEWSWATCH_SOURCE": "replay"}
    done = subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "newswatch"), "poll", "--force"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "did not answer" in done.stderr and "hunter2" not in done.stderr + done.stdout
    assert "***@127.0.0.1" in done.stderr


def test_the_health_page_never_shows_the_password():
    from fastapi.testclient import TestClient

    from pipeline.local.es_node import free_port
    from pipeline.ops.health_app import create_app

    settings = Settings(es_url=f"https://admin:s3cret-pw@127.0.0.1:{free_port()}", index_prefix="nope")
    client = TestClient(create_app(settings))
    page = client.get("/")
    assert page.status_code == 503 and "did not answer" in page.text
    assert "s3cret-pw" not in page.text and "admin" not in page.text
    assert "s3cret-pw" not in client.get("/api/feeds").text
    for path in ("/feedback/report", "/feedback?story=s&verdict=irrelevant", "/api/feedback"):  # never a bare 500
        answer = client.get(path)
        assert answer.status_code == 503 and "did not answer" in answer.text, (path, answer.status_code)
        assert "s3cret-pw" not in answer.text


def test_a_story_the_extractors_fail_on_is_set_aside_and_the_rest_of_its_batch_enriched(store, settings, monkeypatch):
    import pipeline.nlp.analyze as analyze
    import pipeline.nlp.enrich as enrich

    store.write_stories(asylum_stories(3))
    figures = analyze.extract_figures

    def broken_on_s1(doc, *args):  # an extractor's bug that one text brings out
        if "41 asylum" in doc.text:
            raise IndexError("list index out of range")
        return figures(doc, *args)

    monkeypatch.setattr(analyze, "extract_figures", broken_on_s1)
    report = enrich_stories(store, settings)
    assert report.stories == 2 and list(report.set_aside) == ["s1"]  # the task fails once, without retries
    assert "IndexError" in store.get("stories", "s1").enrich_error and not store.get("stories", "s1").enriched
    assert store.get("stories", "s0").enriched and store.get("stories", "s2").enriched  # those behind it too
    assert enrich.waiting_ids(store) == []  # the next run does not stall on it


def test_a_story_whose_documents_cannot_be_built_is_set_aside_and_the_rest_of_its_chunk_written(store, settings,
                                                                                                   monkeypatch):
    """Building a story's quotes and fields ran outside the per-story guard: one odd analysis failed its whole
    chunk, run after run."""

    store.write_stories(asylum_stories(3))
    building_fails_on_s1(monkeypatch)
    report = enrich_stories(store, settings)
    assert report.stories == 2 and list(report.set_aside) == ["s1"]
    assert "building its documents failed: KeyError" in store.get("stories", "s1").enrich_error
    assert store.get("stories", "s0").enriched and store.get("stories", "s2").enriched
    store.refresh("quotes")
    assert store.count("quotes", {"term": {"story_id": "s1"}}) == 0


def test_a_waiting_story_edited_past_what_the_model_reads_is_set_aside_and_reported(store, settings, es):
    """A story left out as unreadable (a value typed by hand in Kibana) was neither enriched nor reported: it sat
    waiting for ever while every run ended green."""
    import pipeline.nlp.enrich as enrich

    store.write_stories(asylum_stories(3))
    es.update(index=store.index("stories"), id="s1", doc={"published": None}, refresh=True)
    assert enrich.waiting_ids(store) == ["s0", "s2", "s1"]  # the DAG's plan hands it to a batch
    report = enrich_stories(store, settings, ["s0", "s1", "s2"])
    assert report.stories == 2 and list(report.set_aside) == ["s1"]  # the batch fails once, naming it
    assert "cannot be read as a story: published" in report.set_aside["s1"]
    found = es.get(index=store.index("stories"), id="s1")["_source"]
    assert "published" in found["enrich_error"] and not found["enriched"]
    assert enrich.waiting_ids(store) == [] and enrich_stories(store, settings).set_aside == {}


def test_wire_copies_of_one_odd_text_are_one_failure_and_a_retry_still_reports_what_was_set_aside(store, settings,
                                                                                                     monkeypatch):
    """Three copies of one article the extractors fail on made a small chunk "systemic": the batch stopped, run
    after run. And a retry of the task (a later chunk's write failed) skipped what the first try set aside and
    ended green, so no operator heard of it."""
    import pipeline.nlp.analyze as analyze
    from pipeline.store.documents import Story

    def story(sid: str, text: str, minute: int) -> Story:
        return Story(story_id=sid, url=f"https://news.example/{sid}", canonical_url=f"https://news.example/{sid}",
                     feed_id="f", outlet="Example", language="en", country="GB", title="Asylum story", text=text,
                     published="2024-05-01T10:00:00+00:00", ingested=f"2024-05-01T10:{minute:02d}:00+00:00", run_id="r")

    stories = [story(f"s{i}", f"Officials said 4{i} asylum seekers arrived in Dover on Monday.", i) for i in range(9)]
    stories += [story(f"c{i}", "Officials said 99 asylum seekers arrived in Dover on Monday.", 10 + i) for i in range(3)]
    store.write_stories(stories)
    figures = analyze.extract_figures

    def broken_on_the_copies(doc, *args):
        if "99 asylum" in doc.text:
            raise IndexError("list index out of range")
        return figures(doc, *args)

    monkeypatch.setattr(analyze, "extract_figures", broken_on_the_copies)
    ids = [s.story_id for s in stories]
    first = enrich_stories(store, settings, ids)
    assert first.stories == 9 and sorted(first.set_aside) == ["c0", "c1", "c2"]
    again = enrich_stories(store, settings, ids)  # the task's retry
    assert again.stories == 0 and sorted(again.set_aside) == ["c0", "c1", "c2"]


def test_extractors_failing_on_most_texts_set_nothing_aside_and_fail_the_run(store, settings, monkeypatch):
    """A fault of the code or its data (a missing names file) fails every text: setting them all aside, run
    after run, would hide thousands of stories from events and alerts until someone cleared the field by hand."""
    import pipeline.nlp.analyze as analyze
    import pipeline.nlp.enrich as enrich
    from pipeline.errors import AnalysisFailed

    store.write_stories(asylum_stories(4, "Officials said 4{i} asylum seekers arrived in Dover."))

    def broken(doc, *args):
        raise FileNotFoundError("first-names.tsv")

    monkeypatch.setattr(analyze, "extract_figures", broken)
    with pytest.raises(AnalysisFailed, match="4 of 4 stories"):
        enrich_stories(store, settings)
    store.refresh("stories")
    assert sorted(enrich.waiting_ids(store)) == ["s0", "s1", "s2", "s3"]  # waiting for a fixed version, none set aside


def test_a_story_elasticsearch_refuses_for_good_is_set_aside_and_the_rest_go_on(store, settings, monkeypatch):
    import pipeline.nlp.enrich as enrich

    when = "2024-05-01T10:00:00+00:00"
    store.write_stories(asylum_stories(3, published=when))
    fields = enrich.enrichment

    def refused_for_s0(analysis, text=""):  # a value the mapping cannot take, as a hostile page may bring
        return fields(analysis, text) | ({"quote_count": "many"} if "40 asylum" in text else {})

    monkeypatch.setattr(enrich, "enrichment", refused_for_s0)
    report = enrich_stories(store, settings, ["s0", "s1"])
    assert report.stories == 1 and list(report.rejected) == list(report.set_aside) == ["s0"]  # the task raises on it: the run is red once
    assert "s0" not in enrich.waiting_ids(store)  # the next runs do not stall on it
    assert enrich.waiting_ids(store) == ["s2"]
    assert "parsing" in store.get("stories", "s0").enrich_error
    store.refresh("quotes")  # its quote, written before its own update was refused, is not left searchable
    assert store.count("quotes", {"term": {"story_id": "s0"}}) == 0 < store.count("quotes", {"term": {"story_id": "s1"}})
    assert report.quotes == store.count("quotes")  # the quotes deleted with s0 are not counted as indexed
    retried = enrich_stories(store, settings, ["s0", "s1"])  # Airflow retries the same batch: it passes now
    assert not retried.rejected and retried.stories == 0


def test_a_story_set_aside_without_its_story_id_is_reported_by_every_retry(store, settings, es):
    """A story whose `story_id` was removed by hand in Kibana is set aside as unreadable; the task's retry read
    the stories set aside by that field, and every retry of the batch failed on a KeyError instead of naming it."""

    store.write_stories(asylum_stories(3))
    edited = es.get(index=store.index("stories"), id="s1")["_source"]
    del edited["story_id"]
    es.index(index=store.index("stories"), id="s1", document=edited, refresh=True)
    ids = ["s0", "s1", "s2"]
    first = enrich_stories(store, settings, ids)
    assert first.stories == 2 and list(first.set_aside) == ["s1"] and "story_id" in first.set_aside["s1"]
    store.refresh("stories")
    again = enrich_stories(store, settings, ids)  # the task's retry, after a later chunk failed
    assert again.stories == 0 and again.set_aside == first.set_aside


def test_quotes_an_earlier_try_found_beyond_this_ones_are_not_left_searchable(store, settings, monkeypatch):
    """Quote ids are the story's id and a number, only ever overwritten: a try that found five quotes, whose story's
    own update was refused, left -003 and -004 searchable beside the quotes the next try found (another version,
    fewer quotes), and a story then set aside kept all five, counted for a story never enriched."""

    store.write_stories(asylum_stories(2, '"We will not turn anyone away," the minister John Smith said. Officials said '
                                          "4{i} asylum seekers arrived in Dover on Monday."))
    store.write("quotes", [(f"s{i}-{n:03d}", {"quote_id": f"s{i}-{n:03d}", "story_id": f"s{i}", "quote": "Said before"})
                           for i in range(2) for n in range(5)]).require("an earlier try's quotes")
    building_fails_on_s1(monkeypatch)
    report = enrich_stories(store, settings)
    assert report.stories == 1 and list(report.set_aside) == ["s1"]
    store.refresh("quotes")
    found = store.get("stories", "s0").quote_count
    assert 0 < found < 5
    ids = {q["quote_id"] for q in store.scan("quotes", {"term": {"story_id": "s0"}}, [{"quote_id": "asc"}],
                                               source=["quote_id"])}
    assert ids == {f"s0-{n:03d}" for n in range(found)}
    assert store.count("quotes", {"term": {"story_id": "s1"}}) == 0
    assert report.quotes == store.count("quotes")


def asylum_stories(count: int, text: str = "Officials said 4{i} asylum seekers arrived in Dover on Monday.",
                   published: str = "2024-05-01T10:00:00+00:00") -> list:
    """Stories s0, s1, … waiting for enrichment, one minute apart; `{i}` in `text` is each one's number (a test
    breaks the one whose text says "41 asylum")."""
    from pipeline.store.documents import Story

    return [Story(story_id=f"s{i}", url=f"https://news.example/{i}", canonical_url=f"https://news.example/{i}", feed_id="f",
                  outlet="Example", language="en", country="GB", title=f"Asylum story {i}", text=text.replace("{i}", str(i)),
                  published=published, ingested=f"2024-05-01T10:0{i}:00+00:00", run_id="r") for i in range(count)]


def building_fails_on_s1(monkeypatch) -> None:
    """Building the documents of the story whose text says "41 asylum" raises, as a bug one odd text meets."""
    import pipeline.nlp.enrich as enrich

    fields = enrich.enrichment

    def broken_on_s1(analysis, text=""):
        if "41 asylum" in text:
            raise KeyError("focus")
        return fields(analysis, text)

    monkeypatch.setattr(enrich, "enrichment", broken_on_s1)
