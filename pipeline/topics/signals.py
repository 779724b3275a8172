"""Where a topic's evidence sits in an item, and which frames surround it: the features that tell an item
*about* the topic from one that only *mentions* it.

A feed item is a title and a description (an article: a title and its lead). The rules' hits say which
terms fired; these signals add where (a term in the title, or only in the description), which frames
(`config/frames.yaml`: policy, reception, war, trade, crime, sport, profile, ...) sit in the title and in
the description, and who moves in the sentence that carries the evidence (people in numbers, one person,
or troops, goods, staff and pets). The relevance model weighs them with the words; the weights, learnt
from labelled items of several outlets, are what makes a war story with "fled" in passing score low and
a story about "the border" with a policy frame in its title score high.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.config import read_mapping
from pipeline.errors import ConfigError

_SENTENCE_END = re.compile(r"[.!?]\s|\n")  # the title is a sentence of its own
SUBJECTS = ("subject_group", "subject_one", "subject_thing")  # frames judged in the evidence's own sentence


class Evidence(Protocol):
    """A rule hit as `pipeline.topics.rules` hands it on (this module does not import the rules: they import it)."""

    @property
    def term(self) -> str: ...

    @property
    def start(self) -> int: ...



def load_frames(path: Path, topic: str) -> dict[str, list[str]]:
    """The topic's frames from `config/frames.yaml` ({} when the file or the topic is absent)."""
    if not path.exists():
        return {}
    data = read_mapping(path, empty_ok=True)  # the strict loader: a frame given twice is refused, with its line
    if topic not in data:
        if data:  # "asylum_border:" for "asylum-border": a model trained with signals and no frames, silently
            raise ConfigError(str(path), topic, f"no frames for this topic (the file has {', '.join(map(str, data))})")
        return {}
    frames = data[topic]
    if not isinstance(frames, dict):
        raise ConfigError(str(path), topic, "expected frame names mapping to lists of terms")
    for name, terms in frames.items():
        if str(name).startswith("subject_") and name not in SUBJECTS:
            raise ConfigError(str(path), f"{topic}.{name}", f"no such frame (the subject frames are {', '.join(SUBJECTS)})")
        if not isinstance(terms, list) or not terms:
            raise ConfigError(str(path), f"{topic}.{name}", "expected a list of terms")
        for n, term in enumerate(terms):
            if not isinstance(term, str) or not term.strip():  # YAML reads no, on, off, yes as true/false
                raise ConfigError(str(path), f"{topic}.{name}.{n}", f"{term!r} is not a term: quote it")
    return {str(k): list(v) for k, v in frames.items()}


def signals(text: str, hits: Sequence[Evidence], frames: Mapping[str, Sequence[str]] | None = None,
            find: Callable[[str], list[int]] | None = None) -> list[str]:
    """Structural features of one item (all start with '@', so they never meet a word feature).

    The share of sentences carrying a migration term was tried too and removed: it lowered F1 on the
    event-labelled stream (0.870 → 0.838), the set the rules were not written on.

    `find(term)` gives the character offsets where a frame term occurs (the rules' matcher). The rules'
    verdict itself (fired or not, which kind of rule) is deliberately not a feature: on the items the rules
    were written with it predicts the label almost perfectly, so a model given it learns to copy the rules
    and inherits their mistakes on other outlets (checked by cross-validation, see the README).
    """
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    out = [f"@t:{h.term}@{'title' if h.start < title_end else 'body'}" for h in hits]
    if not frames or find is None:
        return list(dict.fromkeys(out))
    found = {name: sorted({start for term in terms for start in find(term)}) for name, terms in frames.items()}
    for name, starts in found.items():
        out += [f"@f:{name}@{w}" for w in sorted({"title" if start < title_end else "body" for start in starts})]
    return list(dict.fromkeys(out + subject_signals(text, hits, found)))


def subject_signals(text: str, hits: Sequence[Evidence], found: Mapping[str, Sequence[int]]) -> list[str]:
    """Who moves: the `subject_*` frames found in a sentence that carries a rule hit ('@s:subject_group' ...).

    A cheap stand-in for the parse's subject (the topic stage runs before any parsing): "thousands of
    families fled" is about people moving, "he fled the war as a child" is a profile's background, and
    "embassy staff were evacuated" or "troops crossed the border" move something else. Chosen by
    leave-one-group-out cross-validation (README, "Topics"); a frame anywhere else in the text says less.
    """
    if not hits:
        return []
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    carrying = {bisect_right(ends, h.start) for h in hits}
    return [f"@s:{name}" for name in SUBJECTS
            if any(bisect_right(ends, start) in carrying for start in found.get(name, ()))]
