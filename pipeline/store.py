"""Everything Newswatch keeps in Elasticsearch, read and written through one object.

`Store` owns the client, the index names, the templates and the clock. Every document has a
deterministic id (story id, story id + quote number, feed id, alert id), so writing the same batch
twice leaves the same documents. Reads that can be long page with `search_after` (never a size cap);
bulk writes go in chunks and report each rejected document. This is the only module that imports
the Elasticsearch client (with `pipeline.local`, which starts a node for development).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError, helpers

from pipeline.documents import (
    INDEXED,
    AlertRecord,
    Document,
    FeedState,
    PollRecord,
    QuoteDoc,
    StateEntry,
    Story,
    mapping_of,
)
from pipeline.errors import StoreError, StoreUnavailable, WriteRejected
from pipeline.poll_summary import NEW_ITEM_TIMES, RECENT_SUCCESSES, PollSummary
from pipeline.redact import redact
from pipeline.settings import Settings
from pipeline.timing import utcnow

log = logging.getLogger(__name__)
MAX_BULK_BYTES = 10_000_000  # well under Elasticsearch's http.max_content_length (100 MB)
P = ParamSpec("P")
R = TypeVar("R")



def _translated(operation: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Elasticsearch's own exceptions become StoreErrors that say what we were doing, never a credential."""

    def translate(exc: Exception, store: object) -> StoreError:
        if isinstance(exc, TransportError):
            where = redact(store.url) if isinstance(store, Store) else "Elasticsearch"
            return StoreUnavailable(operation, f"{where} did not answer ({type(exc).__name__})")
        assert isinstance(exc, ApiError)
        return StoreError(operation, f"HTTP {exc.meta.status}: {_reason(exc)}")

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        if inspect.isgeneratorfunction(func):  # errors arrive while iterating, not at the call

            @functools.wraps(func)
            def iterate(*args: P.args, **kwargs: P.kwargs) -> Any:
                try:
                    yield from func(*args, **kwargs)
                except (TransportError, ApiError) as exc:
                    raise translate(exc, args[0]) from None

            return iterate

        @functools.wraps(func)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except (TransportError, ApiError) as exc:
                raise translate(exc, args[0]) from None

        return call

    return wrap


def _reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(exc.message)


# text fields that get English and French sub-fields when the node has the language analyzers
LANGUAGE_FIELDS = {"stories": ("title", "summary", "text"), "quotes": ("quote",)}
LANGUAGE_SEARCH_FIELDS = ("title.en", "summary.en", "text.en", "title.fr", "summary.fr", "text.fr")


def with_language_fields(kind: str, mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping with stemmed English and French sub-fields (`text.en`, `text.fr`) on its prose fields."""
    properties = dict(mapping["properties"])
    for name in LANGUAGE_FIELDS.get(kind, ()):
        properties[name] = {**properties[name], "fields": {
            **properties[name].get("fields", {}),
            "en": {"type": "text", "analyzer": "english"}, "fr": {"type": "text", "analyzer": "french"}}}
    return {**mapping, "properties": properties}


@dataclass
class BulkResult:
    """How a bulk write went: documents written, and each rejected one with Elasticsearch's reason."""

    ok: int = 0
    rejected: dict[str, str] = field(default_factory=dict)

    def add(self, other: BulkResult) -> None:
        self.ok += other.ok
        self.rejected.update(other.rejected)

    def require(self, what: str) -> BulkResult:
        """Raise WriteRejected when any document was refused: for writes whose loss would lose data silently."""
        if self.rejected:
            raise WriteRejected(what, self.rejected)
        return self


@dataclass(frozen=True)
class Page:
    """Search hits as documents, with the highlight Elasticsearch returned for each."""

    doc: Any
    highlight: dict[str, list[str]]
    copies: list[str] = field(default_factory=list)  # outlets of the other stories of its cluster


def claimable(record: AlertRecord, at: datetime) -> bool:
    """Pending and due, or claimed by a delivery pass that did not finish in time."""
    if record.next_attempt is not None and record.next_attempt > at:
        return False
    return record.status == "pending" or record.status == "sending" and (
        record.claimed_until is None or record.claimed_until <= at)


def _due(at: datetime) -> dict[str, Any]:
    """The query side of `claimable` (without the next attempt)."""
    return {"bool": {"should": [{"term": {"status": "pending"}}, {"bool": {"filter": [
        {"term": {"status": "sending"}}, {"range": {"claimed_until": {"lte": at.isoformat()}}}]}}],
        "minimum_should_match": 1}}


class Store:
    """One Elasticsearch, one index prefix; build it once per task or command with `Store.open`."""

    def __init__(self, client: Elasticsearch, prefix: str, url: str = "",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.client, self.prefix, self.url, self.now = client, prefix, url, clock
        self._analyzers: bool | None = None

    @classmethod
    def open(cls, settings: Settings, ensure: bool = True, clock: Callable[[], datetime] = utcnow) -> Store:
        """Connect (with an API key, or user and password, and a CA when given) and make sure the indices exist."""
        auth: dict[str, Any] = {}
        if settings.es_api_key:
            auth["api_key"] = settings.es_api_key
        elif settings.es_username:
            auth["basic_auth"] = (settings.es_username, settings.es_password or "")
        if settings.es_ca_certs:
            auth["ca_certs"] = str(settings.es_ca_certs)
        client = Elasticsearch(settings.es_url, request_timeout=30, retry_on_timeout=True, max_retries=3, **auth)
        store = cls(client, settings.index_prefix, settings.es_url, clock)
        if ensure:
            store.ensure()
        return store

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- indices -------------------------------------------------------------------------------

    def index(self, kind: str) -> str:
        """The alias every read and write of `kind` goes through (`newswatch-stories`)."""
        if kind not in INDEXED:
            raise ValueError(f"unknown kind {kind!r} (one of {', '.join(INDEXED)})")
        return f"{self.prefix}-{kind}"

    @_translated("creating the indices")
    def ensure(self) -> None:
        """Templates, then a first index behind each alias, then new fields into existing indices; idempotent.

        Each template carries a hash of its mapping, so when nothing changed this costs two requests.
        """
        mappings = {kind: mapping_of(model) for kind, model in INDEXED.items()}
        if self.language_analyzers():
            mappings = {kind: with_language_fields(kind, mapping) for kind, mapping in mappings.items()}
        digest = hashlib.sha256(json.dumps(mappings, sort_keys=True).encode()).hexdigest()[:16]
        if self._up_to_date(digest):
            return
        for kind, mapping in mappings.items():
            name = self.index(kind)
            self.client.indices.put_index_template(
                name=name, index_patterns=[f"{name}-*"], priority=100,
                template={"settings": {"number_of_shards": 1, "number_of_replicas": 0,
                                       "refresh_interval": "1s" if kind in ("stories", "quotes") else "5s"},
                          "mappings": mapping},
                meta={"managed_by": "newswatch", "mapping_hash": digest})
            if not self.client.indices.exists_alias(name=name):
                try:
                    self.client.indices.create(index=f"{name}-000001", aliases={name: {"is_write_index": True}})
                except ApiError as exc:
                    if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
                        raise  # another task created it first: fine
            else:
                self.client.indices.put_mapping(index=name, properties=mapping["properties"])

    def language_analyzers(self) -> bool:
        """Whether the node has the English and French analyzers (the full distribution, not integ-test-zip)."""
        if self._analyzers is None:
            try:
                for analyzer in ("english", "french"):
                    self.client.indices.analyze(analyzer=analyzer, text="réfugiés")
                self._analyzers = True
            except ApiError as exc:
                if exc.meta.status != 400:
                    raise
                self._analyzers = False
        return self._analyzers

    def _up_to_date(self, digest: str) -> bool:
        names = [self.index(kind) for kind in INDEXED]
        try:
            templates = self.client.indices.get_index_template(name=f"{self.prefix}-*")["index_templates"]
        except NotFoundError:
            return False
        hashes = {t["name"]: t["index_template"].get("_meta", {}).get("mapping_hash") for t in templates}
        if any(hashes.get(name) != digest for name in names):
            return False
        try:
            aliases = self.client.indices.get_alias(name=",".join(names)).body
        except NotFoundError:  # some alias is missing
            return False
        present = {alias for index in aliases.values() for alias in index.get("aliases", {})}
        return set(names) <= present

    @_translated("deleting the indices")
    def drop(self) -> None:
        """Delete every index and template of this prefix (tests and `newswatch reset`)."""
        self.client.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        for kind in INDEXED:
            self.client.options(ignore_status=404).indices.delete_index_template(name=self.index(kind))

    @_translated("refreshing")
    def refresh(self, *kinds: str) -> None:
        """Make what was just written searchable (tests and tasks that read their own writes)."""
        self.client.indices.refresh(index=[self.index(k) for k in kinds or INDEXED])

    @_translated("checking the mapping")
    def live_mapping(self, kind: str) -> dict[str, Any]:
        body = self.client.indices.get_mapping(index=self.index(kind)).body
        return dict(next(iter(body.values()))["mappings"])

    # ---- generic reads and writes ----------------------------------------------------------------

    def write(self, kind: str, docs: Iterable[tuple[str, Document | dict[str, Any]]], refresh: bool = True,
              chunk: int = 500) -> BulkResult:
        """Index (id, document) pairs in chunks; the same id twice is the same document, never a duplicate."""
        actions = ({"_index": self.index(kind), "_id": doc_id,
                    "_source": doc.to_source() if isinstance(doc, Document) else doc} for doc_id, doc in docs)
        return self._bulk(kind, actions, refresh, chunk)

    def update_docs(self, kind: str, updates: Iterable[tuple[str, dict[str, Any]]], refresh: bool = True,
                    chunk: int = 200) -> BulkResult:
        """Partial updates: only the given fields change (enrichment adds its fields to a story)."""
        actions = ({"_op_type": "update", "_index": self.index(kind), "_id": doc_id, "doc": doc}
                   for doc_id, doc in updates)
        return self._bulk(kind, actions, refresh, chunk)

    @_translated("bulk write")
    def _bulk(self, kind: str, actions: Iterable[dict[str, Any]], refresh: bool, chunk: int,
              conflicts_ok: bool = False) -> BulkResult:
        """Chunks split by count and by bytes; every rejected document is counted with its reason."""
        result = BulkResult()
        wrote_any = False
        for ok, item in helpers.streaming_bulk(self.client, actions, chunk_size=chunk, max_chunk_bytes=MAX_BULK_BYTES,
                                               raise_on_error=False, raise_on_exception=False, max_retries=2,
                                               initial_backoff=1):
            wrote_any = True
            info = next(iter(item.values()))
            if ok:
                result.ok += 1
            elif conflicts_ok and info.get("status") == 409:
                continue
            else:
                error = info.get("error")
                reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
                result.rejected[str(info.get("_id"))] = reason[:500]
                log.error("bulk %s: %s rejected: %s", kind, info.get("_id"), reason[:500])
        if refresh and wrote_any:
            self.client.indices.refresh(index=self.index(kind))
        return result

    def create_many(self, kind: str, docs: Iterable[tuple[str, Document]]) -> BulkResult:
        """Write only the ids that are new; an existing id is left as it is (not counted as rejected)."""
        actions = ({"_op_type": "create", "_index": self.index(kind), "_id": doc_id, "_source": doc.to_source()}
                   for doc_id, doc in docs)
        return self._bulk(kind, actions, refresh=False, chunk=500, conflicts_ok=True)

    @_translated("looking up ids")
    def existing_ids(self, kind: str, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 1000):
            batch = wanted[start: start + 1000]
            docs = self.client.mget(index=self.index(kind), ids=batch, source=False)["docs"]
            found |= {d["_id"] for d in docs if d.get("found")}
        return found

    @_translated("reading documents")
    def get_many(self, kind: str, ids: Iterable[str]) -> dict[str, Any]:
        """Documents by id (missing ones left out), parsed into their model."""
        model = INDEXED[kind]
        wanted = list(dict.fromkeys(ids))
        out: dict[str, Any] = {}
        for start in range(0, len(wanted), 1000):
            docs = self.client.mget(index=self.index(kind), ids=wanted[start: start + 1000])["docs"]
            out |= {d["_id"]: model.model_validate(d["_source"]) for d in docs if d.get("found")}
        return out

    @_translated("reading a document")
    def get(self, kind: str, doc_id: str) -> Any | None:
        try:
            found = self.client.get(index=self.index(kind), id=doc_id)
        except NotFoundError:
            return None
        return INDEXED[kind].model_validate(found["_source"])

    @_translated("updating a document")
    def update(self, kind: str, doc_id: str, refresh: bool = True, **fields: Any) -> None:
        doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
        self.client.update(index=self.index(kind), id=doc_id, doc=doc, refresh=refresh)

    @_translated("updating documents")
    def update_many(self, kind: str, ids: Iterable[str], **fields: Any) -> None:
        doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
        helpers.bulk(self.client, ({"_op_type": "update", "_index": self.index(kind), "_id": i, "doc": doc}
                                   for i in ids), refresh=True)

    @_translated("creating a document")
    def create(self, kind: str, doc_id: str, doc: Document) -> bool:
        """Write only if the id is new; False when it already exists (the exactly-once guard)."""
        try:
            self.client.create(index=self.index(kind), id=doc_id, document=doc.to_source())
        except ConflictError:
            return False
        return True

    @_translated("searching")
    def scan(self, kind: str, query: dict[str, Any], sort: list[Any], page: int = 500,
             source: list[str] | None = None) -> Iterator[Any]:
        """Every document matching `query`, in `sort` order, a page at a time (search_after)."""
        model = INDEXED[kind]
        after = None
        while True:
            extra: dict[str, Any] = {"search_after": after} if after else {}
            if source is not None:
                extra["source_includes"] = source
            hits = self.client.search(index=self.index(kind), query=query, sort=sort, size=page, **extra)["hits"]["hits"]
            for hit in hits:
                yield model.model_validate(hit["_source"]) if source is None else hit["_source"]
            if len(hits) < page:
                return
            after = hits[-1]["sort"]

    @_translated("counting")
    def count(self, kind: str, query: dict[str, Any] | None = None) -> int:
        return int(self.client.count(index=self.index(kind), query=query or {"match_all": {}})["count"])

    @_translated("aggregating")
    def terms(self, kind: str, field_name: str, size: int, query: dict[str, Any] | None = None,
              include: list[str] | None = None) -> list[tuple[str, int]]:
        """(value, documents) of the most frequent values of a keyword field."""
        terms: dict[str, Any] = {"field": field_name, "size": size}
        if include is not None:
            terms["include"] = include
        found = self.client.search(index=self.index(kind), size=0, query=query or {"match_all": {}},
                                   aggs={"t": {"terms": terms}})
        return [(b["key"], b["doc_count"]) for b in found["aggregations"]["t"]["buckets"]]

    # ---- stories and quotes --------------------------------------------------------------------------

    def write_stories(self, stories: Iterable[Story], chunk: int = 500) -> BulkResult:
        return self.write("stories", ((s.story_id, s) for s in stories), chunk=chunk)

    def write_quotes(self, quotes: Iterable[QuoteDoc], chunk: int = 500) -> BulkResult:
        return self.write("quotes", ((q.quote_id, q) for q in quotes), chunk=chunk)

    def stories(self, ids: Iterable[str]) -> dict[str, Story]:
        return self.get_many("stories", ids)

    def enriched_since(self, since: datetime, page: int = 500) -> Iterator[Story]:
        """Live stories enriched at or after a time, oldest first (what the alerts stage has not seen)."""
        query = {"bool": {"filter": [{"term": {"enriched": True}}, {"range": {"enriched_at": {"gte": since.isoformat()}}}],
                          "must_not": [{"term": {"source": "replay"}}]}}
        return self.scan("stories", query, [{"enriched_at": "asc"}, {"story_id": "asc"}], page)

    def stories_sharing_bands(self, bands: list[str], since: datetime, limit: int = 2000) -> list[dict[str, Any]]:
        """Recent stories with any of these LSH band keys: the candidates for being the same story."""
        if not bands:
            return []
        query = {"bool": {"filter": [{"terms": {"minhash_bands": bands}},
                                     {"range": {"ingested": {"gte": since.isoformat()}}}]}}
        fields = ["story_id", "cluster_id", "minhash", "minhash_bands", "ingested"]
        out = []
        for hit in self.scan("stories", query, [{"ingested": "asc"}, {"story_id": "asc"}], page=500, source=fields):
            out.append(hit)
            if len(out) >= limit:
                break
        return out

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[Story]:
        """The stories of one cluster (the syndicated copies of a wire story)."""
        return list(self.scan("stories", {"term": {"cluster_id": cluster_id}}, [{"ingested": "asc"},
                                                                                {"story_id": "asc"}], page=limit))[:limit]

    def waiting_stories(self, page: int = 200) -> Iterator[Story]:
        """Stories indexed with their text but not yet enriched, oldest first."""
        return self.scan("stories", {"term": {"enriched": False}}, [{"ingested": "asc"}, {"story_id": "asc"}], page)

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

    @_translated("expiring old records")
    def expire(self, kind: str, time_field: str, before: datetime, page: int = 1000) -> int:
        """Delete documents older than `before` (the node has no delete-by-query: ids are read, then deleted)."""
        deleted = 0
        self.client.indices.refresh(index=self.index(kind))
        query = {"range": {time_field: {"lt": before.isoformat()}}}
        while True:
            hits = self.client.search(index=self.index(kind), query=query, size=page, source=False)["hits"]["hits"]
            if not hits:
                return deleted
            actions = ({"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits)
            ok, _ = helpers.bulk(self.client, actions, raise_on_error=False, refresh=True)
            deleted += ok
            if ok == 0:
                return deleted

    def host_waits(self) -> dict[str, datetime]:
        """Hosts that answered 429/503 with Retry-After, and until when to leave them alone."""
        now = self.now()
        query = {"bool": {"filter": [{"prefix": {"key": "host-wait:"}}, {"range": {"value": {"gt": now.isoformat()}}}]}}
        return {e.key.removeprefix("host-wait:"): e.value for e in self.scan("state", query, [{"key": "asc"}])}

    def save_host_waits(self, waits: dict[str, datetime]) -> None:
        now = self.now()
        entries = [(f"host-wait:{host}", StateEntry(key=f"host-wait:{host}", value=until))
                   for host, until in waits.items() if until > now]
        if entries:
            self.write("state", entries).require("host waits")

    @_translated("searching stories")
    def search_stories(self, query: str, highlight: str, topic: str | None = None, size: int = 10,
                       collapse: bool = True) -> list[Page]:
        """Stories whose search terms match a simple query string, best first, one per cluster when collapsing.

        `query` is already analysed (folded, lemmatized); `highlight` is what the user typed, marked in the text.
        """
        matches: list[dict[str, Any]] = [{"simple_query_string": {
            "query": query, "fields": ["search_terms"], "default_operator": "and"}}]
        if self._language_search():  # the node's own stemmers, on what the user typed
            matches.append({"simple_query_string": {"query": highlight, "fields": list(LANGUAGE_SEARCH_FIELDS),
                                                    "default_operator": "and"}})
        must: list[dict[str, Any]] = [{"bool": {"should": matches, "minimum_should_match": 1}}]
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
                       "post_tags": ["]"], "highlight_query": {"simple_query_string": {"query": highlight,
                                                                                       "fields": ["text"]}}},
            **extra)
        pages = []
        for hit in found["hits"]["hits"]:
            copies = hit.get("inner_hits", {}).get("copies", {}).get("hits", {}).get("hits", [])
            outlets = [c["_source"]["outlet"] for c in copies if c["_id"] != hit["_id"]]
            doc = Story.model_validate({**hit["_source"], "text": ""})
            pages.append(Page(doc, hit.get("highlight", {}), list(dict.fromkeys(o for o in outlets
                                                                                 if o != doc.outlet))))
        return pages

    def _language_search(self) -> bool:
        """Whether the stories index carries the language sub-fields (made when the node had the analyzers)."""
        if not self.language_analyzers():
            return False
        text = self.live_mapping("stories").get("properties", {}).get("text", {})
        return "en" in text.get("fields", {})

    def top_speakers(self, size: int, run_id: str | None = None) -> list[tuple[str, int]]:
        """Canonical speakers by number of quotes, with the persons named in stories among them."""
        query = {"term": {"run_id": run_id}} if run_id else None
        return self.terms("quotes", "speaker_canonical", size, query)

    def named_persons(self, names: list[str]) -> set[str]:
        """Which of these names some story lists among its persons."""
        if not names:
            return set()
        found = self.terms("stories", "persons", len(names), {"terms": {"persons": names}}, include=names)
        return {name for name, _ in found}

    # ---- feed state and poll records -------------------------------------------------------------------

    def feed_states(self, feed_ids: Iterable[str]) -> dict[str, FeedState]:
        return self.get_many("feeds", feed_ids)

    def save_feed_states(self, states: Iterable[FeedState]) -> BulkResult:
        """Feed states are read by id (real time), so the write does not wait for a refresh."""
        return self.write("feeds", ((s.feed_id, s) for s in states), refresh=False).require("feed states")

    def record_polls(self, records: Iterable[PollRecord]) -> BulkResult:
        """One record per feed per poll; the id makes a retried task overwrite, not add.

        Not refreshed here: `poll_history` refreshes before it reads, once, instead of every pass.
        """
        return self.write("feed-health", ((f"{r.feed_id}-{r.time.isoformat()}", r) for r in records),
                          refresh=False).require("poll records")

    def poll_history(self, feed_ids: list[str], since: datetime, until: datetime) -> dict[str, list[PollRecord]]:
        """Poll records per feed between two times, oldest first."""
        out: dict[str, list[PollRecord]] = {f: [] for f in feed_ids}
        self.refresh("feed-health")
        query = {"bool": {"filter": [{"terms": {"feed_id": feed_ids}},
                                     {"range": {"time": {"gte": since.isoformat(), "lte": until.isoformat()}}}]}}
        for record in self.scan("feed-health", query, [{"time": "asc"}, {"feed_id": "asc"}], page=2000):
            out.setdefault(record.feed_id, []).append(record)
        return out

    @_translated("summing up poll history")
    def poll_summaries(self, feed_ids: list[str], since: datetime, until: datetime,
                       days_from: datetime) -> dict[str, PollSummary]:
        """Per feed, its polls between two times summed up by the node in one request, new items per day
        counted from `days_from`: a few dozen values per feed, however long its history (see `poll_summary`)."""
        self.refresh("feed-health")
        query = {"bool": {"filter": [{"terms": {"feed_id": feed_ids}},
                                     {"range": {"time": {"gte": since.isoformat(), "lte": until.isoformat()}}}]}}
        latest = [{"time": "desc"}]
        aggs = {"feeds": {"terms": {"field": "feed_id", "size": max(1, len(feed_ids))}, "aggs": {
            "last": {"top_hits": {"size": 1, "sort": latest}},
            "first": {"min": {"field": "time"}},
            "ok": {"filter": {"bool": {"must_not": [{"term": {"outcome": "error"}}]}}, "aggs": {
                "latest": {"top_hits": {"size": RECENT_SUCCESSES, "sort": latest, "_source": ["latency"]}}}},
            "new": {"filter": {"range": {"new_items": {"gt": 0}}}, "aggs": {
                "latest": {"top_hits": {"size": NEW_ITEM_TIMES, "sort": latest, "_source": False}}}},
            "days": {"filter": {"range": {"time": {"gte": days_from.isoformat()}}}, "aggs": {
                "day": {"date_histogram": {"field": "time", "calendar_interval": "day", "min_doc_count": 1},
                        "aggs": {"new": {"sum": {"field": "new_items"}}}}}}}}}
        found = self.client.search(index=self.index("feed-health"), size=0, query=query, aggs=aggs)

        def at(millis: float) -> datetime:
            return datetime.fromtimestamp(millis / 1000, UTC)

        out: dict[str, PollSummary] = {}
        for bucket in found["aggregations"]["feeds"]["buckets"]:
            ok, new = bucket["ok"]["latest"]["hits"]["hits"], bucket["new"]["latest"]["hits"]["hits"]
            out[bucket["key"]] = PollSummary(
                last=PollRecord.model_validate(bucket["last"]["hits"]["hits"][0]["_source"]),
                first_poll=at(bucket["first"]["value"]), successes=bucket["ok"]["doc_count"],
                last_success=at(ok[0]["sort"][0]) if ok else None,
                latencies=[float(hit["_source"].get("latency", 0.0)) for hit in reversed(ok)],
                with_new=bucket["new"]["doc_count"], new_item_times=[at(hit["sort"][0]) for hit in reversed(new)],
                new_per_day={at(day["key"]).date().isoformat(): int(day["new"]["value"])
                             for day in bucket["days"]["day"]["buckets"] if day["new"]["value"]})
        return out

    # ---- alerts -------------------------------------------------------------------------------------------

    def create_alert(self, record: AlertRecord) -> bool:
        return self.create("alerts", record.alert_id, record)

    def alert(self, alert_id: str) -> AlertRecord | None:
        found: AlertRecord | None = self.get("alerts", alert_id)
        return found

    def alerts(self, ids: Iterable[str]) -> dict[str, AlertRecord]:
        return self.get_many("alerts", ids)

    def put_alert(self, record: AlertRecord) -> None:
        self.write("alerts", [(record.alert_id, record)]).require("alert records")

    def update_alert(self, alert_id: str, **fields: Any) -> None:
        self.update("alerts", alert_id, **fields)

    @_translated("claiming an alert")
    def claim_alert(self, alert_id: str, at: datetime, until: datetime) -> AlertRecord | None:
        """Take a due alert record for delivery, or None when another pass holds it or it is no longer due.

        The claim is a compare-and-set on the record's sequence number: of two passes that read the
        same pending record, exactly one succeeds, so no channel is ever called twice for it. The
        record returned is the fresh one (its `channels_sent` is what is already delivered).
        """
        try:
            found = self.client.get(index=self.index("alerts"), id=alert_id)
        except NotFoundError:
            return None
        record = AlertRecord.model_validate(found["_source"])
        if not claimable(record, at):
            return None
        try:
            self.client.update(index=self.index("alerts"), id=alert_id, if_seq_no=found["_seq_no"],
                               if_primary_term=found["_primary_term"], refresh=True,
                               doc={"status": "sending", "claimed_until": until.isoformat()})
        except ConflictError:
            return None
        return record.model_copy(update={"status": "sending", "claimed_until": until})

    def due_alerts(self, subscriptions: list[str], at: datetime) -> Iterator[AlertRecord]:
        """Pending story alerts of these subscriptions whose next attempt is due, oldest first."""
        query = {"bool": {"filter": [{"term": {"kind": "story"}}, _due(at),
                                     {"terms": {"subscription": subscriptions}},
                                     {"range": {"next_attempt": {"lte": at.isoformat()}}}]}}
        return self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}])

    def sent_since(self, subscription: str, since: datetime) -> int:
        """Messages a subscription received since a time (a burst message counts as one)."""
        return self.count("alerts", {"bool": {"filter": [
            {"term": {"subscription": subscription}}, {"term": {"status": "sent"}},
            {"range": {"sent_at": {"gte": since.isoformat()}}}],
            "must_not": [{"exists": {"field": "digest_id"}}]}})

    def due_bursts(self, subscription: str, at: datetime) -> list[AlertRecord]:
        query = {"bool": {"filter": [{"term": {"kind": "digest"}}, {"term": {"subscription": subscription}},
                                     {"term": {"mode": "immediate"}}, _due(at),
                                     {"range": {"next_attempt": {"lte": at.isoformat()}}}]}}
        return list(self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}]))

    def pending_story_alerts(self, subscription: str, created_before: datetime) -> list[AlertRecord]:
        query = {"bool": {"filter": [{"term": {"kind": "story"}}, {"term": {"subscription": subscription}},
                                     {"term": {"status": "pending"}},
                                     {"range": {"created": {"lt": created_before.isoformat()}}}]}}
        return list(self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}]))

    @_translated("summarising alerts")
    def alert_summary(self, subscription: str) -> dict[str, Any]:
        """Counts by status, the last delivery and the last error of one subscription."""
        index = self.index("alerts")
        found = self.client.search(index=index, size=0, query={"term": {"subscription": subscription}},
                                   aggs={"status": {"terms": {"field": "status"}}, "last": {"max": {"field": "sent_at"}}})
        counts = {b["key"]: b["doc_count"] for b in found["aggregations"]["status"]["buckets"]}
        errored = self.client.search(index=index, size=1, sort=[{"next_attempt": "desc"}], query={"bool": {
            "filter": [{"term": {"subscription": subscription}}, {"range": {"attempts": {"gte": 1}}}]}})["hits"]["hits"]
        return {"counts": counts, "last_delivery": found["aggregations"]["last"].get("value_as_string"),
                "last_error": errored[0]["_source"].get("last_error") if errored else None}

    # ---- named points in time -------------------------------------------------------------------------------

    def get_time(self, key: str) -> datetime | None:
        entry = self.get("state", key)
        return entry.value if entry else None

    def set_time(self, key: str, value: datetime) -> None:
        self.write("state", [(key, StateEntry(key=key, value=value))]).require("named times")
