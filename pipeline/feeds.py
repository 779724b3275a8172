"""Poll RSS/Atom feeds and hand on their new items, recording for each feed why it failed if it did.

A feed is fetched with a conditional GET (ETag, Last-Modified) and skipped when the body hash is
unchanged; its bytes are parsed by feedparser. Every failure is turned into a `FeedResult` with a
short `error_kind` (timeout, http_404, not_a_feed, malformed_xml, ...) so one broken feed never
stops the others.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
import httpx

from pipeline.config import Feed
from pipeline.documents import FeedState
from pipeline.errors import FeedError
from pipeline.http import HostLimiter, ServerError, TooLarge, get, make_client
from pipeline.settings import FetchSettings

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedItem:
    feed_id: str
    outlet: str
    language: str
    country: str
    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None


@dataclass
class FeedResult:
    feed: Feed
    outcome: str  # ok | not_modified | unchanged | error
    http_status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    bytes: int = 0
    latency: float = 0.0
    warning: str | None = None  # e.g. malformed XML from which feedparser still recovered the items


def plain_text(value: str) -> str:
    """Feed titles and summaries often carry HTML; alerts and matching want words."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def _published(entry: feedparser.FeedParserDict) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def parse_feed(feed: Feed, body: bytes, content_type: str = "", base_url: str | None = None,
               warnings: list[str] | None = None) -> list[FeedItem]:
    """Parse feed bytes; raise FeedError with the reason when they are not a usable feed.

    Malformed XML from which feedparser's lenient parser still recovers entries is accepted, and
    the problem is appended to `warnings`: losing a day of stories to one stray `&` helps nobody.
    """
    parsed = feedparser.parse(body, response_headers={"content-type": content_type,
                                                      "content-location": base_url or feed.url})
    if not parsed.entries:
        head = body[:512].lstrip().lower()
        if b"<html" in head or b"<!doctype html" in head or "html" in content_type and not parsed.version:
            raise FeedError(feed.id, feed.url, "not_a_feed", "an HTML page was served where a feed was expected")
        if parsed.bozo and not parsed.version:
            raise FeedError(feed.id, feed.url, "malformed_xml", str(parsed.bozo_exception))
        if parsed.bozo:
            raise FeedError(feed.id, feed.url, "malformed_xml", f"no entries could be read ({parsed.bozo_exception})")
    if parsed.bozo and warnings is not None and not isinstance(parsed.bozo_exception,
                                                               feedparser.CharacterEncodingOverride):
        warnings.append(f"malformed_xml: {parsed.bozo_exception} (items recovered)")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        title = plain_text(entry.get("title", ""))
        if not link or not title:
            continue  # an item without a link or a title cannot become a story
        summary = plain_text(entry.get("summary", "") or "")
        items.append(FeedItem(feed.id, feed.outlet, feed.language, feed.country,
                              entry.get("id") or link, link, title, summary, _published(entry)))
    return items


def _error(feed: Feed, kind: str, message: str, status: int | None = None) -> FeedResult:
    return _failed(feed, FeedError(feed.id, feed.url, kind, message, status))


def _failed(feed: Feed, error: FeedError) -> FeedResult:
    log.warning("%s", error)
    return FeedResult(feed, "error", http_status=error.status, error_kind=error.kind, error=error.reason)


def fetch_feed(feed: Feed, state: FeedState | None, client: httpx.Client, settings: FetchSettings,
               limiter: HostLimiter) -> FeedResult:
    """Fetch and parse one feed; never raises for a feed's own failures."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        resp = get(client, feed.url, settings, limiter, headers)
    except httpx.TimeoutException as exc:
        return _error(feed, "timeout", f"no answer in time ({type(exc).__name__})")
    except ServerError as exc:
        return _error(feed, f"http_{exc.status}", f"server error HTTP {exc.status}", exc.status)
    except TooLarge as exc:
        return _error(feed, "too_large", str(exc))
    except httpx.HTTPError as exc:
        return _error(feed, "network", f"{type(exc).__name__}: {exc}")
    if resp.status == 304:
        return FeedResult(feed, "not_modified", http_status=304, etag=state.etag if state else None,
                          last_modified=state.last_modified if state else None,
                          body_hash=state.body_hash if state else None, latency=resp.elapsed)
    if resp.status >= 400:
        return _error(feed, f"http_{resp.status}", f"HTTP {resp.status}", resp.status)
    digest = hashlib.sha256(resp.body).hexdigest()
    common = dict(http_status=resp.status, etag=resp.headers.get("etag"),
                  last_modified=resp.headers.get("last-modified"), body_hash=digest,
                  bytes=len(resp.body), latency=resp.elapsed)
    if state and state.body_hash == digest:
        return FeedResult(feed, "unchanged", **common)
    warnings: list[str] = []
    try:
        items = parse_feed(feed, resp.body, resp.headers.get("content-type", ""), resp.url, warnings)
    except FeedError as exc:
        exc.status = resp.status
        result = _failed(feed, exc)
        result.bytes, result.latency = len(resp.body), resp.elapsed
        return result
    if warnings:
        log.warning("feed %s (%s): %s", feed.id, feed.url, warnings[0])
    return FeedResult(feed, "ok", items=items, warning=warnings[0] if warnings else None, **common)


def fetch_feeds(feeds: list[Feed], states: dict[str, FeedState], settings: FetchSettings,
                workers: int = 8) -> list[FeedResult]:
    """Poll several feeds concurrently, at most `per_host_concurrency` per host."""
    limiter = HostLimiter(settings.per_host_concurrency)
    with make_client(settings) as client, ThreadPoolExecutor(max_workers=max(1, min(workers, len(feeds)))) as pool:
        futures = [pool.submit(fetch_feed, f, states.get(f.id), client, settings, limiter) for f in feeds]
        results = []
        for feed, future in zip(feeds, futures, strict=True):
            try:
                results.append(future.result())
            except Exception as exc:  # a parser crash on one feed must not lose the others
                log.exception("feed %s crashed", feed.id)
                results.append(_error(feed, "crash", f"{type(exc).__name__}: {exc}"))
        return results
