"""The stories and quotes stages' queries: writing stories, the ones waiting for enrichment or enriched
since a time, freshness per feed, who is quoted. Hands on `StoryQueries`, a part of `Store`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pipeline.store.client import BulkResult, StoreClient, _translated
from pipeline.store.documents import Story


class StoryQueries(StoreClient):
    def write_stories(self, stories: Iterable[Story], chunk: int = 500, create_only: bool = False) -> BulkResult:
        """With `create_only` (the poll), a story stored meanwhile is left as it is, counted in `conflicts`: two
        overlapping passes (`newswatch poll --force` beside the DAG's) both found it new, and the later whole
        write wiped the enrichment the first one's story had got since (entities, quotes, `alerted_at`)."""
        if not create_only:
            return self.write("stories", ((s.story_id, s) for s in stories), chunk=chunk)
        actions = ({"_op_type": "create", "_index": self.index("stories"), "_id": s.story_id, "_source": s.to_source()}
                   for s in stories)
        return self._bulk("stories", actions, refresh=True, chunk=chunk, conflicts_ok=True)

    def stories(self, ids: Iterable[str]) -> dict[str, Story]:
        return self.get_many("stories", ids)

    def enriched_since(self, since: datetime, page: int = 500) -> Iterator[Story]:
        """Live stories enriched at or after a time, oldest first (what the alerts stage has not seen)."""
        query = {"bool": {"filter": [{"term": {"enriched": True}}, {"range": {"enriched_at": {"gte": since.isoformat()}}}],
                          "must_not": [{"term": {"source": "replay"}}]}}
        return self.scan("stories", query, [{"enriched_at": "asc"}, {"story_id": "asc"}], page)

    def waiting_stories(self, page: int = 200, ids: Iterable[str] | None = None,
                        left_out: dict[str, str] | None = None) -> Iterator[Story]:
        """Stories indexed with their text but not yet enriched (of `ids`, if given), oldest first; not those set
        aside (`enrich_error`). Without what enrichment never reads: a backlog of 5,000 stories, each with its
        MinHash and search terms beside a text of up to 200,000 characters, held gigabytes. Those that cannot
        be read as a story (edited by hand) go to `left_out` with why."""
        query: dict[str, Any] = {"bool": {"filter": [{"term": {"enriched": False}}],
                                          "must_not": [{"exists": {"field": "enrich_error"}}]}}
        if ids is not None:
            query["bool"]["filter"].append({"ids": {"values": list(ids)}})
        return self.scan("stories", query, [{"ingested": "asc"}, {"story_id": "asc"}], page,
                         without=["minhash", "minhash_bands", "search_terms", "topic_hits"], left_out=left_out)

    @_translated("reading stories set aside")
    def set_aside_among(self, ids: Iterable[str]) -> dict[str, str]:
        """The stories of `ids` set aside from enrichment, with why (`enrich_error`), by document id: one set aside
        because it cannot be read (its `story_id` removed by hand) has nothing else to go by, and read by that field
        it failed every retry of its batch with a KeyError."""
        wanted = list(dict.fromkeys(ids))
        out: dict[str, str] = {}
        for start in range(0, len(wanted), 1000):
            docs = self.client.mget(index=self.index("stories"), ids=wanted[start: start + 1000],
                                    source_includes=["enrich_error"])["docs"]
            out |= {d["_id"]: str(why) for d in docs
                    if d.get("found") and (why := d["_source"].get("enrich_error")) is not None}
        return out

    @_translated("measuring freshness")
    def freshness(self, feed_ids: list[str], since: datetime) -> dict[str, dict[str, float | None]]:
        """Per feed: p50 and p95 of seconds from first seen to searchable, enriched and alerted."""
        fields = ("searchable_delay", "enriched_delay", "alerted_delay")
        found = self.client.search(index=self.index("stories"), size=0, query={"bool": {"filter": [
            {"terms": {"feed_id": feed_ids}}, {"range": {"ingested": {"gte": since.isoformat()}}}]}},
            aggs={"feeds": {"terms": {"field": "feed_id", "size": max(1, len(feed_ids))}, "aggs": {
                f: {"percentiles": {"field": f, "percents": [50, 95]}} for f in fields}}})
        out: dict[str, dict[str, float | None]] = {}
        for bucket in found["aggregations"]["feeds"]["buckets"]:
            row: dict[str, float | None] = {}
            for f in fields:
                values = bucket[f]["values"]
                row[f"{f}_p50"], row[f"{f}_p95"] = values.get("50.0"), values.get("95.0")
            out[bucket["key"]] = row
        return out

    def top_speakers(self, size: int, run_id: str | None = None) -> list[tuple[str, int]]:
        """Canonical speakers by number of quotes, with the persons named in stories among them."""
        query = {"term": {"run_id": run_id}} if run_id else None
        return self.terms("quotes", "speaker_canonical", size, query)

    def first_quoted(self, story: Story) -> list[str]:
        """Speakers the story quotes who were never quoted on its topics before it (alerts on new voices)."""
        if not story.quoted:
            return []
        found = self.terms("quotes", "speaker_canonical", len(story.quoted), {"bool": {"filter": [
            {"terms": {"speaker_canonical": story.quoted}}, {"terms": {"topics": story.topics}},
            {"range": {"published": {"lt": story.published.isoformat()}}}],
            "must_not": [{"term": {"story_id": story.story_id}}]}}, include=story.quoted)
        return sorted(set(story.quoted) - {name for name, _ in found})

    def named_persons(self, names: list[str]) -> set[str]:
        """Which of these names some story lists among its persons."""
        if not names:
            return set()
        found = self.terms("stories", "persons", len(names), {"terms": {"persons": names}}, include=names)
        return {name for name, _ in found}
