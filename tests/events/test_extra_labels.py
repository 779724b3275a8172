"""The extra event labels stay usable beside the official ones: drawn reproducibly by whole weeks, disjoint
from the official labels, in the guide's format; and a union that labels an item twice is refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import eval_events  # noqa: E402
import sample_event_items  # noqa: E402

EXTRA = PROJECT_ROOT / "scripts" / "data" / "events-extra.labels.jsonl"


def _item(i: str, day: str, title: str) -> dict:
    return {"id": i, "published": f"{day} 10:00:00+00:00", "title": title, "summary": ""}


def test_selection_takes_whole_weeks_of_unlabelled_migration_items():
    stream = [_item("a", "2022-01-03", "Asylum seekers moved"), _item("b", "2022-01-09", "Refugees arrive"),
              _item("c", "2022-01-10", "Channel crossing"), _item("d", "2022-01-11", "Cup final tonight"),
              _item("e", "2022-01-12", "Deportation flight"), _item("f", "2022-01-04", "Visa row")]
    chosen = sample_event_items.select(stream, labelled={"f"}, n=1, seed=19)
    weeks = {sample_event_items.week(d["published"]) for d in chosen}
    assert len(weeks) == 1  # one week reaches n = 1, and all of it is taken
    expected = {"2022-01-03": ["a", "b"], "2022-01-10": ["c", "e"]}[weeks.pop()]
    assert [d["id"] for d in chosen] == expected  # f is labelled already, d has no migration word
    assert sample_event_items.select(stream, {"f"}, 1, 19) == chosen  # seeded: the same draw again
    assert [d["id"] for d in sample_event_items.select(stream, {"f"}, 10, 19)] == ["a", "b", "c", "e"]


def test_a_union_that_labels_an_item_twice_is_refused(tmp_path: Path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text(json.dumps({"id": "x", "topic": "on", "event": "e1", "storyline": ""}) + "\n")
    two.write_text(json.dumps({"id": "x", "topic": "off", "event": "", "storyline": ""}) + "\n")
    assert [g["id"] for g in eval_events.read_labels([one])] == ["x"]
    with pytest.raises(ValueError, match="labelled more than once"):
        eval_events.read_labels([one, two])


def test_the_extra_labels_are_the_sampled_items_in_the_guides_format(shared_data: Path):
    extra = [json.loads(line) for line in EXTRA.read_text(encoding="utf-8").splitlines()]
    official = {json.loads(line)["id"] for line in (shared_data / "events-2022-jan-apr.labels.jsonl").open()}
    stream = [json.loads(line) for line in (shared_data / "stream-2022-jan-apr.jsonl").open()]
    sampled = sample_event_items.select(stream, official, n=300, seed=19)
    assert [g["id"] for g in extra] == [d["id"] for d in sampled]  # ids and labels only, in the sample's order
    for g in extra:
        assert set(g) == {"id", "topic", "event", "storyline"} and g["topic"] in ("on", "off")
        assert bool(g["event"]) == (g["topic"] == "on"), g
        assert g["storyline"] == "" or g["topic"] == "on", g
