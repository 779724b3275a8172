"""A body's name with its nation: "U.S. Customs and Border Protection", "UK Border Force".

The small model often tags the nation as a place and the body after it apart ("U.S." / "Customs and Border
Protection"), or cuts the name ("U.S. Customs"), so the article's fullest form of the name, the one its
quotes should be credited to, was lost.
"""

from __future__ import annotations

import re

_NATION = r"(?:U\.S\.|US|U\.K\.|UK)"  # the short forms of a nation that official names open with
# a nation before an agreement or a law says whose it is ("upholds U.S. Safe Third Country Agreement"), not its name
_INSTRUMENTS = ("Agreement", "Act", "Treaty", "Accord", "Deal", "Pact", "Convention", "Law", "Bill", "Rule", "Plan")


def national_form(text: str, name: str) -> str:
    """`name` with the nation the article writes before it somewhere, if it does."""
    if re.match(_NATION + r"\s", name) or name.endswith(_INSTRUMENTS):
        return name
    found = re.search(rf"(?<![\w.\-–]){_NATION}\s+{re.escape(name)}(?![\w-])", text)  # not "Canada-U.S. …"
    return " ".join(found.group(0).split()) if found else name

