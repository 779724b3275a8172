"""Figure alerts end to end: figures in the stories of one event, reconciled by the live events stage on the
real node, recorded once, and delivered to a real SMTP server exactly once per (subscription, finding)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.alerts.delivery import deliver_immediate
from pipeline.alerts.finding import find_alerts
from pipeline.alerts.subscriptions import load_subscriptions
from pipeline.errors import ConfigError
from pipeline.events.findings import event_findings, write_findings
from pipeline.events.live import track_events
from pipeline.store.documents import Figure, Story
from tests.alerts.test_alerts import DEFAULT, LONG_AGO, html_part, subject, subscriptions
from tests.events.test_live import kept_stories

# (story of the Zorland burst, kind, value, qualifier, sentence, speaker): a revised toll, two outlets that
# disagree on a rescue the same day, and "51" / "more than 50" missing, which agree
REPORTED = [
    ("s0281", "died", 46, None, "Forty-six migrants died when their boat sank off Zorland, police said.", "police"),
    ("s0285", "died", 53, None, "The death toll off Zorland rose to 53, the coastguard said.", "the coastguard"),
    ("s0282", "rescued", 120, None, "Coastguards rescued 120 people off Zorland.", None),
    ("s0283", "rescued", 80, None, "Eighty people were rescued off Zorland.", None),
    ("s0284", "missing", 51, None, "Fifty-one people are missing off Zorland.", None),
    ("s0286", "missing", 50, "more than", "More than 50 people are missing off Zorland.", None),
]


def with_figures(stories: list[Story]) -> list[Story]:
    figures = {sid: Figure(text=f"{value}", value=value, qualifier=qualifier, unit="people", kind=kind,
                           place="Zorland", sentence=sentence, speaker=speaker)
               for sid, kind, value, qualifier, sentence, speaker in REPORTED}
    return [s.model_copy(update={"figures": [figures[s.story_id]]}) if s.story_id in figures else s for s in stories]


@pytest.fixture
def placed(store, settings):
    """The synthetic stream placed batch by batch, as successive enrichment runs would."""
    stories = with_figures(kept_stories())
    for start in range(0, len(stories), 8):
        store.write_stories(stories[start: start + 8])
        track_events(store, settings)
    return stories


def findings(store) -> list:
    store.refresh("figure-findings")
    return list(store.scan("figure-findings", {"match_all": {}}, [{"at": "asc"}]))


def test_a_revision_and_a_disagreement_in_one_event_are_recorded_once_each_with_their_sources(store, settings, placed):
    [revised, disputed] = sorted(findings(store), key=lambda f: f.condition != "revised")
    event_id = store.stories(["s0281"])["s0281"].event_id
    assert revised.condition == "revised" and revised.kind == "died" and revised.values == [46, 53]
    assert revised.event_id == event_id and revised.place == "Zorland"
    assert revised.story_ids == ["s0281", "s0285"] and revised.outlets == ["Evening Star", "World Wire"]
    assert [s["speaker"] for s in revised.sources] == ["police", "the coastguard"]
    assert "rose to 53" in revised.sources[1]["sentence"] and revised.sources[0]["published"].startswith("2023-05-16T08")
    assert disputed.condition == "disagree" and disputed.kind == "rescued" and disputed.values == [120, 80]
    event = store.get("events", event_id)
    assert {(f["condition"], f["kind"]) for f in event.figure_findings} == {("revised", "died"), ("disagree", "rescued")}

    assert write_findings(store, event_findings(store, [event_id])) == 0  # found again: the same, nothing written
    assert track_events(store, settings).findings == 0 and len(findings(store)) == 2


def test_a_revised_toll_raises_one_alert_once_and_an_agreement_none(store, placed, inbox, tmp_path):
    subs = subscriptions(tmp_path, [
        {"name": "tolls", "channels": [inbox.url("tolls@example.org")], "stories": False,
         "figures": {"revised": True, "kinds": ["died"]}},
        {"name": "disputes", "channels": [inbox.url("disputes@example.org")], "stories": False,
         "figures": {"disagree": True}},
        {"name": "missing", "channels": [inbox.url("missing@example.org")], "stories": False,
         "figures": {"revised": True, "disagree": True, "kinds": ["missing"]}},
    ])
    found = find_alerts(store, subs, DEFAULT)
    assert found.figures == found.created == 2
    assert deliver_immediate(store, subs, DEFAULT).sent == 2 == len(inbox.messages)
    by_to = {m["To"]: m for m in inbox.messages}
    assert set(by_to) == {"tolls@example.org", "disputes@example.org"}  # "51" and "more than 50" agree
    toll = by_to["tolls@example.org"]
    assert subject(toll) == "[Newswatch] Figure revised: died in Zorland, 46 → 53"
    body = html_part(toll)
    for expected in ("Evening Star", "World Wire", "rose to 53", "the coastguard", "https://news.example/s0281",
                     "https://news.example/s0285"):
        assert expected in body
    assert subject(by_to["disputes@example.org"]) == "[Newswatch] Outlets disagree: rescued in Zorland, 120 vs 80"

    again = find_alerts(store, subs, DEFAULT)
    assert again.created == 0 and deliver_immediate(store, subs, DEFAULT).sent == 0
    store.set_time("figure-alerts-watermark", store.now().replace(year=2000))  # read everything again
    assert find_alerts(store, subs, DEFAULT).created == 0 and len(inbox.messages) == 2


def test_figure_changes_before_a_subscription_began_are_held_back(store, placed, inbox, tmp_path):
    subs = subscriptions(tmp_path, [{"name": "late", "channels": [inbox.url("late@example.org")],
                                     "stories": False, "figures": {"revised": True}}], since=None)
    found = find_alerts(store, subs, DEFAULT)
    assert found.created == 0 and found.too_old == 1 and deliver_immediate(store, subs, DEFAULT).sent == 0


@pytest.mark.parametrize(("figures", "key", "message"), [
    ({}, "subscriptions[figs].figures", "asks for no figure change"),
    ({"revised": True, "kinds": ["drowned"]}, "subscriptions[figs].figures.kinds.0", "Input should be 'arrived'"),
    ({"revised": True, "revisd": True}, "subscriptions[figs].figures.revisd", "Extra inputs are not permitted"),
    ({"revised": "often"}, "subscriptions[figs].figures.revised", "valid boolean"),
])
def test_a_figure_condition_is_checked_naming_the_file_and_key(tmp_path: Path, figures, key, message):
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump({"subscriptions": [{"name": "figs", "channels": ["json://127.0.0.1:1/"],
                                                       "stories": False, "since": LONG_AGO, "figures": figures}]}))
    with pytest.raises(ConfigError) as caught:
        load_subscriptions(path)
    text = str(caught.value)
    assert str(path) in text and key in text and message in text, text


def test_analysts_see_the_findings_in_newswatch_figures_and_events(store, settings, placed, monkeypatch, capsys):
    import json

    from pipeline.cli import main

    monkeypatch.setenv("NEWSWATCH_ES_URL", settings.es_url)
    monkeypatch.setenv("NEWSWATCH_INDEX_PREFIX", settings.index_prefix)
    assert main(["figures", "--recorded", "--days", "100000"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((r["condition"], r["kind"], r["values"][0], r["values"][1]) for r in rows) == [
        ("disagree", "rescued", 120, 80), ("revised", "died", 46, 53)]
    assert main(["figures", "--days", "100000"]) == 0  # reconciled afresh from the stories, grouped by event
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["condition"] for r in again) == ["figure revised", "outlets disagree"]
    assert main(["events", "--days", "7"]) == 0
    text = capsys.readouterr().out
    assert "figure revised: died in Zorland, 46 → 53 (Evening Star, World Wire)" in text
    assert "figure disputed: rescued in Zorland, 120 vs 80" in text


def test_a_digest_lists_a_figure_change_once(store, placed, inbox, tmp_path):
    from datetime import timedelta

    from pipeline.alerts.delivery import run_digests

    subs = subscriptions(tmp_path, [{"name": "hourly", "mode": "digest", "channels": [inbox.url("d@example.org")],
                                     "stories": False, "figures": {"revised": True},
                                     "digest": {"every": "hourly"}}])
    assert find_alerts(store, subs, DEFAULT).created == 1 and deliver_immediate(store, subs, DEFAULT).sent == 0
    later = store.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=1)
    assert run_digests(store, subs, DEFAULT, at=later).sent == 1 and len(inbox.messages) == 1
    body = html_part(inbox.messages[0])
    assert "Figures revised or disputed (1)" in body and "Figure revised: died in Zorland, 46 → 53" in body
    assert run_digests(store, subs, DEFAULT, at=later).sent == 0
