"""`persons` and `quoted` hold people: no road, document or agency, on real replay pages analysed by the real model."""

from __future__ import annotations

import html
import re

import pytest

from pipeline.local.replay import REPLAY_DIR
from pipeline.nlp.people import persons, quoted


def page_text(number: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "\n", (REPLAY_DIR / "pages" / f"{number}.html").read_text()))


@pytest.fixture(scope="module")
def analysed():
    from pipeline.nlp.analyze import analyze

    texts = {n: page_text(n) for n in ("026", "027", "028")}
    return {n: (a, texts[n]) for n, a in zip(texts, analyze(list(texts.values()), "fr"), strict=True)}


def test_a_road_a_document_and_an_agency_are_not_people(analysed):
    roxham, text = analysed["026"]
    # the model tags "Roxham" of "chemin Roxham" a person; entities reads it as the road (pipeline.nlp.roads)
    assert ("place", "chemin Roxham") in {(e.label, e.canonical) for e in roxham.entities}
    assert "Roxham" not in persons(roxham, text) and "Anick Fournier" in persons(roxham, text)

    tender, text = analysed["028"]
    assert "l’appel d’offres" in {q.speaker_canonical for q in tender.quotes}  # a document "speaks" in the parse
    assert quoted(tender) == ["Francine Dupuis"]

    agency, text = analysed["027"]
    assert "Agence des services frontaliers du Canada" in {q.speaker_canonical for q in agency.quotes}
    assert "Agence des services frontaliers du Canada" not in quoted(agency)
    assert {"Jacqueline Roby", "Judith Gadbois-St-Cyr"} <= set(quoted(agency))
    assert not [p for p in persons(agency, text) if "Roxham" in p]


def test_what_a_speaker_is_for_the_quotes_by_people_views(analysed):
    from pipeline.nlp.people import speaker_kind

    agency, _ = analysed["027"]
    assert speaker_kind("Agence des services frontaliers du Canada", agency) == "organization"  # tagged as "ASFC"
    assert speaker_kind("Jacqueline Roby", agency) == "person"
    tender, _ = analysed["028"]
    assert speaker_kind("l’appel d’offres", tender) == "other" and speaker_kind(None, tender) == "other"
