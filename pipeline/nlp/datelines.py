"""Places wire copy names in its own way, which the small models misread: the dateline ("OTTAWA --",
"MILTON, Ont. —") tagged an organisation, and a state's or province's abbreviation after a town ("Ont",
"Calif.") tagged a person. `entities.extract_entities` relabels them and spells them as the index does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text
from pipeline.nlp.gazetteer import gazetteer
from pipeline.nlp.places import state_after

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_FILED = re.compile(r"(?:,\s*[A-Z][\w.]*)?\s*(?:\([^)\n]{1,20}\)\s*)?(?:--|—|–|-)\s")


def filed_from(doc: Doc, ent: Span) -> bool:
    """Capitals opening a paragraph, then a dash ("OTTAWA --", "MILTON, Ont. —", "GENEVA (Reuters) -"): a
    dateline, naming where the story was filed, when the gazetteer knows the name."""
    text = doc_text(doc)
    if not ent.text.isupper() or ent.start_char > 0 and text[ent.start_char - 1] != "\n":
        return False
    return bool(_FILED.match(text, ent.end_char)) and bool(gazetteer().candidates(ent.text.title()))


# words that open a paragraph in capitals as a rubric, and are towns too (Police in Poland, Reading, Mobile)
_NEWS_WORDS = {"police", "media", "justice", "liberty", "hope", "reading", "mobile", "opportunity", "independence",
               "paradise", "commerce", "industry", "enterprise", "union", "progress", "security", "health", "welfare",
               "education", "sport", "business", "politics", "opinion", "analysis", "world", "nation", "local", "update",
               "live", "watch", "video", "breaking", "exclusive", "comment", "review", "victory", "unity", "concord"}


_DASHES = {"-", "--", "–", "—"}


def after_dateline_dash(doc: Doc, ent: Span) -> Span:
    """"Abuja - Barrister Aloy Ejimakor", "Lagos - Barrister Femi Falana", tagged as one person or body: the place
    a story was filed from, a spaced dash, then the name. No person's name holds a dash with spaces around it,
    so the entity is what follows the last one; the place before it is left out (not tagged a place either).
    Places keep theirs ("Kitchener – Waterloo")."""
    from spacy.tokens import Span

    if ent.label_ not in {"PERSON", "PER", "ORG"}:
        return ent
    dashes = [tok.i for tok in ent[:-1] if tok.text in _DASHES and tok.whitespace_ and tok.i > ent.start
              and doc[tok.i - 1].whitespace_]
    return Span(doc, dashes[-1] + 1, ent.end, label=ent.label_) if dashes else ent


_IN_PLACE = re.compile(r"^(?P<body>.+?\S)\s+in\s+(?P<place>[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)?)$")


# bodies whose name says where they are ("Evangelical Lutheran Church in America", "Presbyterian Church in Canada")
_NAMED_WHERE = {"church", "council", "union", "society", "association", "federation", "conference", "synod", "diocese",
                "congress", "assembly", "party", "league", "commission", "committee", "board", "office", "mission"}
_KIND_LEAD = re.compile(r"^(?:NGO|charity|aid group|rights group)\s+(?=[A-Z]\S*\s+[A-Z])")


def without_place_tail(name: str) -> str:
    """"Mansfield Plumbing in Kilgore", tagged whole: a body's name, then where it is. The place a gazetteer
    knows is no part of the name (a name with "in" inside keeps it: "Church in Wales" is tagged so rarely
    alone that it is not worth a list; a place too small for the gazetteer leaves the name as it is)."""
    name = _KIND_LEAD.sub("", name)  # "NGO Proactiva Open Arms": what the body is, then its name
    found = _IN_PLACE.match(name)
    if found is None or len(found.group("body").split()) < 2 or not gazetteer().candidates(found.group("place")) \
            or found.group("body").split()[-1].lower() in _NAMED_WHERE:
        return name
    return found.group("body")


def tag_datelines(doc: Doc) -> None:
    """Tag a dateline the model left untagged a place ("OTTAWA —", read as an adjective): capitals opening a
    paragraph, then a dash, that the gazetteer knows. The story was filed there, and it is often where it happens."""
    from spacy.tokens import Span

    text = doc_text(doc)
    added = []
    for tok in doc:
        if tok.idx and text[tok.idx - 1] != "\n" or tok.ent_type_ or not (tok.is_upper and tok.is_alpha and len(tok) > 2):
            continue
        end = tok.i + 1
        while end < len(doc) and doc[end].is_upper and doc[end].is_alpha and not doc[end].ent_type_:
            end += 1  # "SAN DIEGO —"
        span = doc[tok.i:end]
        if filed_from(doc, span) and span.text.lower() not in _NEWS_WORDS and (  # a town of its own ("MILTON,
                text[span.end_char] == "," or max(p.population for p in gazetteer().candidates(span.text.title())) >= 20_000):
            added.append(Span(doc, tok.i, end, label="LOC" if doc.lang_ == "fr" else "GPE"))  # Ont. —"), a city of note
    if added:
        doc.set_ents(sorted([*doc.ents, *added], key=lambda e: e.start))


def state_after_town(doc: Doc, ent: Span) -> bool:
    """"Ont" of "Milton, Ont.", "Calif." of "Fresno, Calif.": a state's or a province's abbreviation after a town."""
    return len(ent) <= 2 and ent.start >= 2 and state_after(doc, ent.start - 1, gazetteer()) is not None


def place_name(text: str) -> str:
    """A dateline's "OTTAWA" is Ottawa, "Ont." Ontario: one spelling per place in the index."""
    state = gazetteer().states.get(text if text.endswith(".") else text + ".")
    if state is not None:
        return state.name
    return text.title() if text.isupper() and len(text) > 3 and gazetteer().candidates(text.title()) else text
