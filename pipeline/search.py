"""Query indexed stories for the command line: outlet, date, matched topics and the top quote."""

from __future__ import annotations

from pipeline.index import connect
from pipeline.settings import Settings


def search_stories(settings: Settings, query: str, topic: str | None = None, size: int = 10) -> list[dict]:
    """Stories matching `query` (quoted phrases, AND/OR/-, as in Kibana's simple syntax), newest first."""
    must: list[dict] = [{"simple_query_string": {"query": query, "fields": ["title^3", "summary^2", "text"],
                                                 "default_operator": "and"}}]
    if topic:
        must.append({"term": {"topics": topic}})
    es = connect(settings.es_url)
    found = es.search(index=f"{settings.index_prefix}-stories", query={"bool": {"must": must}}, size=size,
                      sort=[{"_score": "desc"}, {"published": "desc"}],
                      source_excludes=["text", "entities", "quotes"],
                      highlight={"fields": {"text": {"fragment_size": 160, "number_of_fragments": 1}},
                                 "pre_tags": ["["], "post_tags": ["]"]})
    return [{**hit["_source"], "_highlight": hit.get("highlight", {})} for hit in found["hits"]["hits"]]


def format_hit(hit: dict) -> str:
    lines = [f"{hit['published'][:10]}  {hit['outlet']}  [{', '.join(hit.get('topics', []))}]",
             f"  {hit['title']}", f"  {hit['url']}"]
    terms = hit.get("matched_terms") or []
    if terms:
        lines.append(f"  matched: {', '.join(terms[:8])}")
    snippet = (hit.get("_highlight", {}).get("text") or [None])[0]
    if snippet:
        lines.append(f"  …{' '.join(snippet.split())}…")
    quote = hit.get("top_quote")
    if quote:
        who = quote.get("speaker_canonical") or quote.get("speaker") or "unattributed"
        lines.append(f"  quote: {' '.join(quote['quote'].split())[:200]} — {who}")
    return "\n".join(lines) + "\n"
