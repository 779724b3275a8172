"""First names that tell a person's sex, and so that a name is a person's at all.

`data/first-names.tsv` holds first names that at least 95 % of their bearers share one way (nomquamgender's
MIT data): gender agreement uses the sex (`coreference`), entity labels the fact that it is a first name.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pipeline.text import fold

# Ranks and titles the name data holds as first names (a few people are named General or Major): before a
# surname in the news they are the rank ("General Zaluzhnyi"), which says nothing of the person's sex.
RANKS = {"general", "major", "colonel", "captain", "admiral", "marshal", "sergeant", "king", "queen", "prince",
         "princess", "duke", "duchess", "earl", "baron", "lord", "lady", "sir", "dame", "bishop", "pope", "judge",
         "justice", "president", "chancellor", "saint"}


@cache
def first_names() -> dict[str, str]:
    """Folded first name → "m" or "f", for names nearly all bearers of which are recorded one way."""
    text = resources.files("pipeline.nlp").joinpath("data/first-names.tsv").read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {name: sex for name, sex in pairs if name not in RANKS}


def by_first_name(name: str) -> str | None:
    """The sex a full name's first name points to, if it points clearly ("Michelle Rempel" → "f")."""
    words = name.split()
    if len(words) < 2:
        return None
    first = fold(words[0])
    return first_names().get(first) or first_names().get(first.split("-")[0])  # "Jean-Luc", "Eva-Marie"
