"""Poll RSS/Atom/JSON feeds and hand on their new items, recording for each feed why it failed if it did.

A feed is fetched with a conditional GET (ETag, Last-Modified) and skipped when the body hash is
unchanged; its bytes are parsed as bytes (never as a path or URL) by feedparser, or as a JSON Feed.
Parsing is bounded — entity declarations refused, items and fields capped, only http(s) links kept,
dates in the future clamped — and each problem is kept as a warning on the feed. Every failure
becomes a `FeedResult` with a short `error_kind` (timeout, http_404, not_a_feed, malformed_xml, …),
so one broken feed never stops the others.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from yarl import URL

from pipeline.bounds import bounded_int
from pipeline.config import Feed
from pipeline.errors import FeedError, FetchError
from pipeline.ingest.feed_dates import feed_date
from pipeline.ingest.fetch import Fetcher
from pipeline.ingest.items import FeedItem
from pipeline.ingest.xml_prolog import declares_entities
from pipeline.settings import FeedLimits
from pipeline.store.documents import FeedOutcome, FeedState
from pipeline.text import plain_text

log = logging.getLogger(__name__)
MAX_AGE_SECONDS = 7 * 24 * 3600  # a Cache-Control max-age beyond a week is read as a week (the schedule caps it lower)

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([\w.-]+)", re.I)
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"


@dataclass
class ParsedFeed:
    items: list[FeedItem]
    warnings: list[str] = field(default_factory=list)
    ttl_minutes: int | None = None  # RSS <ttl>
    skip_hours: frozenset[int] = frozenset()  # RSS <skipHours>, UTC hours


@dataclass
class FeedResult:
    feed: Feed
    outcome: FeedOutcome
    http_status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    items: list[FeedItem] = field(default_factory=list)  # the new items (not seen in earlier polls)
    items_seen: int = 0  # all items the feed listed
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    bytes: int = 0
    latency: float = 0.0
    fetched_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. malformed XML from which items were recovered
    ttl_minutes: int | None = None
    skip_hours: frozenset[int] = frozenset()
    max_age: int | None = None  # Cache-Control: max-age, seconds
    retry_after: datetime | None = None
    url: str | None = None  # after redirects: relative links are resolved against it
    content_type: str = ""

    @property
    def warning(self) -> str | None:
        return "; ".join(self.warnings) if self.warnings else None

    def fail(self, kind: str, reason: str | None) -> None:
        """The poll failed after all: outcome `error`, with its kind and reason."""
        self.outcome, self.error_kind, self.error = "error", kind, reason



def _published(entry: dict[str, Any]) -> datetime | None:
    """The item's date: its own words read with their zone (`feed_date`), else feedparser's reading of them."""
    for key in ("published", "updated", "created"):
        if isinstance(entry.get(key), str) and (when := feed_date(entry[key])) is not None:
            return when
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _possible_char_refs(body: bytes) -> bytes:
    """Character references written as UTF-16 halves ("&#55357;&#56832;", an emoji as some CMSes write it) made
    one, and lone halves or numbers past Unicode made U+FFFD: feedparser's lenient parser crashes on them."""
    def code(m: re.Match[bytes]) -> int:
        return int(m.group(1), 16) if m.group(1) else int(m.group(2))

    refs = list(_CHAR_REF.finditer(body))
    if not any(0xD800 <= code(m) <= 0xDFFF or code(m) > 0x10FFFF for m in refs):
        return body
    out, at, skip = [], 0, -1
    for k, m in enumerate(refs):
        if k == skip:
            continue
        value = code(m)
        after = refs[k + 1] if k + 1 < len(refs) and refs[k + 1].start() == m.end() else None
        if 0xD800 <= value <= 0xDBFF and after is not None and 0xDC00 <= code(after) <= 0xDFFF:
            value, end, skip = 0x10000 + (value - 0xD800) * 0x400 + code(after) - 0xDC00, after.end(), k + 1
        elif 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            value, end = 0xFFFD, m.end()
        else:
            continue
        out += [body[at: m.start()], b"&#x%X;" % value]
        at = end
    return b"".join([*out, body[at:]])


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _repair_utf8(body: bytes, content_type: str, warnings: list[str]) -> bytes:
    """A UTF-8 feed with a few broken bytes stays UTF-8 (feedparser would read all of it as cp1252)."""
    declared = _XML_ENCODING.search(body[:200])
    charset = re.search(r"charset=([\w.-]+)", content_type, re.I)
    name = (charset.group(1) if charset else declared.group(1).decode() if declared else "utf-8").lower()
    if name.replace("_", "-") not in ("utf-8", "utf8"):
        return body
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
        broken = text.count("\ufffd")
        if broken > max(16, len(text) // 100) or broken > len(_UTF8_SEQUENCE.findall(body)):
            # not UTF-8 after all (a cp1252 feed that declares nothing has no valid multi-byte sequence and
            # an invalid byte for each accent): let feedparser detect the encoding
            return body
        warnings.append(f"bad_encoding: {broken} invalid UTF-8 sequences replaced")
        return text.encode("utf-8")


def _json_feed(body: bytes) -> dict[str, Any] | None:
    head = body[:64].lstrip()
    if not head.startswith(b"{"):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return data
    return None


def _utf8(value: object) -> str:
    """A JSON Feed string as text UTF-8 can hold: JSON may carry a lone UTF-16 half, which nothing downstream encodes."""
    return str(value or "").encode("utf-8", "replace").decode("utf-8")


def _json_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """JSON Feed items in feedparser's shape, so one code path builds FeedItems."""
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        published = None
        for key in ("date_published", "date_modified"):
            if isinstance(item.get(key), str):
                try:
                    published = datetime.fromisoformat(item[key].replace("Z", "+00:00")).utctimetuple()
                    break
                except (ValueError, OverflowError):  # "9999-12-31T23:59:59-05:00" runs past year 9999 in UTC
                    continue
        entries.append({"id": _utf8(item.get("id")), "link": _utf8(item.get("url") or item.get("external_url")),
                        "title": _utf8(item.get("title")),
                        "summary": _utf8(item.get("summary") or item.get("content_text") or item.get("content_html")),
                        "published_parsed": published})
    return entries


def parse_feed(feed: Feed, body: bytes, content_type: str = "", base_url: str | None = None,
               limits: FeedLimits | None = None, now: datetime | None = None) -> ParsedFeed:
    """Parse feed bytes; raise FeedError with the reason when they are not a usable feed.

    Malformed XML from which feedparser's lenient parser still recovers entries is accepted with a
    warning: losing a day of stories to one stray `&` helps nobody.
    """
    limits = limits or FeedLimits()
    now = now or datetime.now(UTC)
    warnings: list[str] = []
    if not body.strip():
        raise FeedError(feed.id, feed.url, "empty", "the server sent an empty body")
    ttl, skip = None, frozenset[int]()
    data = _json_feed(body)
    if data is None and declares_entities(body, content_type):
        raise FeedError(feed.id, feed.url, "xml_entities",
                        "the document declares XML entities (refused: external entities and entity bombs)")
    fast = None if data is not None or not _one_charset(body, content_type) else _fast_entries(body)
    if data is not None:
        entries = _json_entries(data)
    elif fast is not None:
        entries, ttl, skip = fast
    else:
        import feedparser  # the lenient path, for what the fast one does not take

        body = _possible_char_refs(_repair_utf8(body, content_type, warnings))
        parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": content_type,
                                                                      "content-location": base_url or feed.url})
        if not parsed.entries:
            head = body[:512].lstrip().lower()
            if b"<html" in head or b"<!doctype html" in head or "html" in content_type and not parsed.version:
                raise FeedError(feed.id, feed.url, "not_a_feed", "an HTML page was served where a feed was expected")
            if parsed.bozo and not parsed.version:
                raise FeedError(feed.id, feed.url, "malformed_xml", str(parsed.bozo_exception)[:300])
            if parsed.bozo:
                raise FeedError(feed.id, feed.url, "malformed_xml",
                                f"no entries could be read ({str(parsed.bozo_exception)[:300]})")
            if not parsed.version:
                raise FeedError(feed.id, feed.url, "not_a_feed", "the body is neither RSS, Atom nor a JSON Feed")
            warnings.append("empty: the feed lists no items")
        if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
            warnings.append(f"malformed_xml: {str(parsed.bozo_exception)[:300]} (items recovered)")
        entries = parsed.entries
        channel = parsed.get("feed", {})
        ttl = _int(channel.get("ttl"))
        skip = frozenset(h for h in (_int(x) for x in re.findall(r"\d+", str(channel.get("skiphours", ""))))
                         if h is not None and 0 <= h < 24)
    return ParsedFeed(_items(feed, entries, base_url or feed.url, limits, now, warnings), warnings, ttl, skip)


def _one_charset(body: bytes, content_type: str) -> bool:
    """Whether the HTTP charset, if any, names the encoding the XML declaration does (UTF-8 when it names none).

    lxml trusts the declaration; a site moved to UTF-8 with an old `ISO-8859-1` template then reads as
    "RÃ©fugiÃ©s", no topic word matches and the item is marked seen for good. The server's charset wins
    (RFC 7303), which is what the lenient path does.
    """
    charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if charset is None:
        return True
    declared = _XML_ENCODING.search(body[:200])
    try:
        return codecs.lookup(charset.group(1)).name == codecs.lookup(declared.group(1).decode() if declared else "utf-8").name
    except LookupError:  # a charset Python does not know: the lenient path says what it makes of it
        return False


_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_FAST_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _fast_entries(body: bytes) -> tuple[list[dict[str, Any]], int | None, frozenset[int]] | None:
    """Plain RSS 2.0 read with lxml, about ten times faster than feedparser; None for anything else.

    Only documents that parse cleanly, without xml:base or unusual structure, take this path; the
    rest (Atom, RSS 1.0/RDF, malformed XML, odd encodings) go through feedparser, which is lenient.
    Both paths give the same items (checked on every feed in the shared data).
    """
    if b"xml:base" in body or b"<rdf:RDF" in body[:2000]:
        return None
    try:
        root = etree.fromstring(body, _FAST_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag == "rss" and root.get("version", "").startswith("2"):
        channel = root.find("channel")
        if channel is None:
            return None
        entries = [_rss_entry(item) for item in channel.iterfind("item")]
        ttl = _int(channel.findtext("ttl"))
        skip = frozenset(h for h in (_int(x.text) for x in channel.iterfind("skipHours/hour")) if h is not None and 0 <= h < 24)
        return entries, ttl, skip
    return None


def _text(element: Any) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _rss_entry(item: Any) -> dict[str, Any]:
    guid = item.find("guid")
    link = (item.findtext("link") or "").strip()
    if not link and guid is not None and guid.get("isPermaLink", "true") != "false":
        link = (guid.text or "").strip()
    published = next((t for t in (item.findtext("pubDate"), item.findtext("{http://purl.org/dc/elements/1.1/}date"))
                      if t and t.strip()), None)
    return {"id": (guid.text or "").strip() if guid is not None else "", "link": link,
            "title": _text(item.find("title")),
            "summary": _text(item.find("description")) or _text(item.find(_CONTENT)),
            "published": published}


def _int(value: object, high: int = 10**6) -> int | None:
    """A feed's number (ttl in minutes, an hour), bounded: a 400-digit ttl is read as the bound."""
    return bounded_int(value, 0, high)


def _newest(entries: list[Any], keep: int) -> list[Any]:
    """The `keep` newest entries, in the feed's order (an archive listed oldest first must not keep only its
    oldest); undated entries count as listed: a feed without dates keeps its first ones."""
    def when(k: int) -> tuple[int, float]:
        published = _published(entries[k])
        return (1, published.timestamp()) if published else (0, -k)

    chosen = set(sorted(range(len(entries)), key=when, reverse=True)[:keep])
    return [e for k, e in enumerate(entries) if k in chosen]


def _shared_guids(entries: list[Any]) -> set[str]:
    """GUIDs that several items with links of their own carry (a CMS writing one GUID for all): such items go
    by their link, or all but one would be dropped now and every later one skipped as seen."""
    links: dict[str, set[str]] = {}
    for entry in entries:
        guid, link = str(entry.get("id") or ""), str(entry.get("link") or "").strip()
        if guid and link:
            links.setdefault(guid, set()).add(link)
    return {guid for guid, found in links.items() if len(found) > 1}


def _items(feed: Feed, entries: list[Any], base: str, limits: FeedLimits, now: datetime,
           warnings: list[str]) -> list[FeedItem]:
    if len(entries) > limits.max_items:
        warnings.append(f"capped: {len(entries)} items listed, the newest {limits.max_items} kept")
        entries = _newest(entries, limits.max_items)
    shared = _shared_guids(entries)
    if shared:
        warnings.append(f"{sum(str(e.get('id') or '') in shared for e in entries)} items share a GUID: each goes by its link")
    items, keys = [], set()
    dropped = {"link": 0, "invalid": 0, "duplicate": 0, "future": 0, "long": 0}
    for entry in entries:
        title = plain_text(str(entry.get("title", "")))
        try:
            link = urljoin(base, str(entry.get("link") or "").strip())
        except ValueError:  # no URL can be made of it (a broken IPv6 literal): this item's problem only
            dropped["invalid"] += bool(title)
            continue
        if not link.lower().startswith(("http://", "https://")) or not title:
            dropped["link"] += bool(entry.get("link")) and bool(title)
            continue  # an item without a web link or a title cannot become a story
        if not _requestable(link):
            dropped["invalid"] += 1
            continue
        summary = plain_text(str(entry.get("summary", "") or ""))
        if len(title) > limits.max_title or len(summary) > limits.max_summary:
            dropped["long"] += 1
            title, summary = title[: limits.max_title], summary[: limits.max_summary]
        published = _published(entry)
        if published and published > now + timedelta(days=1):
            dropped["future"] += 1
            published = now
        guid = str(entry.get("id") or "")
        item = FeedItem(feed.id, feed.outlet, feed.language, feed.country, (link if not guid or guid in shared else guid)[:2000],
                        link[:2000], title, summary, published)
        if item.key in keys:
            dropped["duplicate"] += 1
            continue
        keys.add(item.key)
        items.append(item)
    notes = {"link": "items without an http(s) link skipped", "invalid": "items with an invalid link (host or port) skipped",
             "duplicate": "items with a repeated GUID skipped",
             "future": "dates in the future set to the time of the poll", "long": "over-long titles or summaries cut"}
    warnings += [f"{n} {notes[k]}" for k, n in dropped.items() if n]
    return items


def _requestable(link: str) -> bool:
    """Whether a request could be made to this link at all (a host, a port in range): else no story can come of it."""
    try:
        parsed = URL(link)
        return bool(parsed.host) and parsed.port is not None and 0 < parsed.port < 65536
    except ValueError:
        return False


def conditional_headers(state: FeedState | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _max_age(cache_control: str | None) -> int | None:
    match = re.search(r"max-age=(\d+)", (cache_control or "")[:2000])
    return bounded_int(match.group(1), 0, MAX_AGE_SECONDS) if match else None


async def fetch_feed_body(feed: Feed, state: FeedState | None, fetcher: Fetcher) -> tuple[FeedResult, bytes | None]:
    """Fetch one feed; the result and the body to parse (None when there is nothing new to parse)."""
    started = datetime.now(UTC)
    try:
        resp = await fetcher.get(feed.url, conditional_headers(state))
    except FetchError as exc:
        outcome: FeedOutcome = "deferred" if exc.kind == "deferred" else "error"
        if outcome == "error":
            log.warning("feed %s (%s): %s: %s", feed.id, feed.url, exc.kind, exc.reason)
        return FeedResult(feed, outcome, http_status=exc.status, error_kind=exc.kind, error=exc.reason,
                          fetched_at=started, retry_after=exc.retry_after), None
    common: dict[str, Any] = dict(http_status=resp.status, latency=resp.elapsed, fetched_at=started,
                  max_age=_max_age(resp.headers.get("cache-control")), content_type=resp.headers.get("content-type", ""))
    if resp.status == 304:
        return FeedResult(feed, "not_modified", etag=state.etag if state else None,
                          last_modified=state.last_modified if state else None,
                          body_hash=state.body_hash if state else None, **common), None
    if resp.status >= 400:
        log.warning("feed %s (%s): HTTP %s", feed.id, feed.url, resp.status)
        return FeedResult(feed, "error", error_kind=f"http_{resp.status}", error=f"HTTP {resp.status}",
                          **common), None
    digest = hashlib.sha256(resp.body).hexdigest()
    result = FeedResult(feed, "ok", etag=resp.headers.get("etag"), last_modified=resp.headers.get("last-modified"),
                        body_hash=digest, bytes=len(resp.body), url=resp.url, **common)
    if state and state.body_hash == digest:
        result.outcome = "unchanged"
        return result, None
    return result, resp.body
