"""What analysing one text hands on: its entities, attributed quotes, folded lemmas, places and figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pipeline.nlp.entities import Entity
from pipeline.nlp.quotes import Quote


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

    def as_dict(self) -> dict:
        return {"entities": [asdict(e) for e in self.entities], "quotes": [asdict(q) for q in self.quotes],
                "places": self.places, "focus": self.focus, "figures": self.figures}
