"""How the rules read the words of a text: hyphenated compounds, acronyms in capitals, one word hit by two
terms, invisible characters and ligatures, decomposed accents; and the text training and offline events read."""

import unicodedata
from pathlib import Path

from pipeline.config import LanguageRules, load_topics
from pipeline.settings import PROJECT_ROOT
from pipeline.text import fold, item_text, plain_text
from pipeline.topics.rules import Tokens, match_rules, match_topics

TOPICS = load_topics(PROJECT_ROOT / "config" / "topics.yaml")


def hits(text: str, **kw) -> list[str]:
    return [h.text for h in match_rules(Tokens.of(text), LanguageRules.model_validate(kw))]


def test_a_near_partner_in_the_hits_own_hyphenated_word_does_not_count():
    """"Cross-border mergers hit record" fired `border*` with `cross*` on the one word "Cross-border"."""
    kw = {"near": [{"terms": ["border*"], "with": ["cross*"], "within": 4}]}
    assert hits("Cross-border mergers hit record", **kw) == []
    assert hits("Cross\u2011border trade deal signed", **kw) == []  # a non-breaking hyphen joins as well
    assert hits("Migrants cross border into Texas", **kw) == ["cross", "border"]
    assert not match_topics("Cross-border mergers hit record\nDealmakers had their busiest quarter.", TOPICS, "en")
    assert match_topics("Migrants cross border into Texas", TOPICS, "en")


def test_a_term_in_capitals_matches_only_the_same_capitals():
    """The context term ICE, case-folded, met "Black ice" and kept a road accident beside a Home Office minister."""
    kw = {"context": [{"terms": ["ICE", "Home Office"], "min": 2}]}
    assert hits("Black ice blamed for crash, a Home Office minister says", **kw) == []
    assert hits("ICE agents and the Home Office", **kw) == ["ICE", "Home Office"]
    assert hits("DACA recipients wait", any=["Daca"]) == ["DACA"]  # a term not all in capitals ignores case
    assert hits("UNHCR appeals", any=["UNHCR"]) == ["UNHCR"] and hits("Unhcr appeals", any=["UNHCR"]) == []
    assert not match_topics("Black ice blamed for crash\nA Home Office minister praised the gritting crews.",
                            TOPICS, "en")


def test_terms_that_hit_the_same_word_count_once_toward_min():
    """`frontière*` and `frontieres` both hit "frontières": a `min: 2` fired on that one word."""
    kw = {"context": [{"terms": ["frontière*", "frontieres", "visa*"], "min": 2}]}
    assert hits("Les frontières rouvrent", **kw) == []
    assert hits("Les frontières rouvrent aux visas", **kw) == ["frontières", "visas"]
    # each term needs a place of its own: "visa" is free for `visa*` once `visas` takes the other word
    kw = {"context": [{"terms": ["visa*", "visas", "Home Office"], "min": 3}]}
    assert hits("Home Office: visa delays", **kw) == []
    assert hits("Home Office: visas and visa delays", **kw) == ["Home Office", "visas", "visa"]


def test_invisible_characters_and_ligatures_neither_split_nor_hide_words():
    """A soft hyphen or a zero-width space left inside a word cut it in two ("Asylum seekers" with a soft hyphen
    missed asylum*), and "œ" survived folding ("main-d’œuvre" never met "main-d'oeuvre")."""
    assert hits("Asy\u00adlum seekers wait", any=["asylum*"]) == ["Asy\u00adlum"]
    assert hits("Refu\u200bgees and mi\u2060grants", any=["refugee*", "migrant*"]) == ["Refu\u200bgees", "mi\u2060grants"]
    assert fold("Main-d’Œuvre, ÆSOP, ex æquo") == "main-d'oeuvre, aesop, ex aequo"
    assert hits("Pénurie de main-d’œuvre étrangère", any=["main-d'oeuvre"]) == ["main-d’œuvre"]
    assert plain_text("<p>Asy\u00adlum\u200b seekers\ufeff</p>") == "Asylum seekers"
    assert match_topics("Asy\u00adlum seekers wait for a hearing", TOPICS, "en")


def test_words_keep_their_offsets_where_folding_changes_the_length():
    """Folding a decomposed accent drops a character, folding "œ" adds one: the raw text was cut into words at each
    accent ("Québec : des réfugiés arrivent" sent decomposed matched nothing), and a text where the two cancel out
    must not take the folded text's offsets for its own."""
    text = unicodedata.normalize("NFD", "Québec : des réfugiés arrivent")
    [match] = match_topics(text, TOPICS, "fr")
    assert [unicodedata.normalize("NFC", t) for t in match.terms] == ["réfugiés"]
    text = unicodedata.normalize("NFD", "La main-d’œuvre expulsée")
    assert len(fold(text)) == len(text)
    [match] = match_topics(text, TOPICS, "fr")
    for hit in match.hits:
        assert text[hit.start:hit.end] == hit.text
    assert [unicodedata.normalize("NFC", h.text) for h in match.hits] == ["expulsée"]


def test_training_evaluation_and_offline_events_read_an_item_as_the_poller_does(tmp_path: Path):
    """The poller passes title and summary through `plain_text`; `item_text` unescaped and dropped tags but kept
    decomposed accents and invisible characters, and the events matcher used the raw item: an entity inside a word
    ("r&eacute;fugi&eacute;s") matched nothing offline and "réfugiés" in production."""
    from pipeline.events.matching import load_matcher

    title = unicodedata.normalize("NFD", "Québec accueille")
    assert item_text({"title": title, "description": "<p>Des r&eacute;fugi&eacute;s\u00ad arrivent</p>"}) == \
        "Québec accueille\nDes réfugiés arrivent"
    (tmp_path / "topics.yaml").write_text((PROJECT_ROOT / "config" / "topics.yaml").read_text())
    matcher = load_matcher(tmp_path)
    item = {"title": "Québec accueille", "summary": "<p>Des r&eacute;fugi&eacute;s arrivent</p>", "lang": "fr"}
    assert matcher(item) == ["asylum-border"]
    assert matcher({"title": "Québec accueille", "summary": "<p>Des touristes</p>", "lang": "fr"}) == []
