"""Analysts' feedback: signed links that cannot be forged, altered, reused or kept past their expiry; verdicts
stored in the real index with who, when and why the story matched; precision per rule term and outlet."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import Depends
from pydantic import SecretStr

from pipeline.alerts.feedback import all_feedback, precision_by, record_feedback, record_link_feedback
from pipeline.alerts.signing import FeedbackLinkError, sign_link, verify_link
from pipeline.settings import PROJECT_ROOT
from pipeline.store.documents import Story, TopicHit

SECRET = "test-secret-0123456789"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def story(story_id: str, outlet: str, term: str) -> Story:
    return Story(story_id=story_id, title=f"story {story_id}", url=f"https://news.example.org/{story_id}",
                 canonical_url=f"https://news.example.org/{story_id}", feed_id="f", outlet=outlet, language="en",
                 country="GB", published=NOW, ingested=NOW, run_id="r", topics=["asylum-border"],
                 matched_terms=[term], topic_hits=[TopicHit(topic="asylum-border", rule="any", term=term,
                                                            text=term.rstrip("*"), start=0, end=6)])


def test_a_signed_link_holds_and_any_change_to_it_is_refused():
    url = sign_link("http://127.0.0.1:1/fb", SECRET, "s1", "irrelevant", "asylum-border", "desk", NOW,
                    timedelta(days=14))
    claim = verify_link(params(url), SECRET, NOW + timedelta(days=1))
    assert (claim.story, claim.verdict, claim.topic, claim.to) == ("s1", "irrelevant", "asylum-border", "desk")
    for field, value in (("verdict", "relevant"), ("story", "s2"), ("to", "someone-else"), ("expires", "9999999999")):
        with pytest.raises(FeedbackLinkError, match="signature"):
            verify_link({**params(url), field: value}, SECRET, NOW)
    with pytest.raises(FeedbackLinkError, match="signature"):
        verify_link(params(url), "another-secret", NOW)
    with pytest.raises(FeedbackLinkError, match="expired"):
        verify_link(params(url), SECRET, NOW + timedelta(days=15))
    with pytest.raises(FeedbackLinkError, match="missing"):
        verify_link({k: v for k, v in params(url).items() if k != "nonce"}, SECRET, NOW)


def test_verdicts_are_stored_and_a_link_is_used_once(store):
    store.write_stories([story("s1", "BBC News", "deport*"), story("s2", "BBC News", "deport*"),
                         story("s3", "CNN", "refugee*")])
    record_feedback(store, "s3", "relevant", None, "ana")
    url = sign_link("http://127.0.0.1:1/fb", SECRET, "s1", "irrelevant", "asylum-border", "desk", NOW,
                    timedelta(days=14))
    first = record_link_feedback(store, verify_link(params(url), SECRET, NOW))
    assert (first.by, first.via, first.outlet, first.terms) == ("desk", "link", "BBC News", ["deport*"])
    # a double click is told its verdict is in, not only refused; an empty user name is no one, not a person
    with pytest.raises(FeedbackLinkError, match=r"already used: desk's verdict \(irrelevant for story s1\) was "
                                                r"recorded at \d{4}-\d\d-\d\d \d\d:\d\d UTC, once"):
        record_link_feedback(store, verify_link(params(url), SECRET, NOW), " ")
    record_feedback(store, "s2", "relevant", "asylum-border", "ana")
    record_feedback(store, "s2", "irrelevant", "asylum-border", "ana")  # changed her mind: the last verdict counts
    stored = all_feedback(store)
    assert len(stored) == 4 and {f.by for f in stored} == {"ana", "desk"}
    rules = {p.key: (p.relevant, p.irrelevant) for p in precision_by(stored, "rule")}
    assert rules == {"deport*": (0, 2), "refugee*": (1, 0)}
    outlets = precision_by(stored, "outlet")
    assert [(p.key, p.precision) for p in outlets] == [("BBC News", 0.0), ("CNN", 1.0)]


def test_the_cli_records_feedback_and_reports_precision(store, settings):
    store.write_stories([story("s9", "The Guardian", "asylum*")])
    env = {"NEWSWATCH_ES_URL": settings.es_url, "NEWSWATCH_INDEX_PREFIX": settings.index_prefix, "PATH": "/usr/bin"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                              cwd=PROJECT_ROOT, env={**env, "PYTHONPATH": str(PROJECT_ROOT)})

    done = run("feedback", "s9", "irrelevant", "--by", "lee")
    assert done.returncode == 0, done.stderr
    assert "s9: irrelevant for asylum-border by lee (The Guardian; terms asylum*)" in done.stdout
    assert run("feedback", "nope", "relevant").returncode == 3
    typo = run("feedback", "s9", "irrelevant", "--topic", "asylum-bordr")  # stored, no retrain would ever read it
    assert typo.returncode == 2 and "did you mean 'asylum-border'?" in typo.stderr
    broken = PROJECT_ROOT / "test-artifacts" / "broken-topics"  # only --topic needs topics.yaml
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "topics.yaml").write_text("topics: [\n")
    env["NEWSWATCH_CONFIG_DIR"] = str(broken)
    assert run("feedback", "s9", "relevant", "--by", "kim").returncode == 0
    assert run("feedback", "s9", "relevant", "--topic", "asylum-border").returncode == 3  # named: it is read
    del env["NEWSWATCH_CONFIG_DIR"]
    blank = run("feedback-speaker", "q1", "  ")
    assert blank.returncode == 3 and "is no name" in blank.stdout and "Traceback" not in blank.stderr
    report = run("feedback-report").stdout
    assert "asylum*" in report and "precision 0.50  (1 relevant, 1 irrelevant)" in report


def plugin_client(settings, **app_options):
    """The plugin's app as Airflow mounts it, with feedback links signed by SECRET."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from pipeline.ops.health_app import create_app

    conf = settings.replace(feedback=settings.feedback.model_copy(update={"secret": SecretStr(SECRET)}))
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(conf, **app_options))
    return TestClient(airflow)


def test_a_signed_link_lands_on_the_plugin_page_once(store, settings):
    store.write_stories([story("s5", "CNN", "border*")])
    client = plugin_client(settings)
    url = sign_link("/newswatch/feedback", SECRET, "s5", "irrelevant", "asylum-border", "desk",
                    datetime.now(UTC), timedelta(days=1))
    landing = client.get(url)
    assert landing.status_code == 200 and "<form method='post'>" in landing.text and not all_feedback(store)
    assert landing.headers["content-security-policy"] == "frame-ancestors 'self'"  # no framing by a sibling host
    first = confirm(client, url)
    assert first.status_code == 200 and "story s5 marked irrelevant" in first.text and "border*" in first.text
    assert confirm(client, url).status_code == 403  # replayed
    forged = url.replace("irrelevant", "relevant")
    assert client.get(forged).status_code == 403 and "signature" in client.get(forged).text
    assert confirm(client, forged).status_code == 403
    assert client.get("/newswatch/api/feedback").json()["outlet"] == [
        {"key": "CNN", "precision": 0.0, "relevant": 0, "irrelevant": 1}]


def test_a_wrong_speaker_is_corrected_and_the_name_registered(store):
    from pipeline.alerts.feedback import correct_speaker
    from pipeline.nlp.names import name_key
    from pipeline.store.documents import QuoteDoc

    store.write("quotes", [("q1", QuoteDoc(quote_id="q1", story_id="s1", quote="We will act.", speaker="she",
                                          speaker_canonical="Anne Marie Cerato", verb="said", kind="direct", start=0,
                                          end=12, outlet="CBC", feed_id="f", language="en", published=NOW,
                                          ingested=NOW, topics=["asylum-border"], title="t", url="u", run_id="r"))])
    doc = correct_speaker(store, "q1", "Morgan McNeely", "ana")
    assert (doc.was, doc.speaker, doc.verdict) == ("Anne Marie Cerato", "Morgan McNeely", "wrong-speaker")
    assert store.get_many("quotes", ["q1"])["q1"].speaker_canonical == "Morgan McNeely"
    assert store.get_many("names", [name_key("Morgan McNeely")])[name_key("Morgan McNeely")].name == "Morgan McNeely"
    again = correct_speaker(store, "q1", "MORGAN MCNEELY", "lee")  # the registry's form wins over a new spelling
    assert again.speaker == "Morgan McNeely"
    assert any(f.verdict == "wrong-speaker" for f in all_feedback(store))
    with pytest.raises(LookupError):
        correct_speaker(store, "nope", "X Y", "ana")


def test_a_speaker_correction_reaches_the_story_and_a_rerun_keeps_the_first_record(store):
    """The story's `quoted`, quote list and top quote carried the wrong name after a correction (alerts print the
    top quote; `quoted` subscriptions match on it); a run cut short after the quote was written and run again
    stored the corrected name as the one it replaced."""
    from pipeline.alerts.feedback import correct_speaker
    from pipeline.store.documents import QuoteDoc, TopQuote

    said = [{"quote": "“We will act.”", "speaker": "she", "speaker_canonical": "Anne Marie Cerato", "verb": "said",
             "start": 0, "end": 14, "kind": "direct"},
            {"quote": "the plan stands", "speaker": "Cerato", "speaker_canonical": "Anne Marie Cerato", "verb": "said",
             "start": 20, "end": 35, "kind": "reported"},
            {"quote": "it was late", "speaker": "Lee", "speaker_canonical": "Jo Lee", "verb": "said", "start": 40,
             "end": 51, "kind": "reported"}]
    s9 = story("s9", "CBC", "asylum").model_copy(update={
        "quotes": said, "quoted": ["Anne Marie Cerato", "Jo Lee"],
        "top_quote": TopQuote(quote="“We will act.”", speaker="she", speaker_canonical="Anne Marie Cerato", verb="said",
                              kind="direct")})
    store.write_stories([s9])
    for n, q in enumerate(said):
        store.write("quotes", [(f"s9-{n:03d}", QuoteDoc(quote_id=f"s9-{n:03d}", story_id="s9", outlet="CBC", feed_id="f",
                                                         language="en", published=NOW, ingested=NOW, topics=["asylum-border"],
                                                         title="t", url="u", run_id="r", **q))])
    store.refresh("quotes")
    first = correct_speaker(store, "s9-000", "Morgan McNeely", "ana")
    stored = store.get_many("stories", ["s9"])["s9"]
    assert stored.top_quote.speaker_canonical == "Morgan McNeely"
    assert [q["speaker_canonical"] for q in stored.quotes] == ["Morgan McNeely", "Anne Marie Cerato", "Jo Lee"]
    assert stored.quoted == ["Anne Marie Cerato", "Jo Lee", "Morgan McNeely"]  # Cerato still speaks in s9-001
    again = correct_speaker(store, "s9-000", "Morgan McNeely", "ana")  # the same analyst's run, run again
    assert first.was == again.was == "Anne Marie Cerato"
    assert sum(f.quote_id == "s9-000" for f in all_feedback(store)) == 1
    correct_speaker(store, "s9-001", "Morgan McNeely", "ana")
    assert store.get_many("stories", ["s9"])["s9"].quoted == ["Jo Lee", "Morgan McNeely"]
    # corrected on, then back: each change is a record of its own, and the story follows each
    assert correct_speaker(store, "s9-000", "Ana Ruiz", "bob").was == "Morgan McNeely"
    back = correct_speaker(store, "s9-000", "Morgan McNeely", "ana")
    assert back.was == "Ana Ruiz" and back.by == "ana"
    assert store.get_many("stories", ["s9"])["s9"].quoted == ["Jo Lee", "Morgan McNeely"]  # Ana Ruiz speaks no more
    assert sum(f.quote_id == "s9-000" for f in all_feedback(store)) == 3
    assert correct_speaker(store, "s9-000", "Ana Ruiz", "bob").was == "Morgan McNeely"  # bob's change, once more
    assert sum(f.quote_id == "s9-000" for f in all_feedback(store)) == 4


def test_each_analyst_who_opens_a_shared_alert_link_gives_a_verdict_of_their_own(store, settings):
    """One message goes to a desk: the verdict is the logged-in analyst's (the plugin puts the Airflow user in
    the request), once per analyst, so two analysts are two votes and one analyst twice is a replay."""
    from fastapi import FastAPI, Request
    from fastapi.testclient import TestClient

    from pipeline.ops.health_app import create_app

    def logged_in(request: Request) -> None:  # what plugins/newswatch_plugin.py's remember_user leaves
        request.state.newswatch_user = request.headers["x-user"]

    store.write_stories([story("s6", "CNN", "border*")])
    conf = settings.replace(feedback=settings.feedback.model_copy(update={"secret": SecretStr(SECRET)}))
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(conf, dependencies=[Depends(logged_in)]))
    client = TestClient(airflow)
    url = sign_link("/newswatch/feedback", SECRET, "s6", "relevant", "asylum-border", "desk",
                    datetime.now(UTC), timedelta(days=1))
    assert confirm(client, url, {"x-user": "alice"}).status_code == 200
    assert confirm(client, url, {"x-user": "bob"}).status_code == 200
    assert confirm(client, url, {"x-user": "alice"}).status_code == 403  # her replay
    assert sorted(f.by for f in all_feedback(store) if f.story_id == "s6") == ["alice", "bob"]
    odd = confirm(client, url.replace("check=", "check=%C3%A9"), {"x-user": "carol"})
    assert odd.status_code == 403 and "signature" in odd.text  # refused, not a 500


def test_reusing_a_link_after_changing_her_mind_makes_its_verdict_hers_again_and_never_adds_a_vote(store):
    """Relevant by one link, not relevant by a second, then the first link again: the page said "relevant" was
    recorded while the precision tables and the retraining still read her withdrawn "irrelevant"."""
    from pipeline.alerts.feedback import latest_verdicts

    store.write_stories([story("s4", "CNN", "border*")])
    minutes = iter(range(1, 100))
    store.now = lambda: NOW + timedelta(minutes=next(minutes))  # each verdict a minute after the one before
    links = {verdict: sign_link("http://127.0.0.1:1/fb", SECRET, "s4", verdict, "asylum-border", "desk", NOW,
                                timedelta(days=14)) for verdict in ("relevant", "irrelevant")}

    def use(verdict: str):
        return record_link_feedback(store, verify_link(params(links[verdict]), SECRET, NOW), "ana")

    def counted() -> list[tuple[str, str]]:
        return [(f.by, f.verdict) for f in latest_verdicts(all_feedback(store)) if f.story_id == "s4"]

    use("relevant")
    use("irrelevant")
    assert counted() == [("ana", "irrelevant")]
    again = use("relevant")
    assert again.verdict == "relevant" and again.at > NOW + timedelta(minutes=2) and counted() == [("ana", "relevant")]
    with pytest.raises(FeedbackLinkError, match=r"already used: ana's verdict \(relevant for story s4\) was recorded "
                                                rf"at {again.at:%Y-%m-%d %H:%M} UTC, once"):  # when it became hers again
        use("relevant")  # a replay while it is her latest: refused, nothing stored
    assert len([f for f in all_feedback(store) if f.story_id == "s4"]) == 3
    assert use("irrelevant").verdict == "irrelevant" and counted() == [("ana", "irrelevant")]  # and back again
    assert use("relevant").verdict == "relevant" and counted() == [("ana", "relevant")]
    assert len([f for f in all_feedback(store) if f.story_id == "s4"]) == 5  # one vote, whichever link she used last


def confirm(client, url: str, headers: dict | None = None):
    """What the landing page's Confirm button sends: the link's own parameters, posted from the page."""
    path, _, query = url.partition("?")
    return client.post(path, content=query, headers={"content-type": "application/x-www-form-urlencoded",
                                                     "sec-fetch-site": "same-origin", **(headers or {})})


def test_a_link_opened_from_another_site_records_nothing(store, settings):
    """Airflow's login cookie rides along on a top-level GET from any site: a page elsewhere holding a link
    could make a logged-in analyst's browser vote with it. Landing records nothing; a cross-site confirmation
    is refused."""
    store.write_stories([story("s7", "CNN", "border*")])
    client = plugin_client(settings)
    url = sign_link("/newswatch/feedback", SECRET, "s7", "irrelevant", "asylum-border", "desk",
                    datetime.now(UTC), timedelta(days=1))
    assert client.get(url, headers={"sec-fetch-site": "cross-site"}).status_code == 200
    path, _, query = url.partition("?")
    posted = client.post(path, content=query, headers={"content-type": "application/x-www-form-urlencoded",
                                                       "sec-fetch-site": "cross-site"})
    assert posted.status_code == 403 and not [f for f in all_feedback(store) if f.story_id == "s7"]


def test_no_feedback_links_for_a_story_on_no_topic():
    from pipeline.alerts.signing import feedback_links

    config = type("Config", (), {"secret": SecretStr(SECRET), "base_url": "http://x/fb", "link_days": 14})()
    assert feedback_links(config, "s1", "", "desk", NOW) == {}  # a link no page could ever accept
    assert set(feedback_links(config, "s1", "asylum-border", "desk", NOW)) == {"relevant", "irrelevant"}


def test_the_feedback_api_answers_json_when_the_index_is_down_under_the_mount(settings):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from pipeline.local.es_node import free_port
    from pipeline.ops.health_app import create_app

    down = settings.replace(es_url=f"http://127.0.0.1:{free_port()}")
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(down))
    answer = TestClient(airflow).get("/newswatch/api/feedback")
    assert answer.status_code == 503 and answer.headers["content-type"].startswith("application/json")


def test_a_feedback_document_written_by_hand_without_a_field_is_left_out_not_a_500(store, settings, es):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from pipeline.ops.health_app import create_app

    store.write_stories([story("s8", "CNN", "border*")])
    record_feedback(store, "s8", "irrelevant", "asylum-border", "lee", "cli")
    es.index(index=f"{settings.index_prefix}-feedback", id="by-hand", refresh=True,
             document={"story_id": "s8", "verdict": "relevant", "at": datetime.now(UTC).isoformat()})  # no `by`
    assert [f.by for f in all_feedback(store)] == ["lee"]
    airflow = FastAPI()
    airflow.mount("/newswatch", create_app(settings))
    client = TestClient(airflow)
    assert client.get("/newswatch/feedback/report").status_code == 200
    assert client.get("/newswatch/api/feedback").status_code == 200
