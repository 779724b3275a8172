"""Search indexed stories for the command line: outlet, date, matched topics and the top quote."""

from __future__ import annotations

from pipeline.store import Page, Store


def search_stories(store: Store, query: str, topic: str | None = None, size: int = 10) -> list[Page]:
    """Stories matching `query` (quoted phrases, AND/OR/-, as in Kibana's simple syntax), best first."""
    return store.search_stories(query, topic=topic, size=size)


def format_hit(hit: Page) -> str:
    story = hit.doc
    lines = [f"{story.published.date().isoformat()}  {story.outlet}  [{', '.join(story.topics)}]",
             f"  {story.title}", f"  {story.url}"]
    if story.matched_terms:
        lines.append(f"  matched: {', '.join(story.matched_terms[:8])}")
    fragments = hit.highlight.get("text") or []
    if fragments:
        lines.append(f"  …{' '.join(fragments[0].split())}…")
    quote = story.top_quote
    if quote:
        who = quote.speaker_canonical or quote.speaker or "unattributed"
        lines.append(f"  quote: {' '.join(quote.quote.split())[:200]} — {who}")
    return "\n".join(lines) + "\n"
