"""Synthetic streams for the tests: a background of unrelated items and a few happenings told by several outlets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.events.features import StoryFeatures, story_features  # noqa: E402

START = datetime(2023, 5, 1, tzinfo=UTC)
FILLER = ("market shares fell after the central bank kept rates unchanged; football club sacks manager after defeat; "
          "storm brings flooding to coastal towns; museum opens exhibition of ancient pottery; new phone released "
          "with faster chip; election campaign enters final week; wildfire spreads across hills; "
          "court jails fraudster; "
          "orchestra tours the north; hospital waiting lists grow; airline cancels flights over strike; "
          "scientists map deep sea reef; farmers protest over fuel prices; tennis star wins open title").split("; ")
OUTLETS = ("Daily Planet", "Evening Star", "World Wire")


def item(i: int, when: datetime, title: str, summary: str = "", outlet: str = "Daily Planet") -> dict:
    return {"id": f"s{i:04d}", "published": when.isoformat(), "outlet": outlet, "title": title, "summary": summary}


ENTITIES = {"Zorland": "place", "Varga": "person", "Calvera": "place", "Ostrania": "place", "Belmont": "place",
            "Kessel": "place", "Dunmore": "place"}


def synthetic_items(days: int = 20, seed: int = 7) -> tuple[list[dict], dict[str, list[str]]]:
    """Background items every two hours (not kept), kept asylum stories about two a day, and on day 15 a burst:
    a new deportation deal with Zorland told ten times by three outlets within a day."""
    rng = random.Random(seed)
    items, topics = [], {}
    i = 0
    for hour in range(0, days * 24, 2):
        when = START + timedelta(hours=hour, minutes=rng.randrange(60))
        items.append(item(i, when, rng.choice(FILLER).capitalize(), rng.choice(FILLER)))
        topics[items[-1]["id"]] = []
        i += 1
        if hour % 12 == 0:
            place = rng.choice(("Calvera", "Ostrania", "Belmont", "Kessel", "Dunmore"))
            items.append(item(i, when + timedelta(minutes=5), f"Migrants rescued off {place} coast",
                              f"Coastguard says {rng.randrange(20, 90)} people were brought ashore near {place}.",
                              rng.choice(OUTLETS)))
            topics[items[-1]["id"]] = ["asylum-border"]
            i += 1
    burst = START + timedelta(days=15, hours=6)
    headlines = ("Government signs deportation deal with Zorland", "Asylum seekers to be flown to Zorland",
                 "Zorland deportation deal: what we know", "Critics condemn Zorland asylum deal",
                 "Varga defends deportation deal with Zorland", "First flights to Zorland within weeks",
                 "Charities vow legal fight over Zorland deal", "Zorland deal will cost millions, says minister",
                 "How will the Zorland deportation plan work?", "Opposition attacks Zorland asylum plan")
    for k, headline in enumerate(headlines):
        when = burst + timedelta(hours=2 * k, minutes=7)
        items.append(item(i, when, headline,
                          "Asylum seekers arriving without papers will be flown to Zorland under the deportation deal, "
                          "the home minister Varga said.", OUTLETS[k % 3]))
        topics[items[-1]["id"]] = ["asylum-border"]
        i += 1
    items.sort(key=lambda it: (it["published"], it["id"]))
    return items, topics


def item_entities(it: dict) -> list[tuple[str, str]]:
    return [(kind, name) for name, kind in ENTITIES.items() if name in it["title"] + it["summary"]]


def synthetic_stream(days: int = 20, seed: int = 7) -> tuple[list[StoryFeatures], dict[str, list[str]]]:
    """The synthetic items' features (see `synthetic_items`)."""
    items, topics = synthetic_items(days, seed)
    return [story_features(it, item_entities(it)) for it in items], topics


@pytest.fixture(scope="session")
def stream() -> tuple[list[StoryFeatures], dict[str, list[str]]]:
    return synthetic_stream()
