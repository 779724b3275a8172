"""What analysing one text hands on: its entities, its attributed quotes and its folded lemmas."""

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

    def as_dict(self) -> dict:
        return {"entities": [asdict(e) for e in self.entities], "quotes": [asdict(q) for q in self.quotes]}
