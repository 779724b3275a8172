"""What analysing one text hands on: its entities, attributed quotes, folded lemmas, places and figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from pipeline.nlp.entities import Entity
from pipeline.nlp.quotes import Quote
from pipeline.text import fold


@dataclass
class Analysis:
    entities: list[Entity]
    quotes: list[Quote]
    lemmas: str = ""  # the text's lemmas, folded: what search matches, so "migrants" finds "migrant"
    lemma_of: dict[str, str] = field(default_factory=dict, repr=False)  # folded word → folded lemma, in this text
    places: list[dict] = field(default_factory=list)  # resolved to GeoNames (pipeline.nlp.places)
    focus: dict | None = None  # where the story happens
    figures: list[dict] = field(default_factory=list)  # numbers of people (pipeline.nlp.figures)
    place_spans: list[tuple[int, int, int]] = field(default_factory=list, repr=False)  # (start, end, index in places)
    figure_spans: list[tuple[int, int]] = field(default_factory=list, repr=False)  # character span of each figure
    error: str = ""  # why the extractors failed on this text (analyze_stream with keep_going): nothing else is set

    def as_dict(self) -> dict:
        return {"entities": [asdict(e) for e in self.entities], "quotes": [asdict(q) for q in self.quotes],
                "places": self.places, "focus": self.focus, "figures": self.figures}


def with_headline(title: str | None, text: str) -> tuple[str, int]:
    """The text to analyse, headline first, and how far that moved the text: a headline names the place and
    the toll ("Swansea riot: 27 people charged") that the text below may not repeat, and says where the story
    happens. Nothing moves when there is no headline or the text already opens with it."""
    head = " ".join((title or "").split())
    if not head or fold(" ".join(text.split())[: len(head)]) == fold(head):
        return text, 0
    return f"{head}\n\n{text}", len(head) + 2


def without_headline(analysis: Analysis, offset: int) -> Analysis:
    """Offsets back into the text as given. Entities and quotes of the headline itself are dropped (they have
    no place in the text); its places and figures stay, as the story's."""
    if not offset:
        return analysis
    analysis.entities = [replace(e, start=e.start - offset, end=e.end - offset)
                         for e in analysis.entities if e.start >= offset]
    analysis.quotes = [replace(q, start=q.start - offset, end=q.end - offset)
                       for q in analysis.quotes if q.start >= offset]
    analysis.place_spans = [(a - offset, b - offset, i) for a, b, i in analysis.place_spans]
    analysis.figure_spans = [(a - offset, b - offset) for a, b in analysis.figure_spans]
    return analysis
