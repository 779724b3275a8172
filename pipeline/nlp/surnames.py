"""Surnames and the full names an article gives them, where the model's tags fall short.

An honorific says a surname is a person's whatever the model tagged it: "Mr Owohunwa" is the "Idowu Owohunwa" the
article wrote once ("…, Idowu Owohunwa, the police commissioner told journalists", tagged an organisation). A given
name written before a surname the model tagged alone makes another bearer of it: "Sulakshani Perera", tagged from
"Perera", is not the "Chulanada Perera" named elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from pipeline.nlp.given_names import function_words
from pipeline.nlp.titles import TITLES

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# "Mr Owohunwa": an honorific marks a person whatever the model tagged the name
_HONOURED = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+((?:(?:ap|ab|de|van|von|da|di|du|del|della|le|bin|al|el)\s+)?"
                       r"[A-Z][\w’'-]+)")  # "Mr ap Iorwerth"


def honoured_surname(phrase: str) -> str | None:
    """The surname of an English speaker phrase that is an honorific and a surname, else None."""
    honoured = _HONOURED.fullmatch(phrase)
    return honoured.group(1) if honoured else None


def honoured_name(text: str) -> bool:
    """"Mr Wangui", ", Dr Thato Patlakwe": an honorific (first or second word: a word before the entity may come
    with it) and one to three capitalised words mark a person, whatever the model tagged the name."""
    words = text.split()
    at = next((k for k, w in enumerate(words[:2]) if honoured_surname(f"{w} {words[-1]}")), None)
    return at is not None and 1 <= len(words) - at - 1 <= 3 and all(w[:1].isupper() for w in words[at + 1:])


def given_name_before(text: str, surname: str) -> str:
    """The full name the article writes for a surname, when one capitalised word other than a title, an
    honorific or a function word ever stands before it ("Idowu Owohunwa, the police commissioner"); else the
    surname. For names the model missed or tagged an organisation, which the name lists cannot vouch for."""
    given = {m.group(1) for m in re.finditer(rf"\b([A-Z][\w’'-]+) {re.escape(surname)}\b", text)
             if not TITLES.match(m.group(1).lower() + " ") and not _HONOURED.fullmatch(m.group(0))
             and m.group(1).lower() not in function_words()}
    return f"{given.pop()} {surname}" if len(given) == 1 else surname


def given_name_before_surname(surname: Token) -> Token | None:
    """The untagged capitalised word before a surname the model tagged alone ("Sulakshani" of "… Associate
    Sulakshani Perera"), when it is no title, function word or other name."""
    if surname.i == 0:
        return None
    given = surname.doc[surname.i - 1]
    if (given.pos_ != "PROPN" or not given.is_title or given.ent_type_ or not given.is_alpha
            or TITLES.match(given.lower_ + " ") or given.lower_ in function_words()):
        return None
    return given


def given_name_before_particles(surname: Token, particles: Collection[str]) -> Token | None:
    """"Eric van der Burg" tagged from "Burg" (and "Eric van" apart): the capitalised word before the lower-case
    particles before a surname, when it is no title or function word ("In van der Burg's view" names no "In")."""
    k = surname.i
    while k > 1 and surname.doc[k - 1].lower_ in particles and surname.doc[k - 1].is_lower:
        k -= 1
    given = surname.doc[k - 1] if k < surname.i else None
    if given is None or not given.is_title or given.lower_ in function_words() or TITLES.match(given.lower_ + " "):
        return None
    return given


def another_bearer(surname: Token, known: str) -> str | None:
    """"Sulakshani Perera" where the article named "Chulanada Perera" and the model tagged only "Perera": a given
    name written before the surname that is not the known person's makes another person of it."""
    given = given_name_before_surname(surname) if known.split()[-1] == surname.text else None
    return f"{given.text} {surname.text}" if given is not None and given.text not in known.split() else None


def titled_surname(span: Span) -> bool:
    """A one-word name with a capitalised title right before it ("Mr Justice Kerr", "Mayor Tory"): someone the
    article titles though it never gives a first name."""
    return len(span) == 1 and span.start > 0 and span.doc[span.start - 1].is_title and bool(
        TITLES.fullmatch(span.doc[span.start - 1].lower_ + " "))


def gaelic_surname(name: str) -> bool:
    """"Ó Ríordáin", "Ní Chonaill", "ten Hag" ("Ten Hag" at a sentence's start): two words, yet a surname alone,
    whose bearer the article named in full before (the model tags "Aodhán Ó Ríordáin" seldom, "Ó Ríordáin" often).
    Not "Van" or "Von" in capitals, which start given names too ("Van Jones")."""
    words = name.split()
    return len(words) == 2 and (words[0] in {"Ó", "Ní", "Nic", "Uí", "Mhic", "Ua"}
                                or words[0].lower() in {"ten", "ter", "van", "von", "den"} and words[0] not in {"Van", "Von"})
