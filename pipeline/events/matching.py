"""Which stream items the events stage keeps: the product's own topic rules and relevance models.

The offline contract (`newswatch events|surges --input`) reads raw stream items; it keeps exactly the
items the poller would keep, matched on "title\\nsummary" as the poller passes them: each part through
`plain_text`, as the poller reads a feed (an item captured with tags, entities or decomposed accents was judged
offline on other words than the poller's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.config import load_topics
from pipeline.text import plain_text
from pipeline.topics.relevance import load_relevance
from pipeline.topics.rules import match_topics


def load_matcher(config_dir: Path) -> Callable[[Mapping[str, Any]], list[str]]:
    """A function from a stream item to the names of the topics that keep it (empty: dropped)."""
    topics = load_topics(config_dir / "topics.yaml")
    models = {t.name: m for t in topics if (m := load_relevance(config_dir, t.name)) is not None}

    def matcher(item: Mapping[str, Any]) -> list[str]:
        text = f"{plain_text(str(item.get('title') or ''))}\n{plain_text(str(item.get('summary') or ''))}"
        language = str(item.get("lang") or item.get("language") or "en")
        return [m.topic for m in match_topics(text, topics, language, models)]

    return matcher
