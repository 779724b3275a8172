"""Assemble the stored story and its quotes from an article, its topic matches and its analysis."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pipeline.articles import Article
from pipeline.documents import QuoteDoc, Story, TopicHit, TopQuote
from pipeline.nlp import Analysis
from pipeline.topics import TopicMatch, fold

_WORD = re.compile(r"\w+")

ENTITY_FIELDS = {"person": "persons", "organization": "organizations", "place": "places", "group": "groups",
                 "law": "laws"}


def top_quote(analysis: Analysis) -> TopQuote | None:
    """The quote a reader should see first: a direct quote by a named person, longest first."""
    quotes = sorted(analysis.quotes, key=lambda q: (q.kind != "direct", not q.speaker, not q.speaker_canonical,
                                                    -len(q.quote)))
    if not quotes:
        return None
    q = quotes[0]
    return TopQuote(quote=q.quote, speaker=q.speaker, speaker_canonical=q.speaker_canonical, verb=q.verb, kind=q.kind)


def build_story(article: Article, matches: list[TopicMatch], first_seen: datetime, ingested: datetime, run_id: str,
                source: str = "live", max_hits: int = 200) -> Story:
    """The story as indexed first: text and topic evidence, searchable at once, not yet enriched."""
    published = article.published or first_seen
    return Story(
        story_id=article.story_id, url=article.url, canonical_url=article.canonical_url, feed_id=article.feed_id,
        outlet=article.outlet, language=article.language, country=article.country, title=article.title,
        summary=article.summary, text=article.text, text_source=article.text_source, page_error=article.page_error,
        published=min(published, ingested), ingested=ingested, run_id=run_id, source=source,
        topics=list(dict.fromkeys(m.topic for m in matches)),
        matched_terms=list(dict.fromkeys(t for m in matches for t in m.terms))[:max_hits],
        topic_hits=[TopicHit(topic=m.topic, **asdict(h)) for m in matches for h in m.hits][:max_hits],
        first_seen=first_seen,
        cluster_id=article.story_id,  # its own cluster until pipeline.clusters finds it a copy of another
        search_terms=search_words(article.title, article.summary, article.text),
    )


def search_words(*texts: str) -> str:
    """Folded words (case, accents and apostrophes ignored): the search field until enrichment adds lemmas."""
    return " ".join(_WORD.findall(fold("\n".join(texts))))


def enrichment(analysis: Analysis) -> dict[str, Any]:
    """The fields enrichment adds to a story: entities by kind, quotes, who is quoted, the top quote."""
    by_type: dict[str, Counter[str]] = {f: Counter() for f in ENTITY_FIELDS.values()}
    for entity in analysis.entities:
        by_type[ENTITY_FIELDS[entity.label]][entity.canonical] += 1
    top = top_quote(analysis)
    return {
        "entities": [asdict(e) for e in analysis.entities],
        "quotes": [asdict(q) for q in analysis.quotes],
        "quoted": sorted({q.speaker_canonical for q in analysis.quotes if q.speaker_canonical}),
        "quote_count": len(analysis.quotes),
        "top_quote": top.model_dump() if top else None,
        "search_terms": analysis.lemmas,
        **{name: [value for value, _ in counts.most_common()] for name, counts in by_type.items()},
    }


def build_quotes(story: Story, analysis: Analysis) -> list[QuoteDoc]:
    """One document per quote, with its story's outlet, date and topics."""
    kinds = {e.canonical: e.label for e in analysis.entities if e.label in ("person", "organization")}
    return [QuoteDoc(quote_id=f"{story.story_id}-{number:03d}", story_id=story.story_id, **asdict(quote),
                     speaker_type=kinds.get(quote.speaker_canonical, "other"),
                     outlet=story.outlet, feed_id=story.feed_id, language=story.language, published=story.published,
                     ingested=story.ingested, topics=story.topics, title=story.title, url=story.url,
                     run_id=story.run_id)
            for number, quote in enumerate(analysis.quotes)]
