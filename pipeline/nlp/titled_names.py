"""People the small model misses or mistypes, found by the title written before their name.

Outlets name people the English model has rarely seen: "Justice Mugure Thande quashed the directive"
(untagged), "ward councillor Sibongile Mncwango" (tagged a place), "Cllr Pritchard made a statement"
(tagged a body). A personal title right before capitalised words says more than the model's guess there:
bodies and places take no "Cllr", "Justice" or "DSP". Titles that also open the names of things ("General
Motors", "Prince Edward Island", "Premier League", "Chief Executive") are left out of this list.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_tokens
from pipeline.nlp.gazetteer import gazetteer
from pipeline.nlp.given_names import first_names
from pipeline.nlp.surnames import honoured_surname
from pipeline.nlp.titles import TITLES
from pipeline.text import fold

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# titles only people carry, as written before a name (lower case, without a full stop)
PERSONAL_TITLES = frozenset({
    "mr", "mrs", "ms", "mx", "dr", "sir", "dame", "cllr", "clr", "coun", "cr", "councillor", "councilman", "councilwoman",
    "councilmember", "alderman", "alderwoman", "mayor", "senator", "sen", "rep", "congressman", "congresswoman",
    "assemblyman", "assemblywoman", "gov", "governor", "minister", "justice", "judge", "magistrate", "sheriff", "sgt",
    "sergeant", "const", "constable", "cst", "insp", "inspector", "supt", "superintendent", "det", "detective", "cpl",
    "corporal", "lt", "col", "maj", "capt", "cmdr", "dsp", "asp", "ssp", "dig", "igp", "dgp", "adgp", "acp", "dcp", "garda", "pc",
    "dci", "prof", "professor", "rev", "reverend", "pastor", "bishop", "archbishop", "imam", "rabbi", "provost",
    "spokesperson", "spokesman", "spokeswoman", "hon", "datuk", "dato", "datin", "resident", "trooper", "deputy",
    "mp", "mla", "mpp", "msp", "mep", "dep",  # "Dep Fleming": an Irish TD, a Deputy
})
_NAME = re.compile(r"^[A-ZÀ-Þ][\w'’-]*$")
# words that end the names of bodies and places, never a person's name after a title ("Justice Department"); narrower
# than `entities._BODY_WORDS`, which judges names with no title before them: after "Cllr", "Power" is a surname
NOT_A_NAME = {"department", "ministry", "office", "court", "party", "league", "union", "council", "committee",
               "commission", "service", "services", "agency", "board", "police", "force", "house", "hall", "street",
               "road", "avenue", "park", "school", "college", "university", "hospital", "church", "centre", "center",
               "county", "city", "island", "river", "lake", "bridge", "act", "bill", "report", "plan", "fund",
               "foundation", "institute", "group", "company", "association", "society", "club", "award", "prize",
               "municipality", "district", "province", "ward", "township", "constituency", "trust", "network"}


# who holds a seat named after "for": "Member for Gippsland", "MP for Witney"
_SEATS = {"member", "mp", "mla", "mpp", "msp", "ms", "mep", "td", "senator", "representative", "congressman",
          "congresswoman", "assemblyman", "assemblywoman", "councillor", "councilor"}


def personal_title(token: Token) -> bool:
    return fold(token.text.rstrip(".")).lower() in PERSONAL_TITLES


def _a_name_word(token: Token) -> bool:
    return bool(_NAME.match(token.text)) and token.lower_ not in NOT_A_NAME and not personal_title(token) \
        and not TITLES.fullmatch(token.lower_ + " ")  # "Mr Speaker" names no one


def _name_tokens(tokens: list[Token]) -> bool:
    return 1 <= len(tokens) <= 3 and all(_a_name_word(t) for t in tokens)


def person_start(doc: Doc, ent: Span, titled: bool = True) -> int | None:
    """Where a person's name starts in an entity the model tagged a body or a place, or None: after a personal
    title that opens it ("Cllr Pritchard") or follows capitalised words or a number ("Sanirajak Mayor Jaypeetee
    Audlakiak", "District 1 Councilman Bernal"); the whole entity after a personal title ("councillor Sibongile Mncwango") or after a
    lower-case role word ("economist Philip Cross"); after a constituency's town ("MP for Witney Robert
    Courts"). The name is one to three capitalised words (two or three after a role word or a town).
    `titled=False`: the town or the body's last word alone (a person's entity keeps its titles, which tell its
    office)."""
    words = list(ent)
    titles = [k for k, t in enumerate(words) if personal_title(t)]
    if titles and titled:
        k = titles[-1]
        # an honorific and a full name end even a run of lower-case words: "the chamber Ms Elizabeth Salome"
        named = _name_tokens(words[k + 1:]) and (all(t.text[:1].isupper() or t.is_digit for t in words[:k]) or len(words) - k > 2
                                                  and honoured_surname(f"{words[k].text} {words[-1].text}") is not None)
        return words[k + 1].idx if named else None
    acronym = next((k for k in range(len(words) - 3, -1, -1) if (words[k].is_upper and len(words[k]) > 1 or fold(
        words[k].text) in NOT_A_NAME and words[k].text[:1].isupper()) and fold(words[k + 1].text) in first_names()), None)
    if titled and acronym is not None and _name_tokens(words[acronym + 1:]) \
            and all(t.text[:1].isupper() or k == 0 and t.lower_ == "the" for k, t in enumerate(words[:acronym])):
        return words[acronym + 1].idx  # "president of FRSU Daniel Okafor" tagged one body: the acronym (or the body's
        # last word: "the Sensible Sentencing Trust Garth McVicar"), then a given name; "Brackett ISD Eliza Diaz" too
    if not titled and len(words) >= 3 and words[0].lower_ in NOT_A_NAME and _name_tokens(words[1:]):
        return words[1].idx  # "… of Thalara Rural Municipality Hem Khadka", the person tagged from "Municipality"
    if ent.start == 0 or not _name_tokens(words):
        return None
    before = doc[ent.start - 1]
    if titled and (personal_title(before) or len(words) >= 2 and before.is_lower and bool(TITLES.match(before.text + " "))):
        return ent.start_char
    if before.lower_ in {"for", "of"} and 3 <= len(words) and fold(words[1].text) in first_names() and (
            any(p.kind == "city" for p in gazetteer().candidates(words[0].text))
            or ent.start >= 2 and (doc[ent.start - 2].lower_ in _SEATS  # "Member for Gippsland Darren Chester",
                                   or TITLES.fullmatch(doc[ent.start - 2].lower_ + " "))):  # "Minister of Agriculture Khaled"
        return words[1].idx
    return ent.start_char if titled and len(words) >= 2 and _role_or_age_after(doc, ent) else None


def _role_or_age_after(doc: Doc, ent: Span) -> bool:
    """"Videsh Maharaj, permanent secretary of Homeland Security", "Matshidiso Mothapo, Municipal
    Spokesperson,", "Alhassan Osman, 20,": a role or an age in apposition, with no article before it (a body
    is described as "the company" or "its spokesman", never by a bare office or an age)."""
    after = doc[ent.end: ent.end + 5]
    if len(after) < 2 or after[0].text != ",":
        return False
    if after[1].like_num and len(after) > 2 and after[2].text in {",", "is", "was"}:
        return 0 < int(after[1].text) < 110 if after[1].text.isdigit() else False
    for tok in after[1:]:
        if tok.pos_ in {"DET", "PRON"} or tok.text in {",", "."}:
            return False
        if personal_title(tok) or tok.lower_ in {"secretary", "director", "commissioner", "chairman", "chairperson",
                                                 "president", "officer", "manager", "sp"}:  # not "chief" ("chief sponsor")
            return True
    return False


def untagged_titled(doc: Doc) -> list[tuple[str, int, int]]:
    """Names the model left untagged after a personal title: "Justice Mugure Thande quashed" (the name's
    words, without the title). One word after a title counts too ("Cllr Dempsey's motion")."""
    found = []
    tokens = doc_tokens(doc)
    for tok in tokens:
        if not personal_title(tok):
            continue
        end = tok.i + 1
        while end < len(doc) and end - tok.i <= 3 and not doc[end].ent_type_ and _a_name_word(doc[end]) and (
                doc[end].pos_ == "PROPN" or doc[end].text[1:2] in {"’", "'"}):  # "O’Gorman", which the parse calls a noun
            end += 1
        name = doc[tok.i + 1: end]
        if len(name) and (end == len(doc) or not doc[end].ent_type_ and doc[end].pos_ != "PROPN"):  # the whole name
            found.append((name.text, name.start_char, name.end_char))
    return found


def seat_before_member(doc: Doc, ent: Span) -> bool:
    """"Gillingham and Rainham MP Rehman Chishti", "Witney MP Robert Courts": capitalised words right before a
    member's title and a name are the seat, a place, whatever the model tagged them (a person "he" went to)."""
    k = ent.end
    if not all(t.text[:1].isupper() for t in ent) or fold(ent[0].text) in first_names():
        return False
    while k < len(doc) and (doc[k].lower_ == "and" or doc[k].text[:1].isupper() and doc[k].lower_ not in _SEATS):
        k += 1  # the rest of the seat's name: "and Rainham"
    return k + 1 < len(doc) and k - ent.end <= 3 and doc[k].lower_ in _SEATS and doc[k].text[:1].isupper() \
        and doc[k + 1].text[:1].isupper() and doc[k + 1].pos_ == "PROPN"
