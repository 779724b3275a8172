"""Full-text search over stories, one hit per cluster, highlighted. Hands on `SearchQueries`, a part of
`Store`, and `Page`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.store.client import _translated, parsed_document
from pipeline.store.documents import Story
from pipeline.store.indices import IndexLifecycle

LANGUAGE_SEARCH_FIELDS = ("title.en", "summary.en", "text.en", "title.fr", "summary.fr", "text.fr")


@dataclass(frozen=True)
class Page:
    """Search hits as documents, with the highlight Elasticsearch returned for each."""

    doc: Any
    highlight: dict[str, list[str]]
    copies: list[str] = field(default_factory=list)  # outlets of the other stories of its cluster
    event: Any = None  # the event (GroupDoc) its story reports, when search folds hits by event
    folded: int = 0  # other hits of the same event folded into this one


class SearchQueries(IndexLifecycle):  # it asks whether the index has the language sub-fields
    @_translated("searching stories")
    def search_stories(self, query: str, highlight: str, topic: str | None = None, size: int = 10,
                       collapse: bool = True, filters: list[dict[str, Any]] | None = None) -> list[Page]:
        """Stories whose search terms match a simple query string, best first, one per cluster when collapsing.

        `query` is already analysed (folded, lemmatized); `highlight` is what the user typed, marked in the text.
        """
        matches: list[dict[str, Any]] = [{"simple_query_string": {
            "query": query, "fields": ["search_terms"], "default_operator": "and"}}]
        if self._language_search():  # the node's own stemmers, on what the user typed
            matches.append({"simple_query_string": {"query": highlight, "fields": list(LANGUAGE_SEARCH_FIELDS),
                                                    "default_operator": "and"}})
        must: list[dict[str, Any]] = [{"bool": {"should": matches, "minimum_should_match": 1}}] if query.strip() \
            else [{"match_all": {}}]
        must += filters or []  # places, countries (pipeline.ops.search.place_filters)
        if topic:
            must.append({"term": {"topics": topic}})
        extra: dict[str, Any] = {}
        if collapse:
            extra["collapse"] = {"field": "cluster_id", "inner_hits": {
                "name": "copies", "size": 5, "_source": ["outlet", "story_id"], "sort": [{"published": "asc"}]}}
        found = self.client.search(
            index=self.index("stories"), query={"bool": {"must": must}}, size=size,
            sort=[{"_score": "desc"}, {"published": "desc"}], source_excludes=["minhash", "search_terms", "text"],
            highlight={"fields": {"text": {"fragment_size": 160, "number_of_fragments": 1}}, "pre_tags": ["["],
                       "post_tags": ["]"], "highlight_query": {"simple_query_string": {"query": highlight or "*",
                                                                                       "fields": ["text"]}}},
            **extra)
        pages = []
        for hit in found["hits"]["hits"]:
            copies = hit.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("hits", [])
            outlets = [c["_source"]["outlet"] for c in copies if c["_id"] != hit["_id"]]
            if (doc := parsed_document(Story, "stories", hit["_id"], {**hit["_source"], "text": ""})) is None:
                continue
            pages.append(Page(doc, hit.get("highlight", {}), list(dict.fromkeys(o for o in outlets
                                                                                 if o != doc.outlet))))
        return pages

    def _language_search(self) -> bool:
        """Whether the stories index carries the language sub-fields (made when the node had the analyzers)."""
        if not self.language_analyzers():
            return False
        text = self.live_mapping("stories").get("properties", {}).get("text", {})
        return "en" in text.get("fields", {})
