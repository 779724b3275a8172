"""Write stories, quotes and feed state to Elasticsearch, idempotently, and read them back.

Index templates and aliases are created at start (safe to repeat). Every document has a
deterministic id (story id, story id + quote number, feed id), so writing the same batch twice
leaves the same documents. Mappings use only what the plain integ-test distribution has:
`keyword` for facets, `text` with the standard analyzer for search, `date` for time.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, Iterable

from elasticsearch import Elasticsearch, NotFoundError, helpers

from pipeline.feeds import FeedState

log = logging.getLogger(__name__)

KEYWORD = {"type": "keyword", "ignore_above": 512}
TEXT_KW = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}}
DATE = {"type": "date"}

STORY_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "story_id": KEYWORD, "url": KEYWORD, "canonical_url": KEYWORD, "feed_id": KEYWORD, "outlet": KEYWORD,
        "language": KEYWORD, "country": KEYWORD, "title": TEXT_KW, "summary": {"type": "text"},
        "text": {"type": "text"}, "text_source": KEYWORD, "page_error": {"type": "text"},
        "published": DATE, "ingested": DATE, "run_id": KEYWORD,
        "topics": KEYWORD, "matched_terms": KEYWORD,
        "topic_hits": {"properties": {"topic": KEYWORD, "rule": KEYWORD, "term": KEYWORD, "text": KEYWORD,
                                      "start": {"type": "integer"}, "end": {"type": "integer"}}},
        "persons": KEYWORD, "organizations": KEYWORD, "places": KEYWORD, "groups": KEYWORD, "laws": KEYWORD,
        "quoted": KEYWORD, "quote_count": {"type": "integer"},
        "top_quote": {"properties": {"quote": {"type": "text"}, "speaker": KEYWORD, "speaker_canonical": KEYWORD,
                                     "verb": KEYWORD, "kind": KEYWORD}},
        "entities": {"type": "object", "enabled": False},
        "quotes": {"type": "object", "enabled": False},
    },
}
QUOTE_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "quote_id": KEYWORD, "story_id": KEYWORD, "quote": {"type": "text"}, "speaker": TEXT_KW,
        "speaker_canonical": KEYWORD, "verb": KEYWORD, "kind": KEYWORD, "start": {"type": "integer"},
        "end": {"type": "integer"}, "outlet": KEYWORD, "feed_id": KEYWORD, "language": KEYWORD,
        "published": DATE, "ingested": DATE, "topics": KEYWORD, "title": TEXT_KW, "url": KEYWORD, "run_id": KEYWORD,
    },
}
FEED_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "feed_id": KEYWORD, "etag": KEYWORD, "last_modified": KEYWORD, "body_hash": KEYWORD,
        "last_polled": DATE, "last_success": DATE, "last_error": {"type": "text"}, "last_error_kind": KEYWORD,
        "consecutive_failures": {"type": "integer"}, "items_seen": {"type": "long"},
    },
}
ALERT_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "alert_id": KEYWORD, "kind": KEYWORD, "subscription": KEYWORD, "mode": KEYWORD, "story_id": KEYWORD,
        "cluster_id": KEYWORD, "story_ids": KEYWORD, "other_outlets": KEYWORD, "outlet": KEYWORD, "title": TEXT_KW,
        "url": KEYWORD, "published": DATE, "created": DATE, "status": KEYWORD, "attempts": {"type": "integer"},
        "next_attempt": DATE, "last_error": {"type": "text"}, "channels_sent": KEYWORD, "sent_at": DATE,
        "digest_id": KEYWORD, "period": KEYWORD, "alert_ids": KEYWORD,
    },
}
HEALTH_MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "feed_id": KEYWORD, "time": DATE, "outcome": KEYWORD, "http_status": {"type": "integer"},
        "latency": {"type": "float"}, "bytes": {"type": "long"}, "items_seen": {"type": "integer"},
        "new_items": {"type": "integer"}, "error_class": KEYWORD, "error_message": {"type": "text"},
        "consecutive_failures": {"type": "integer"},
    },
}
STATE_MAPPING: dict[str, Any] = {"dynamic": "strict", "properties": {"key": KEYWORD, "value": DATE}}
KINDS = {"stories": STORY_MAPPING, "quotes": QUOTE_MAPPING, "feeds": FEED_MAPPING, "alerts": ALERT_MAPPING,
         "state": STATE_MAPPING, "feed-health": HEALTH_MAPPING}


def connect(url: str) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3)


def alias(prefix: str, kind: str) -> str:
    return f"{prefix}-{kind}"


def ensure_indices(es: Elasticsearch, prefix: str) -> None:
    """Templates, then a first index behind each alias; repeat calls change nothing."""
    for kind, mapping in KINDS.items():
        name = alias(prefix, kind)
        es.indices.put_index_template(
            name=name, index_patterns=[f"{name}-*"], priority=100,
            template={"settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "5s"},
                      "mappings": mapping},
            meta={"managed_by": "newswatch"},
        )
        if not es.indices.exists_alias(name=name):
            try:
                es.indices.create(index=f"{name}-000001", aliases={name: {"is_write_index": True}})
            except Exception as exc:  # another task created it first
                if "resource_already_exists" not in str(exc):
                    raise


def existing_ids(es: Elasticsearch, prefix: str, kind: str, ids: Iterable[str]) -> set[str]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return set()
    found = es.search(index=alias(prefix, kind), query={"ids": {"values": ids}}, size=len(ids), source=False)
    return {hit["_id"] for hit in found["hits"]["hits"]}


def bulk_write(es: Elasticsearch, prefix: str, kind: str, docs: list[tuple[str, dict]], refresh: bool = True) -> int:
    """Index (id, document) pairs; the same id twice is the same document, never a duplicate."""
    if not docs:
        return 0
    actions = ({"_index": alias(prefix, kind), "_id": doc_id, "_source": doc} for doc_id, doc in docs)
    ok, errors = helpers.bulk(es, actions, raise_on_error=False, refresh=refresh)
    for error in errors:
        log.error("bulk %s error: %s", kind, error)
    return ok


def load_feed_states(es: Elasticsearch, prefix: str, feed_ids: list[str]) -> dict[str, FeedState]:
    if not feed_ids:
        return {}
    try:
        found = es.search(index=alias(prefix, "feeds"), query={"ids": {"values": feed_ids}}, size=len(feed_ids))
    except NotFoundError:
        return {}
    states = {}
    for hit in found["hits"]["hits"]:
        src = hit["_source"]
        for key in ("last_polled", "last_success"):
            if src.get(key):
                src[key] = datetime.fromisoformat(src[key])
        states[hit["_id"]] = FeedState(**src)
    return states


def save_feed_states(es: Elasticsearch, prefix: str, states: list[FeedState]) -> None:
    docs = []
    for state in states:
        doc = asdict(state)
        for key in ("last_polled", "last_success"):
            if isinstance(doc[key], datetime):
                doc[key] = doc[key].isoformat()
        docs.append((state.feed_id, doc))
    bulk_write(es, prefix, "feeds", docs)


def now() -> datetime:
    return datetime.now(timezone.utc)
