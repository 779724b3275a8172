"""Which stories a subscription wants: people are matched by the key the index files their names under."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.alerts.subscriptions import Rule, Subscription, matches
from pipeline.store.documents import Story


def story(**fields: object) -> Story:
    now = datetime.now(UTC)
    return Story(story_id="s", title="Roxham Road", url="https://news.example.org/s", feed_id="f", outlet="Outlet",
                 canonical_url="https://news.example.org/s", language="fr", country="CA", published=now,
                 ingested=now, run_id="r", topics=["asylum-border"], **fields)


def test_quoted_and_mentioned_names_match_any_spelling_of_their_key():
    sub = Subscription(name="legault", channels=["json://h.example.org/"],
                       rule=Rule(quoted=["Francois Legault"], mentions=["the United Nations"]))
    for spelling in ("François Legault", "FRANÇOIS LEGAULT", "François-Legault", "Francois Legault"):
        assert matches(sub, story(quoted=[spelling], organizations=["United Nations"])), spelling
    assert not matches(sub, story(quoted=["Justin Trudeau"], organizations=["United Nations"]))
    assert not matches(sub, story(quoted=["François Legault"], organizations=["UNHCR"]))
