"""Titles, ranks and honours taken off a person's mention, and the English initial "M." kept."""

from __future__ import annotations

import pytest

from pipeline.nlp.titles import without_titles


@pytest.mark.parametrize("mention, name", [
    ("Judge Anthony Russell QC", "Anthony Russell"),  # honours after the name
    ("Chief Supt O’Sullivan", "O’Sullivan"),  # a rank abbreviated without its full stop (Irish and British style)
    ("Det Insp Mary Hale", "Mary Hale"),
    ("Taoiseach Leo Varadkar", "Leo Varadkar"),
    ("Treasurer Dominic Perrottet", "Dominic Perrottet"),
    ("Deputy Grand Chief Anna Betty Achneepineskum", "Anna Betty Achneepineskum"),
    ("Yellowhead MP", "Yellowhead MP"),  # a seat, not a Mr Yellowhead: never cut down to one word
])
def test_titles_and_honours_come_off(mention, name):
    assert without_titles(mention) == name


def test_m_is_an_initial_in_english_and_monsieur_in_french():
    assert without_titles("M. Sucharita", "en") == "M. Sucharita"
    assert without_titles("Home Minister M. Sucharita", "en") == "M. Sucharita"
    assert without_titles("M. Legault", "fr") == "Legault"
