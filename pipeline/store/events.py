"""The events stage's queries: its remembered state (written compare-and-set), the stories still to place,
event and storyline documents rebuilt from their stories, surge records. Hands on `EventQueries`, a part of
`Store`.

Event and storyline documents are views of the stories that carry their id: rebuilt by one aggregation
each and written only when they changed, so a re-run that places nothing new writes nothing, and a
story placed twice (a crashed run re-run) is still counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from elasticsearch import ConflictError, NotFoundError

from pipeline.errors import StoreError
from pipeline.store.client import BulkResult, StoreClient, _translated, parsed_document
from pipeline.store.documents import FigureFinding, GroupDoc, MonitorState, Story, SurgeDoc

TOP = 10  # people, organisations, places and speakers an event document lists
MAX_IDS = 500  # story ids an event or storyline document lists (its count is exact)


class StateConflict(StoreError):
    """Another run saved the events state since this one read it: this run's placements are void."""


def _top(buckets: Sequence[dict[str, Any]]) -> list[str]:
    return [str(b["key"]) for b in buckets]


def _group_aggs() -> dict[str, Any]:
    terms = {name: {"terms": {"field": name, "size": TOP}} for name in ("persons", "organizations", "quoted")}
    return {
        **terms,
        "places": {"terms": {"field": "geo_places.name", "size": TOP}},  # resolved: no surname tagged a place
        "outlets": {"terms": {"field": "outlet", "size": 100}},  # the list: the count is `outlet_count`'s
        "outlet_count": {"cardinality": {"field": "outlet"}},  # a story told by 150 outlets was "100" (exact to 3,000)
        "topics": {"terms": {"field": "topics", "size": 10}},
        "ids": {"terms": {"field": "story_id", "size": MAX_IDS, "order": {"first": "asc"}},
                "aggs": {"first": {"min": {"field": "published"}}}},
        "events": {"terms": {"field": "event_id", "size": MAX_IDS}},
        "distinct": {"cardinality": {"field": "cluster_id"}},
        "unclustered": {"missing": {"field": "cluster_id"}},
        "first": {"min": {"field": "published"}},
        "last": {"max": {"field": "published"}},
        "timeline": {"date_histogram": {"field": "published", "calendar_interval": "day", "min_doc_count": 1}},
        "quotes": {"filter": {"exists": {"field": "top_quote.quote"}},
                   "aggs": {"best": {"top_hits": {"size": 3, "sort": [{"quote_count": "desc"}, {"published": "asc"}],
                                                  "_source": ["story_id", "outlet", "top_quote"]}}}},
    }


class EventQueries(StoreClient):
    @_translated("reading the events state")
    def monitor_state(self, key: str) -> tuple[dict[str, Any], int, tuple[int, int] | None]:
        """The saved state, the stories placed so far, and the version to save against (None: never saved)."""
        try:
            found = self.client.get(index=self.index("monitor"), id=key)
        except NotFoundError:
            return {}, 0, None
        doc = parsed_document(MonitorState, "monitor", key, found["_source"])
        if doc is None:  # a fresh state saved over it would be refused (it exists): say what to do
            raise StoreError("reading the events state", f"monitor/{key} cannot be read by this version: delete it "
                             "to start the events state afresh (the next run places the unplaced stories again)")
        return doc.state, doc.stories, (found["_seq_no"], found["_primary_term"])

    @_translated("saving the events state")
    def save_monitor_state(self, key: str, state: dict[str, Any], stories: int,
                           version: tuple[int, int] | None) -> tuple[int, int]:
        """Save only if nobody saved since `version` was read; else StateConflict (the caller's task retries).
        The new version, to save against next."""
        doc = MonitorState(key=key, state=state, stories=stories, updated=self.now()).to_source()
        try:
            if version is None:
                saved = self.client.create(index=self.index("monitor"), id=key, document=doc, refresh=True)
            else:
                saved = self.client.index(index=self.index("monitor"), id=key, document=doc, if_seq_no=version[0],
                                          if_primary_term=version[1], refresh=True)
        except ConflictError:
            raise StateConflict("saving the events state",
                                "another run placed stories since this one read it; run again") from None
        return saved["_seq_no"], saved["_primary_term"]

    @_translated("holding the events lease")
    def hold_lease(self, key: str, holder: str, until: datetime, supersedes: Callable[[str], bool] | None = None) -> bool:
        """Take or renew a lease (compare-and-set on its document): True when `holder` holds it until `until`, False
        while another holder's lease runs, unless `supersedes` that holder (a task's retry, its attempt before).
        A run writing documents from a state another run has moved past would put old documents over new ones;
        with the lease, one run works at a time."""
        now = self.now()
        doc = MonitorState(key=key, state={"holder": holder, "until": until.isoformat()}, updated=now).to_source()
        try:
            found = self.client.get(index=self.index("monitor"), id=key)
        except NotFoundError:
            found = None
        try:
            if found is None:
                self.client.create(index=self.index("monitor"), id=key, document=doc, refresh=True)
                return True
            lease = found["_source"].get("state") or {}
            other = str(lease.get("holder") or "")
            if other != holder and lease.get("until") and datetime.fromisoformat(lease["until"]) > now and not (
                    supersedes is not None and supersedes(other)):
                return False
            self.client.index(index=self.index("monitor"), id=key, document=doc, if_seq_no=found["_seq_no"],
                              if_primary_term=found["_primary_term"], refresh=True)
        except ConflictError:  # another run took it between the read and the write, or this call did: a write
            # applied whose answer timed out is sent again by the client (`retry_on_timeout`) and refused as taken;
            # read as lost, the run placed nothing in green and its own lease held every run back for half an hour
            return self._lease_is(key, {"holder": holder, "until": until.isoformat()})
        return True

    def _lease_is(self, key: str, lease: dict[str, Any]) -> bool:
        """Whether the stored lease is exactly this one (holder and term): no other holder writes ours."""
        try:
            found = self.client.get(index=self.index("monitor"), id=key)
        except NotFoundError:
            return False
        return bool(found["_source"].get("state") == lease)

    @_translated("releasing the events lease")
    def release_lease(self, key: str, holder: str) -> None:
        """Give a lease up at once, if it is still `holder`'s: the next run need not wait for it to run out."""
        try:
            found = self.client.get(index=self.index("monitor"), id=key)
            if (found["_source"].get("state") or {}).get("holder") == holder:
                self.client.delete(index=self.index("monitor"), id=key, if_seq_no=found["_seq_no"],
                                   if_primary_term=found["_primary_term"], refresh=True)
        except (NotFoundError, ConflictError):
            pass

    def unplaced_stories(self, limit: int = 5000) -> Iterator[Story]:
        """Enriched on-topic stories without an event yet, oldest first (the order they are placed in), without
        what placing them never reads (quotes, MinHash, search terms: a backlog of 5,000 held hundreds of MB)."""
        query = {"bool": {"filter": [{"term": {"enriched": True}}, {"exists": {"field": "topics"}}],
                          "must_not": [{"exists": {"field": "event_id"}}]}}
        heavy = ["quotes", "top_quote", "minhash", "minhash_bands", "search_terms", "topic_hits", "figures"]
        for number, story in enumerate(self.scan("stories", query, [{"published": "asc"}, {"story_id": "asc"}],
                                                 without=heavy)):
            if number >= limit:
                return
            yield story

    @_translated("summarising events")
    def summarise_groups(self, level: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """One aggregation per event (`level` "event") or storyline over the stories that carry its id."""
        field_name = "event_id" if level == "event" else "storyline_id"
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 50):
            chunk = list(ids[start: start + 50])
            searches: list[dict[str, Any]] = []
            for group_id in chunk:
                searches += [{"index": self.index("stories")},
                             {"size": 0, "track_total_hits": True,  # a year-long storyline passes 10,000 reports
                              "query": {"term": {field_name: group_id}}, "aggs": _group_aggs()}]
            for group_id, answer in zip(chunk, self.client.msearch(searches=searches)["responses"], strict=True):
                if "error" in answer:
                    raise StoreError("summarising events", str(answer["error"])[:300])
                if answer["hits"]["total"]["value"]:
                    out[group_id] = {"reports": answer["hits"]["total"]["value"], **answer["aggregations"]}
        return out

    def group_doc(self, level: str, group_id: str, title: str, storyline_id: str | None,
                  found: dict[str, Any]) -> GroupDoc:
        """The document of one event or storyline from its aggregation (`summarise_groups`)."""
        quotes = [{"quote": h["_source"]["top_quote"]["quote"], "speaker": h["_source"]["top_quote"].get("speaker_canonical")
                   or h["_source"]["top_quote"].get("speaker"), "story_id": h["_source"]["story_id"],
                   "outlet": h["_source"].get("outlet")} for h in found["quotes"]["best"]["hits"]["hits"]]
        outlets = _top(found["outlets"]["buckets"])
        return GroupDoc(
            group_id=group_id, level="event" if level == "event" else "storyline", title=title,
            topics=_top(found["topics"]["buckets"]), first_seen=found["first"]["value_as_string"],
            last_seen=found["last"]["value_as_string"], reports=found["reports"],
            stories=int(found["distinct"]["value"]) + int(found["unclustered"]["doc_count"]),
            outlet_count=int(found["outlet_count"]["value"]), outlets=outlets, story_ids=_top(found["ids"]["buckets"]),
            storyline_id=storyline_id if level == "event" else None,
            event_ids=_top(found["events"]["buckets"]) if level == "storyline" else [],
            persons=_top(found["persons"]["buckets"]), organizations=_top(found["organizations"]["buckets"]),
            places=_top(found["places"]["buckets"]), quoted=_top(found["quoted"]["buckets"]), top_quotes=quotes,
            timeline=[{"day": b["key_as_string"][:10], "reports": b["doc_count"]}
                      for b in found["timeline"]["buckets"]],
            updated=self.now())

    def write_changed(self, kind: str, docs: Iterable[tuple[str, GroupDoc | SurgeDoc | FigureFinding]]) -> BulkResult:
        """Write the documents whose content (all but `updated`) differs from what is stored."""
        pending = dict(docs)
        stored = self.get_many(kind, pending) if pending else {}
        changed = [(doc_id, doc) for doc_id, doc in pending.items()
                   if doc_id not in stored or stored[doc_id].model_dump(exclude={"updated"})
                   != doc.model_dump(exclude={"updated"})]
        return self.write(kind, changed, refresh=False) if changed else BulkResult()

    @_translated("reading events")
    def recent_groups(self, level: str, since: datetime, size: int = 20, topic: str | None = None,
                      sort: str = "stories") -> list[GroupDoc]:
        """Events or storylines seen since a time, the most reported first (or the latest: `sort="last_seen"`)."""
        filters: list[dict[str, Any]] = [{"term": {"level": level}}, {"range": {"last_seen": {"gte": since.isoformat()}}}]
        if topic:
            filters.append({"term": {"topics": topic}})
        found = self.client.search(index=self.index("events"), query={"bool": {"filter": filters}}, size=size,
                                   sort=[{sort: "desc"}, {"last_seen": "desc"}])
        return [doc for h in found["hits"]["hits"]
                if (doc := parsed_document(GroupDoc, "events", h["_id"], h["_source"])) is not None]

    @_translated("reading surges")
    def surges_since(self, since: datetime, topics: Sequence[str] | None = None, news_time: bool = False) -> list[SurgeDoc]:
        """Surge records raised or grown since a time, oldest first (what the alerts stage looks at); with
        `news_time`, surges that peaked or ended since then in the news (a replay writes old surges today)."""
        when = [{"range": {"peak": {"gte": since.isoformat()}}}, {"range": {"end": {"gte": since.isoformat()}}},
                {"bool": {"must_not": {"exists": {"field": "end"}}}}] if news_time else []
        filters: list[dict[str, Any]] = [{"bool": {"should": when, "minimum_should_match": 1}} if news_time
                                         else {"range": {"updated": {"gte": since.isoformat()}}}]
        if topics:
            filters.append({"terms": {"topic": list(topics)}})
        return list(self.scan("surges", {"bool": {"filter": filters}}, [{"start": "asc"}, {"surge_id": "asc"}]))

    @_translated("reading surges")
    def surges_of(self, key: str, until: datetime) -> list[SurgeDoc]:
        """The surges of one series (every topic's) that started by `until`, the latest 20: whether a surge
        another topic's detector raised is one happening with an earlier one (`pipeline.alerts.surges`)."""
        found = self.client.search(index=self.index("surges"), size=20, sort=[{"start": "desc"}], query={"bool": {
            "filter": [{"term": {"key": key}}, {"range": {"start": {"lte": until.isoformat()}}}]}})
        return [doc for hit in found["hits"]["hits"]
                if (doc := parsed_document(SurgeDoc, "surges", hit["_id"], hit["_source"])) is not None]

    def event_figures(self, event_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
        """The stories of these events that report a number of people: what `pipeline.events.figures` compares."""
        query = {"bool": {"filter": [{"terms": {"event_id": list(event_ids)}}, {"exists": {"field": "figures.value"}}]}}
        return self.scan("stories", query, [{"published": "asc"}, {"story_id": "asc"}],
                         source=["story_id", "outlet", "published", "date_source", "event_id", "storyline_id", "topics",
                                 "figures", "focus_place"])

    def findings_since(self, since: datetime) -> list[FigureFinding]:
        """Figure findings recorded or grown since a time, oldest change first (what the alerts stage reads)."""
        query = {"range": {"updated": {"gte": since.isoformat()}}}
        return list(self.scan("figure-findings", query, [{"at": "asc"}, {"finding_id": "asc"}]))

    @_translated("dropping figure findings")
    def drop_findings(self, event_ids: Sequence[str], keep: Collection[str]) -> int:
        """Delete the findings of these events not in `keep`: what their stories no longer show (a report that
        arrived late changed the walk). Ids are read, a page at a time, then deleted: the node has no
        delete-by-query, and one search stops at 10,000 (the rest stayed, counted as current)."""
        if not event_ids:
            return 0
        query = {"bool": {"filter": [{"terms": {"event_id": list(event_ids)}}], "must_not": [{"ids": {"values": list(keep)}}]}}
        self.client.indices.refresh(index=self.index("figure-findings"))  # what was just written counts
        stale = [f["finding_id"] for f in self.scan("figure-findings", query, [{"finding_id": "asc"}], page=5000,
                                                    source=["finding_id"]) if f.get("finding_id")]
        if not stale:
            return 0
        return self.delete_many("figure-findings", stale).require("deleting figure-findings").ok

    def event_findings(self, event_id: str) -> list[FigureFinding]:
        return list(self.scan("figure-findings", {"term": {"event_id": event_id}}, [{"at": "asc"}, {"finding_id": "asc"}]))

    def series_counts(self, field_name: str, value: str, since: datetime) -> list[tuple[str, int]]:
        """Distinct stories a day in one series (a field and value of the stories), for the surge chart."""
        found = self.client.search(
            index=self.index("stories"), size=0,
            query={"bool": {"filter": [{"term": {field_name: value}}, {"range": {"published": {"gte": since.isoformat()}}}]}},
            aggs={"days": {"date_histogram": {"field": "published", "calendar_interval": "day", "min_doc_count": 0,
                                              "extended_bounds": {"min": since.isoformat(), "max": self.now().isoformat()}},
                           "aggs": {"copies": {"cardinality": {"field": "cluster_id"}},
                                    "single": {"missing": {"field": "cluster_id"}}}}})
        return [(b["key_as_string"][:10], int(b["copies"]["value"]) + int(b["single"]["doc_count"]))
                for b in found["aggregations"]["days"]["buckets"]]
