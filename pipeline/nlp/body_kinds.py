"""What kind of body a name is, so that "the agency" can find the U.S. Food and Drug Administration.

A definite description names a body by its kind ("the agency said", "the force said", "Police say"), and
the article's name for that body often has another head word: an *Administration* is an agency, an
*Alliance* a group, the *RCMP* a police force. `speakers` first looks for a name containing the kind's
own word; this module is the second look, by the name's head word, or by what a few national police
forces and agencies that articles seldom spell out are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from pipeline.nlp.given_names import first_names
from pipeline.nlp.titles import TITLES
from pipeline.text import fold

# the head words of names that a description of each kind may stand for
KIND_HEADS = {
    "agency": {"administration", "agency", "bureau", "service", "commission", "authority", "office"},
    "department": {"department", "ministry", "office"},
    "ministry": {"department", "ministry", "office"},
    "group": {"alliance", "coalition", "network", "federation", "association", "organization", "organisation",
              "group", "collective", "society", "movement", "foundation", "project", "campaign"},
    "force": {"police", "force", "constabulary"},
    "police": {"police", "constabulary"},
}
# bodies whose kind the article seldom spells out, by the short name it writes
KNOWN_KINDS = {
    "RCMP": "police", "OPP": "police", "SPVM": "police", "NYPD": "police", "LAPD": "police", "PSNI": "police",
    "CBSA": "agency", "ICE": "agency", "CBP": "agency", "FBI": "agency", "CIA": "agency", "UNHCR": "agency",
    "IRCC": "department", "DHS": "department", "DOJ": "department",
}
# what a body's members are called, for the body itself ("The Mounties say" is the RCMP speaking)
MEMBERS = {"mounties": {"RCMP", "Royal Canadian Mounted Police"}}


def _kind_of(name: str) -> set[str]:
    """The kinds a name can be described as: by its words ("Winnipeg Police Service" is police), its head
    word (an administration is an agency), or what it is known to be."""
    words = fold(name).split()
    head = words[:words.index("of")] if "of" in words[1:] else words  # "Independent Investigations Office of B.C."
    kinds = {kind for kind, heads in KIND_HEADS.items() if head and head[-1] in heads} | set(words)
    known = KNOWN_KINDS.get(name)
    if known:
        kinds |= {known} | {kind for kind, heads in KIND_HEADS.items() if known in heads}
    return kinds


def body_of_kind(kind: str, names: Iterable[str]) -> str | None:
    """The one body named before that is of this kind, or None when there is none or more than one
    (two agencies named: "the agency" is left as it is written rather than guessed)."""
    kind = fold(kind)
    if kind in MEMBERS:
        found = [name for name in names if name in MEMBERS[kind]]
        return found[-1] if found else None
    if kind not in KIND_HEADS:
        return None
    found = list(dict.fromkeys(name for name in names if kind in _kind_of(name)))
    distinct = [n for n in found if not any(n != other and n in other for other in found)]
    return distinct[0] if len(distinct) == 1 else None


def kind_named(kind: str, organizations: Sequence[tuple[int, str]], before: int) -> str | None:
    """The one body of this kind named before `before`; for the police, else the one force the article names
    anywhere: "Police now tell Channel 2 …" long before "Maj. Michael O'Connor, with the Atlanta Police
    Department, said" (a story names the force it quotes once, often only further down)."""
    return body_of_kind(kind, (n for at, n in organizations if at < before)) or (
        body_of_kind(kind, (n for _, n in organizations)) if kind == "police" else None)


_FAMILY = re.compile(r"\b[Tt]he ((?:[A-Z][\w’'-]+\s+){1,2})family\b")
_PLURAL_SURNAME = re.compile(r"\b[Tt]he ([A-Z][\w’'-]+)s\b")


def family_named(text: str, pos: int, surnames: Collection[str]) -> str | None:
    """"The family said" after "The Lawrence family has lived in Montreal for five years" (or "The Lawrences
    have …", where Leon Lawrence is named): the one family the article named before (a family speaks as one
    in deportation stories), never a guess between two."""
    named = {" ".join(m.group(1).split()) for m in _FAMILY.finditer(text, 0, pos)}
    named |= {stem for m in _PLURAL_SURNAME.finditer(text, 0, pos)
              for stem in (m.group(1), m.group(1).removesuffix("e")) if stem in surnames}  # "the Joneses"
    return f"{named.pop()} family" if len(named) == 1 else None


def fullest_body(name: str, names: Collection[str]) -> str:
    """"the Immigration and Refugee Board" where the article also writes "the Immigration and Refugee Board of
    Canada": the fullest form of a body's name the article gives (one such form, never a guess between two)."""
    core = name[4:] if name.lower().startswith("the ") else name
    if " " not in core:
        return name
    longer = {n for n in names if n.startswith(core + " of ") and len(n.split()) - len(core.split()) <= 4}
    return name[: len(name) - len(core)] + longer.pop() if len(longer) == 1 else name


_KIND_THEN_NAME = re.compile(r"(?:[Tt]he\s+)?([a-z]+)\s+((?:[A-Z][\w&’'.-]*\s?){1,4})")


def named_after_its_kind(phrase: str, kinds: Collection[str]) -> str | None:
    """"according to the union Unite", "the charity Refugee Action": a body's kind, then its name, which the
    model may not have tagged; not a person after their employer's kind ("police Chief Medaria Arradondo")."""
    match = _KIND_THEN_NAME.fullmatch(phrase)
    name = match.group(2).strip() if match and fold(match.group(1)) in kinds else ""
    first = name.split()[0].lower() if name else ""
    return name if name and not TITLES.match(first + " ") and fold(first) not in first_names() else None
