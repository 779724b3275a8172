"""Turn a feed item into an article: canonical URL, story id, main text without page junk.

The page is fetched and its main text extracted with trafilatura; when the page cannot be had
the feed's summary is used instead, and `text_source` says which one the story carries.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.errors import FetchError
from pipeline.ingest.running_text import keep_running_text

if TYPE_CHECKING:
    from pipeline.ingest.feeds import FeedItem
    from pipeline.ingest.fetch import Fetcher

log = logging.getLogger(__name__)

# Query parameters that only say where a reader came from. Only names no site uses for the article itself:
# "cid", "src", "ref", "feature", "via", "partner" and "rss" are article ids somewhere ("article.php?cid=123"),
# and dropping one makes two articles one story id, the second never stored; a tracking code left in at worst
# leaves a copy to the near-duplicate clusters.
_TRACKING = re.compile(r"^(utm_.*|at_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|cmpid|ocid|srcref|ns_.*|"
                       r"ref_src|taid|sr_share|xtor|igshid|__twitter_impression|"
                       r"_ga|yclid|wt\.mc_id|cmp|ncid)$", re.I)

# Lines that belong to the page around the story, not to the story: video and ad furniture,
# cross-links, credits. They must never become entities or quotes.
_JUNK_LINE = re.compile(
    r"""^\s*(
        story\ continues\ below(\ advertisement)?
      | advertisement | ad | sponsored(\ content)? | continue\ reading.* | skip\ ad.* | skip\ to\ (main\ )?content
      | (join|sign\ up\ for|subscribe\ to)\ our\ (free\ )?newsletters?.*
      | (watch|watch\ below|read\ more|related|more|also\ read|read\ also|lire\ aussi|à\ lire\ aussi|
         trending\ now|recommended|sign\ up|subscribe|click\ to\ play\ video|play\ video|listen)\b\s*[:|].*
      | click\ to\ play\ video\b.*
      | .*\ [–-]\ (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\ \d{1,2},\ \d{4}
      | (photo|image|file\ photo|credit|photograph)(\ credit)?\ ?(:|by\b).*
      | \(?(ap|reuters|afp|cp|getty|canadian\ press)\ ?photo\ ?/[^)]*\)?
      | \((additional\ )?reporting\ by\b.*\)
      | (associated\ press|ap|reuters|the\ canadian\ press)\ writers?\ .*\ contributed\ (to\ )?this\ report\.?
      | advertisement: | related\ (stories|articles|coverage)
      | [—–-]+\ ?with\ files\ from\b.*
      | share\ this(\ (story|article))?:? | (facebook|twitter|email|linkedin|reddit|whatsapp)(\s+(facebook|twitter|email|linkedin|reddit|whatsapp))*
      | copyright\ *(©|\(c\)|\d{4}).* | ©.* | \(c\)\ *(\d{4}|copyright\b).* | \(c\)(\ +[A-Z][\w&'’.-]*){1,4}
      | all\ rights\ reserved.*
    )\s*$""",
    re.I | re.X,
)


# A video embed's label glued to the paragraph after it ("Watch Video Sandusky's lawyers had requested …")
_GLUED_PROMO = re.compile(r"^\s*(?:Watch|Play)\s+Video\s+(?=[A-Z“\"])")


# A photo credit at the end of a caption ("… near Hemmingford, Que. THE CANADIAN PRESS/Paul Chiasson.")
_CREDIT = re.compile(r"\s*\b(THE CANADIAN PRESS|The Canadian Press|Getty Images|REUTERS|Reuters|AP Photo|AFP|"
                     r"La Presse canadienne|LA PRESSE CANADIENNE)\s*/\s*[\w .'’-]+\.?\s*$")


# trafilatura copies shared lxml trees; two threads doing it at once abort the interpreter.
# Extraction is CPU-bound under the GIL anyway, so pages are fetched in parallel, extracted in turn.
_EXTRACT_LOCK = threading.Lock()


@dataclass
class Article:
    story_id: str
    url: str
    canonical_url: str
    feed_id: str
    outlet: str
    language: str
    country: str
    title: str
    summary: str
    text: str
    text_source: str  # page | summary
    published: datetime | None
    page_error: str | None = None
    date_source: str = "feed"  # feed | page | unknown


def canonical_url(url: str) -> str:
    """One story, one URL: courlan's normalisation (tracking parameters, fragments, case, default ports,
    `%`-escapes and IDN hosts as the field writes them), then our own list of tracking parameters it keeps.

    A URL courlan cannot read is left to the own rules alone (scripts/eval_canonical.py compares both).
    """
    from courlan import normalize_url

    try:
        normalised = normalize_url(url.strip(), strict=False, trailing_slash=True)
    except (ValueError, UnicodeError):
        return own_canonical_url(url)
    # courlan's query cleaning also drops names some sites give their article ids ("cid", "ref", "source"):
    # the query is the URL's own, less our tracking list only
    query = urlencode(parse_qsl(urlsplit(url.strip()).query, keep_blank_values=True, errors="surrogateescape"),
                      errors="surrogateescape")
    return own_canonical_url(urlunsplit(urlsplit(normalised)._replace(query=query)))


def own_canonical_url(url: str) -> str:
    """Drop tracking parameters and fragments, lower-case scheme and host, sort the query."""
    parts = urlsplit(url.strip())
    # bytes that are no UTF-8 ("%E9" of a Latin-1 site) kept as they are: replaced, two articles shared an id
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True, errors="surrogateescape")
             if not _TRACKING.match(k)]
    path = parts.path or "/"
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") and parts.scheme == "http" or netloc.endswith(":443") and parts.scheme == "https":
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(sorted(query), errors="surrogateescape"), ""))


def story_id(url: str) -> str:
    """A stable id from the canonical URL: the same story polled twice is written once."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:24]


# Zero-width characters glue words to what follows ("Traeger\u200b said") and hide names from the model.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Some sites mark hyphenation points with a stray "-" before capitalised words ("chemin -Roxham").
_STRAY_HYPHEN = re.compile(r"(?<=[\s«“(])-(?=[A-ZÀ-Þ]\w)")


REPEATED_PARAGRAPH = 80  # characters: a line this long seen twice is the page's repeat, not the writer's
_WATCH_HEADLINE = re.compile(r"\s*watch\s*:\s*(?=\S)", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Remove page-junk lines, the duplicated caption line a video embed leaves behind, and a paragraph the page
    repeats (a lead printed again under its photo): its quotes and people would count twice."""
    kept: list[str] = []
    seen: set[str] = set()
    text = _STRAY_HYPHEN.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))  # accents composed, as
    for line in text.splitlines():  # `plain_text` gives feed items: "e" + a combining accent matches as "é"
        line = _GLUED_PROMO.sub("", _CREDIT.sub("", line))
        stripped = line.strip()
        if _JUNK_LINE.match(stripped):
            continue
        if stripped and kept and stripped == kept[-1].strip() or len(stripped) >= REPEATED_PARAGRAPH and stripped in seen:
            continue
        seen.add(stripped)
        kept.append(line.rstrip())
    cleaned = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def blank_junk(text: str) -> str:
    """Like `clean_text` but replaces junk with spaces, so offsets into the input stay valid.

    A text's first line is its headline when it opens with one: "Watch: Ukraine leader accuses Russia …"
    there is a video's headline, not an embed's promo, so only its "Watch:" is blanked."""
    text = _INVISIBLE.sub(" ", text)
    out: list[str] = []
    opening = True  # no words yet: the next line with words may be the headline
    for line in text.split("\n"):
        credit = _CREDIT.search(line)
        if credit:
            line = line[: credit.start()] + " " * (len(line) - credit.start())
        line = _GLUED_PROMO.sub(lambda promo: " " * len(promo.group(0)), line)
        headline = _WATCH_HEADLINE.match(line) if opening else None
        opening = opening and not line.strip()
        if headline:
            out.append(" " * headline.end() + line[headline.end():])
            continue
        out.append(" " * len(line) if _JUNK_LINE.match(line.strip()) else line)
    return "\n".join(out)


def extract_or_error(page_html: bytes | str, url: str | None) -> tuple[str | None, str | None]:
    """The page's text, or why there is none: a hostile page costs its text, never the item."""
    try:
        text = extract_text(page_html, url)
    except Exception as exc:  # trafilatura on a hostile page: the caller falls back to the summary
        return None, f"extraction failed: {type(exc).__name__}: {str(exc)[:200]}"
    return text, None if text else "no article text found on the page"


def extract_text(page_html: bytes | str, url: str | None = None) -> str | None:
    """Main text of an article page, cleaned; None when trafilatura finds no article."""
    import trafilatura  # here, not at the top: a pass that only polls feeds never loads it

    with _EXTRACT_LOCK:
        tree = trafilatura.load_html(page_html)
        if tree is not None:
            keep_running_text(tree)  # precision mode would cut linked names out of their sentences
        # no `deduplicate`: its cache lives for the whole process, so a page seen before (a retry, a
        # syndicated copy) would come back empty
        text = trafilatura.extract(page_html if tree is None else tree, url=url, include_comments=False,
                                   include_tables=False, favor_precision=True, deduplicate=False)
    if not text:
        return None
    return clean_text(text) or None


async def fetch_page(item: FeedItem, fetcher: Fetcher) -> tuple[bytes | None, str | None, str | None]:
    """The page bytes of an item, the URL they came from, and why there are none when there are none."""
    try:
        resp = await fetcher.get(item.link, {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
    except FetchError as exc:
        return None, None, f"{exc.kind}: {exc.reason}"
    if resp.status >= 400:
        return None, None, f"HTTP {resp.status}"
    return resp.body, resp.url, None


PAGE_RETRY_HOURS = 2  # a story whose page failed for a passing reason waits this long for it, then takes its summary
_PASSING = ("deferred:", "network:", "timeout:", "http_429:", "http_5", "HTTP 429", "HTTP 5")


def worth_waiting(error: str | None, failing_since: datetime, now: datetime, published: datetime | None = None) -> bool:
    """Whether a story should wait for the next pass rather than be written with its feed summary for good.

    A page that failed for a passing reason (the host asked us to wait, a timeout, a 5xx, a dropped
    connection) is asked again next pass: once written, a story is never fetched again and would keep its
    summary, without body text, quotes or speakers. For PAGE_RETRY_HOURS from its first failure, kept in the
    feed's state (not from the feed's date, which a feed may move on every build): a host down for a day must
    not hold its stories back for a day. An item the feed dates two days back or more is no news to hurry for
    and none to hold back either: it is written at once."""
    if published is not None and now - published > timedelta(days=2):
        return False
    return bool(error and error.startswith(_PASSING) and now - failing_since < timedelta(hours=PAGE_RETRY_HOURS))


def page_date(page_html: bytes | str) -> datetime | None:
    """The publication time an article page states (its metadata, else its visible date line), in UTC, or None.

    With the time and offset when the page gives them ("2022-03-01T21:30-05:00" is 02:30 UTC the next day: an
    evening story west of Greenwich must not count as the morning's); a date alone is its midnight UTC."""
    from htmldate import find_date  # trafilatura's own date finder

    try:
        found = find_date(page_html, original_date=True, extensive_search=False, outputformat="%Y-%m-%dT%H:%M:%S%z")
        stated = datetime.fromisoformat(found) if found else None
    except Exception:  # a hostile page costs its date, never the item
        return None
    if stated is None:
        return None
    return stated.astimezone(UTC) if stated.tzinfo else stated.replace(tzinfo=UTC)


def build_article(item: FeedItem, text: str | None, error: str | None,
                  page_published: datetime | None = None) -> Article:
    """The article of a feed item: the page text when there is one, else the feed summary (`text_source` says which).

    Its date is the feed item's, else the page's own (`page_published`), else unknown: never made up.
    """
    source = "page" if text else "summary"
    if not text:
        if error:
            log.info("page for %s not used (%s): falling back to the feed summary", item.link, error)
        text = clean_text(item.summary)
    canon = canonical_url(item.link)
    published = item.published or page_published
    date_source = "feed" if item.published else "page" if page_published else "unknown"
    return Article(story_id(canon), item.link, canon, item.feed_id, item.outlet, item.language, item.country,
                   item.title, item.summary, text, source, published, error, date_source)
