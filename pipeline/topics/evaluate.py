"""Try topic rules on a labelled file: precision, recall, speed and the misclassified items.

This is the analyst's loop for tuning their own topics (`newswatch topics-eval`). Items are judged
on title + description only, as a feed item is before its page is fetched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Topic
from pipeline.text import item_text
from pipeline.topics.labelled_rows import read_labelled_rows
from pipeline.topics.relevance import RelevanceModel
from pipeline.topics.rules import TopicMatch, match_topics

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Evaluation:
    topic: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    items_per_second: float = 0.0  # the rule stage
    model_items_per_second: float | None = None  # rules and the relevance model together
    false_positives: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, terms that fired)
    missed: list[str] = field(default_factory=list)
    predictions: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0



def evaluate(labelled: Path, topics: list[Topic], topic: str,
             models: Mapping[str, RelevanceModel] | None = None) -> Evaluation:
    """Borderline items are left out of the counts but kept in `predictions`.

    Speed is measured twice: the rule stage alone, and rules with the relevance model.
    """
    items = read_labelled_rows(labelled)
    texts = [item_text(i) for i in items]

    def timed(with_models: Mapping[str, RelevanceModel] | None) -> tuple[float, list[list[TopicMatch]]]:
        timings, results = [], []
        for _ in range(3):  # best of three: the first pass also compiles the rules
            started = time.perf_counter()
            results = [match_topics(t, topics, i.get("lang", "en"), with_models) for t, i in
                       zip(texts, items, strict=True)]
            timings.append(time.perf_counter() - started)
        return len(items) / max(min(timings), 1e-9), results

    rule_speed, results = timed(None)
    result = Evaluation(topic, items_per_second=rule_speed)
    if models:
        result.model_items_per_second, results = timed(models)
    for item, matches in zip(items, results, strict=True):
        result.predictions.append({"id": item.get("id"), "topics": [m.topic for m in matches]})
        hit = next((m for m in matches if m.topic == topic), None)
        label = item.get("label")
        if hit and label == "on":
            result.tp += 1
        elif hit and label == "off":
            result.fp += 1
            result.false_positives.append((item.get("title", ""), hit.terms[:5]))
        elif label == "on" and not hit:
            result.fn += 1
            result.missed.append(item.get("title", ""))
    return result


def report(result: Evaluation) -> str:
    lines = [f"{result.topic}: precision {result.precision:.3f}  recall {result.recall:.3f}  "
             f"(tp {result.tp}, fp {result.fp}, fn {result.fn}; unweighted, borderline left out)",
             f"speed: rule stage {result.items_per_second:,.0f} items/s on one core"
             + (f"; rules and model {result.model_items_per_second:,.0f} items/s"
                if result.model_items_per_second else "")]
    lines += [f"  false positive  {t[:90]}  ← {', '.join(terms)}" for t, terms in result.false_positives]
    lines += [f"  missed          {t[:90]}" for t in result.missed]
    return "\n".join(lines)
