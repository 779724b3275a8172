"""What kind of body a name is, so that "the agency" can find the U.S. Food and Drug Administration.

A definite description names a body by its kind ("the agency said", "the force said", "Police say"), and
the article's name for that body often has another head word: an *Administration* is an agency, an
*Alliance* a group, the *RCMP* a police force. `speakers` first looks for a name containing the kind's
own word; this module is the second look, by the name's head word, or by what a few national police
forces and agencies that articles seldom spell out are.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    kinds = {kind for kind, heads in KIND_HEADS.items() if words and words[-1] in heads} | set(words)
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
