"""Acronyms an article defines, so that a later "the ASFC" or "the IRB said" reads back to the full name."""

from __future__ import annotations

import re

from pipeline.nlp.name_forms import SMALL_WORDS, initials

# a name's leading article, English or French, which a canonical name goes without
DETERMINER = re.compile(r"^(?:(?:the|le|la|les)\s+|l['’]\s*)", re.I)
_ACRONYM = re.compile(r"((?:[A-ZÀ-Þ][\w’'-]*\s+)(?:(?:[\w’'-]+\s+){0,8}?)[\w’'-]+)\s+\(([A-ZÀ-Þ]{2,8})\)")


def acronyms(text: str) -> dict[str, str]:
    """Acronyms the article defines: "L’Agence des services frontaliers du Canada (ASFC)" → ASFC → the name."""
    out = {}
    for match in _ACRONYM.finditer(text):
        acronym = match.group(2)
        words = re.findall(r"[\w’'-]+", match.group(1))
        for start in range(len(words)):  # the shortest tail of the phrase whose initials spell it
            if words[start].lower() in SMALL_WORDS:
                continue  # "(Office) of the United Nations …": a name never starts with "of"
            every = "".join(w[:1].upper() for w in words[start:])  # "MOM" spells "Ministry of Manpower" with its "of"
            if acronym in (initials(words[start:]), every):
                name = " ".join(words[start:])
                out[acronym] = DETERMINER.sub("", re.sub(r"^(?:[LlDd]['’])", "", name))
                break
    return out
