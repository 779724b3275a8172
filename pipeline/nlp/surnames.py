"""A surname written with an honorific ("Mr Owohunwa") and the full name the article gives it.

Some outlets write a name in full once, often where the model does not tag it a person ("…, Idowu Owohunwa, the
police commissioner told journalists"), and then only as "Mr Owohunwa": the honorific says it is a person's.
"""

from __future__ import annotations

import re

from pipeline.nlp.given_names import function_words
from pipeline.nlp.titles import TITLES

# "Mr Owohunwa": an honorific marks a person whatever the model tagged the name
_HONOURED = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+([A-Z][\w’'-]+)")


def honoured_surname(phrase: str) -> str | None:
    """The surname of an English speaker phrase that is an honorific and a surname, else None."""
    honoured = _HONOURED.fullmatch(phrase)
    return honoured.group(1) if honoured else None


def given_name_before(text: str, surname: str) -> str:
    """The full name the article writes for a surname, when one capitalised word other than a title, an
    honorific or a function word ever stands before it ("Idowu Owohunwa, the police commissioner"); else the
    surname. For names the model missed or tagged an organisation, which the name lists cannot vouch for."""
    given = {m.group(1) for m in re.finditer(rf"\b([A-Z][\w’'-]+) {re.escape(surname)}\b", text)
             if not TITLES.match(m.group(1).lower() + " ") and not _HONOURED.fullmatch(m.group(0))
             and m.group(1).lower() not in function_words()}
    return f"{given.pop()} {surname}" if len(given) == 1 else surname
