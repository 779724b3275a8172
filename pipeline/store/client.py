"""The Elasticsearch connection and the generic reads and writes every stage's queries are built on.

`StoreClient` owns the client, the index names and the clock; `pipeline.store.Store` adds the index
lifecycle and each stage's queries (one module each) on top of it. Every document has a
deterministic id (story id, story id + quote number, feed id, alert id), so writing the same batch
twice leaves the same documents. Reads that can be long page with `search_after` (never a size cap);
bulk writes go in chunks and report each rejected document. This is the only module that imports
the Elasticsearch client (with `pipeline.local`, which starts a node for development).
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, Self, TypeVar

from elasticsearch import ApiError, ConflictError, Elasticsearch, NotFoundError, TransportError, helpers
from pydantic import ValidationError

from pipeline.errors import StoreError, StoreUnavailable, WriteRejected, WritesBlocked
from pipeline.redact import redact
from pipeline.settings import IndexSettings, Settings
from pipeline.store.dated import DATED, month_index, record_time
from pipeline.store.documents import (
    INDEXED,
    Document,
    StateEntry,
)
from pipeline.timing import utcnow

log = logging.getLogger(__name__)
MAX_BULK_BYTES = 10_000_000  # well under Elasticsearch's http.max_content_length (100 MB)
P = ParamSpec("P")
R = TypeVar("R")


def _translated(operation: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Elasticsearch's own exceptions become StoreErrors that say what we were doing, never a credential."""

    def translate(exc: Exception, store: object) -> StoreError:
        if isinstance(exc, TransportError):
            where = redact(store.url) if isinstance(store, StoreClient) else "Elasticsearch"
            return StoreUnavailable(operation, f"{where} did not answer ({type(exc).__name__})")
        assert isinstance(exc, ApiError)
        if _reason(exc).startswith("cluster_block_exception"):
            return WritesBlocked(operation, "", _reason(exc))
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
            waited = 0.0
            while True:
                try:
                    return func(*args, **kwargs)
                except ApiError as exc:  # a reindex's swap holds writes for a moment: wait it out, then fail
                    store = args[0]
                    if (not isinstance(store, StoreClient) or not is_write_block(_reason(exc))
                            or waited >= store.layout.write_block_wait):
                        raise translate(exc, store) from None
                    time.sleep(BLOCK_PAUSE)
                    waited += BLOCK_PAUSE
                except TransportError as exc:
                    raise translate(exc, args[0]) from None

        return call

    return wrap


BLOCK_PAUSE = 0.5  # seconds between attempts while an index is write-blocked


def is_write_block(reason: str) -> bool:
    """The block `newswatch reindex` sets on the old index for the moment of its swap (`index.blocks.write`)."""
    return "cluster_block_exception" in reason and "index write (api)" in reason


def _reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('reason')}"
    return str(exc.message)


# text fields that get English and French sub-fields when the node has the language analyzers


@dataclass
class BulkResult:
    """How a bulk write went: documents written, and each rejected one with Elasticsearch's reason."""

    ok: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)  # ids a compare-and-set or create-only write found taken

    def add(self, other: BulkResult) -> None:
        self.ok += other.ok
        self.rejected.update(other.rejected)
        self.conflicts |= other.conflicts

    def require(self, what: str) -> BulkResult:
        """Raise WriteRejected when any document was refused: for writes whose loss would lose data silently."""
        if self.rejected:
            raise WriteRejected(what, self.rejected)
        return self


# rejections a document earns by its content: sent again, it is refused again
_REFUSED_FOR_GOOD = ("mapper_parsing_exception", "document_parsing_exception", "illegal_argument_exception",
                     "strict_dynamic_mapping_exception")


def refused_for_good(reason: str) -> bool:
    """A rejection no retry will change (a value the mapping cannot take), unlike a busy or blocked node."""
    return reason.startswith(_REFUSED_FOR_GOOD)


def _remember(actions: Iterable[dict[str, Any]], sent: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Pass actions on, keeping each by id: an action held by a write block is sent again as it was."""
    for action in actions:
        sent[str(action["_id"])] = action
        yield action


class StoreClient:
    """One Elasticsearch, one index prefix: connection, bulk writes, get, scan, count and terms."""

    def __init__(self, client: Elasticsearch, prefix: str, url: str = "",
                 clock: Callable[[], datetime] = utcnow, layout: IndexSettings | None = None) -> None:
        self.client, self.prefix, self.url, self.now = client, prefix, url, clock
        self.layout = layout or IndexSettings()
        self._analyzers: bool | None = None

    @classmethod
    def connect(cls, settings: Settings, clock: Callable[[], datetime] = utcnow) -> Self:
        """Connect with an API key, or user and password, and a CA when given."""
        auth: dict[str, Any] = {}
        if settings.es_api_key:
            auth["api_key"] = settings.es_api_key
        elif settings.es_username:
            auth["basic_auth"] = (settings.es_username, settings.es_password or "")
        if settings.es_ca_certs:
            auth["ca_certs"] = str(settings.es_ca_certs)
        hosts = [url.strip() for url in settings.es_url.split(",") if url.strip()]  # a cluster: several nodes
        client = Elasticsearch(hosts, request_timeout=30, retry_on_timeout=True, max_retries=3, **auth)
        return cls(client, settings.index_prefix, settings.es_url, clock, settings.es)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, kind: str) -> str:
        """The alias every read and write of `kind` goes through (`newswatch-stories`)."""
        if kind not in INDEXED:
            raise ValueError(f"unknown kind {kind!r} (one of {', '.join(INDEXED)})")
        return f"{self.prefix}-{kind}"

    @_translated("refreshing")
    def refresh(self, *kinds: str) -> None:
        """Make what was just written searchable (tests and tasks that read their own writes)."""
        self.client.indices.refresh(index=[self.index(k) for k in kinds or INDEXED])

    def write(self, kind: str, docs: Iterable[tuple[str, Document | dict[str, Any]]], refresh: bool = True,
              chunk: int = 500) -> BulkResult:
        """Index (id, document) pairs in chunks; the same id twice is the same document, never a duplicate."""
        actions = ({"_index": self.write_index(kind, doc), "_id": doc_id,
                    "_source": doc.to_source() if isinstance(doc, Document) else doc} for doc_id, doc in docs)
        return self._bulk(kind, actions, refresh, chunk)

    def write_index(self, kind: str, doc: Document | dict[str, Any]) -> str:
        """Where a document is written: the alias, or for time-based records the month of their time."""
        if kind in DATED:
            return month_index(self.index(kind), record_time(doc, DATED[kind]))
        return self.index(kind)

    def update_docs(self, kind: str, updates: Iterable[tuple[str, dict[str, Any]]], refresh: bool = True,
                    chunk: int = 200, missing_ok: bool = False) -> BulkResult:
        """Partial updates: only the given fields change (enrichment adds its fields to a story). With
        `missing_ok`, a document that is gone (expired since the update was decided) is skipped, not rejected."""
        actions = ({"_op_type": "update", "_index": self.index(kind), "_id": doc_id, "doc": doc}
                   for doc_id, doc in updates)
        return self._bulk(kind, actions, refresh, chunk, missing_ok=missing_ok)

    @_translated("bulk write")
    def _bulk(self, kind: str, actions: Iterable[dict[str, Any]], refresh: bool, chunk: int,
              conflicts_ok: bool = False, missing_ok: bool = False) -> BulkResult:
        """Chunks split by count and by bytes; every rejected document is counted with its reason.

        A blocked index is no single document's fault: writes held by a reindex's swap are sent again
        (for up to `write_block_wait` seconds), any other block raises WritesBlocked before more is written.
        """
        result = BulkResult()
        wrote_any = False
        waited, pending = 0.0, actions
        while True:
            sent: dict[str, dict[str, Any]] = {}
            held: list[dict[str, Any]] = []
            for ok, item in helpers.streaming_bulk(self.client, _remember(pending, sent), chunk_size=chunk,
                                                   max_chunk_bytes=MAX_BULK_BYTES, raise_on_error=False,
                                                   raise_on_exception=False, max_retries=2, initial_backoff=1):
                wrote_any = True
                info = next(iter(item.values()))
                error = info.get("error")
                reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
                if ok:
                    result.ok += 1
                elif conflicts_ok and info.get("status") == 409:
                    result.conflicts.add(str(info.get("_id")))
                elif missing_ok and info.get("status") == 404 and not reason.startswith("index_not_found_exception"):
                    continue  # the document is gone; not its index: a held delete re-sent to one a reindex deleted
                elif reason.startswith("cluster_block_exception"):
                    if not is_write_block(reason) or waited >= self.layout.write_block_wait:
                        raise WritesBlocked(f"bulk write of {kind}", str(info.get("_index", "")), reason.split(": ", 1)[-1][:500])
                    held.append(sent[str(info.get("_id"))])
                else:
                    result.rejected[str(info.get("_id"))] = reason[:500]
                    log.error("bulk %s: %s rejected: %s", kind, info.get("_id"), reason[:500])
            if not held:
                break
            log.warning("bulk %s: %d documents held by a write block (a reindex swapping?): sent again", kind, len(held))
            time.sleep(BLOCK_PAUSE)
            waited, pending = waited + BLOCK_PAUSE, held
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
            out |= {d["_id"]: parsed for d in docs if d.get("found")
                    and (parsed := parsed_document(model, kind, d["_id"], d["_source"])) is not None}
        return out

    @_translated("reading a document")
    def get(self, kind: str, doc_id: str) -> Any | None:
        try:
            found = self.client.get(index=self.index(kind), id=doc_id)
        except NotFoundError:
            return None
        try:
            return INDEXED[kind].model_validate(found["_source"])
        except ValidationError as exc:  # not "missing": a caller would write a fresh one over it
            raise StoreError("reading a document", f"{kind}/{doc_id} is not a {INDEXED[kind].__name__} this version "
                             f"can read ({str(exc).splitlines()[0]}): fix or delete it") from None

    @_translated("updating a document")
    def update(self, kind: str, doc_id: str, refresh: bool = True, **fields: Any) -> None:
        doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
        self.client.update(index=self.index(kind), id=doc_id, doc=doc, refresh=refresh)

    @_translated("updating documents")
    def update_many(self, kind: str, ids: Iterable[str], **fields: Any) -> None:
        doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
        self._bulk(kind, ({"_op_type": "update", "_index": self.index(kind), "_id": i, "doc": doc} for i in ids),
                   refresh=True, chunk=500).require(kind)

    def delete_many(self, kind: str, ids: Iterable[str]) -> BulkResult:
        """Delete documents by id (one already gone is no error); what could not be deleted is `rejected`."""
        actions = ({"_op_type": "delete", "_index": self.index(kind), "_id": i} for i in dict.fromkeys(ids))
        return self._bulk(kind, actions, refresh=False, chunk=500, missing_ok=True)

    def delete_hits(self, kind: str, hits: Iterable[dict[str, Any]], refresh: bool = False) -> BulkResult:
        """Delete search hits where they live (a dated kind's alias spans its months; any other's, one index that
        a reindex swaps under it, so a delete held by its write block is sent through the alias to the new one);
        a refusal raises WriteRejected: a deletion that silently failed leaves expired records or stale findings
        counted as current."""
        actions = ({"_op_type": "delete", "_index": h["_index"] if kind in DATED else self.index(kind),
                    "_id": h["_id"]} for h in hits)
        return self._bulk(kind, actions, refresh=refresh, chunk=500, missing_ok=True).require(f"deleting {kind}")

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
             source: list[str] | None = None, without: list[str] | None = None,
             left_out: dict[str, str] | None = None) -> Iterator[Any]:
        """Every document matching `query`, in `sort` order, a page at a time (search_after): as raw `source`
        fields when asked, else as documents, `without` some heavy fields (left at their defaults). A document
        that is not one of its model is skipped, and its id and why are added to `left_out` when given."""
        model = INDEXED[kind]
        after = None
        while True:
            extra: dict[str, Any] = {"search_after": after} if after else {}
            if source is not None:
                extra["source_includes"] = source
            if without:
                extra["source_excludes"] = without
            hits = self.client.search(index=self.index(kind), query=query, sort=sort, size=page, **extra)["hits"]["hits"]
            for hit in hits:
                if source is not None:
                    yield hit["_source"]
                elif (parsed := parsed_document(model, kind, hit["_id"], hit["_source"], left_out)) is not None:
                    yield parsed
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

    def get_time(self, key: str) -> datetime | None:
        entry = self.get("state", key)
        return entry.value if entry else None

    def set_time(self, key: str, value: datetime) -> None:
        self.write("state", [(key, StateEntry(key=key, value=value))]).require("named times")


def parsed_document(model: type[Document], kind: str, doc_id: str, source: dict[str, Any],
                    left_out: dict[str, str] | None = None) -> Any | None:
    """A stored document as its model, or None (logged) when it is not one: a story edited by hand in Kibana, or
    a field an older version wrote, must leave that document out, not stop every stage that reads the index (its
    id and why go to `left_out` when given)."""
    parsed, why = _validated(model, source)
    if parsed is None:
        log.error("%s/%s left out: %s (fix or delete the document)", kind, doc_id, why)
        if left_out is not None:
            left_out[doc_id] = why
    return parsed


def _validated(model: type[Document], source: dict[str, Any]) -> tuple[Any | None, str]:
    """The document as its model, or None and why not (its first error: where, and what)."""
    try:
        return model.model_validate(source), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        return None, f"{'.'.join(map(str, first['loc'])) or '(document)'}: {first['msg']}"
