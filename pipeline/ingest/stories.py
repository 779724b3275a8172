"""Assemble the story as first indexed from an article and its topic matches: searchable before enrichment."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime

from pipeline.ingest.articles import Article
from pipeline.store.documents import Story, TopicHit
from pipeline.text import fold
from pipeline.topics.rules import TopicMatch

_WORD = re.compile(r"\w+")


def build_story(article: Article, matches: list[TopicMatch], first_seen: datetime, ingested: datetime, run_id: str,
                source: str = "live", max_hits: int = 200) -> Story:
    """The story as indexed first: text and topic evidence, searchable at once, not yet enriched."""
    published = article.published or first_seen
    return Story(
        story_id=article.story_id, url=article.url, canonical_url=article.canonical_url, feed_id=article.feed_id,
        outlet=article.outlet, language=article.language, country=article.country, title=article.title,
        summary=article.summary, text=article.text, text_source=article.text_source, page_error=article.page_error,
        published=min(published, ingested), date_source=article.date_source, ingested=ingested, run_id=run_id,
        source=source,
        topics=list(dict.fromkeys(m.topic for m in matches)),
        matched_terms=list(dict.fromkeys(t for m in matches for t in m.terms))[:max_hits],
        topic_hits=[TopicHit(topic=m.topic, **asdict(h)) for m in matches for h in m.hits][:max_hits],
        first_seen=first_seen,
        cluster_id=article.story_id,  # its own cluster until pipeline.ingest.clusters finds it a copy of another
        search_terms=search_words(article.title, article.summary, article.text),
    )


def search_words(*texts: str) -> str:
    """Folded words (case, accents and apostrophes ignored): the search field until enrichment adds lemmas."""
    return " ".join(_WORD.findall(fold("\n".join(texts))))

