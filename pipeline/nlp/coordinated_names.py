"""Where an organisation's name ends when the small model cut it at "and".

"the Society of Motor Manufacturers and Traders" is tagged without "and Traders"; "Manafort and Gates" are two
people. The parse tells the two apart: a proper noun coordinated with a word after the name's own "of".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


def coordinated_name_end(doc: Doc, ent: Span) -> int:
    """"the Society of Motor Manufacturers and Traders" tagged without its last words: an untagged proper noun
    coordinated with a word after the name's "of" belongs to the name (another body would carry a tag of its own)."""
    if ent.end + 1 >= len(doc) or doc[ent.end].lower_ not in {"and", "&"}:
        return 0
    conj = doc[ent.end + 1]
    words = list(conj.subtree)
    of = [t.i for t in ent if t.lower_ == "of"]  # "Department of Fisheries and Oceans"; "Manafort and Gates" are two
    if (conj.dep_ != "conj" or not of or not of[0] < conj.head.i < ent.end or words[0].i != conj.i
            or any(t.ent_type_ or t.tag_ not in {"NNP", "NNPS"} for t in words)):
        return 0
    return words[-1].idx + len(words[-1])
