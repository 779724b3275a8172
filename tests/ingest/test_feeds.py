"""Feeds fetched from a real local HTTP server serving real captured feeds, as a pass fetches and parses them."""

import asyncio

import pytest

from pipeline.config import Feed
from pipeline.errors import FeedError
from pipeline.ingest.feeds import FeedResult, fetch_feed_body, parse_feed
from pipeline.ingest.fetch import Fetcher
from pipeline.settings import FetchSettings
from pipeline.store.documents import FeedState

FAST = FetchSettings(read_timeout=1.0, connect_timeout=1.0, retries=1, allow=("127.0.0.1",))


def feed(fid: str, url: str) -> Feed:
    return Feed(id=fid, url=url, outlet="Test", language="en", country="CA")


def fetch_feeds(feeds: list[Feed], states: dict[str, FeedState], settings: FetchSettings) -> list[FeedResult]:
    """Each feed the way a poll pass takes it: `fetch_feed_body` on one shared fetcher, then `parse_feed`
    (which the pass runs in a worker); every item in `items`."""

    async def one(fetcher: Fetcher, f: Feed) -> FeedResult:
        result, body = await fetch_feed_body(f, states.get(f.id), fetcher)
        if body is None:
            return result
        try:
            parsed = parse_feed(f, body, result.content_type, result.url)
        except FeedError as exc:
            result.fail(exc.kind, exc.reason)
            return result
        result.items, result.items_seen = parsed.items, len(parsed.items)
        result.warnings += parsed.warnings
        return result

    async def run() -> list[FeedResult]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(one(fetcher, f) for f in feeds)))

    return asyncio.run(run())


def test_real_feeds_parse(web):
    results = fetch_feeds([feed("huffpost", f"{web.url}/feeds/feedjira__HuffPostCanada.xml"),
                           feed("guardian", f"{web.url}/feeds/rssparser__guardian.rss"),
                           feed("atom", f"{web.url}/feeds/nodefp__intertwingly.atom")], {}, FAST)
    by_id = {r.feed.id: r for r in results}
    assert [r.outcome for r in results] == ["ok", "ok", "ok"]
    assert len(by_id["guardian"].items) == 55 and len(by_id["atom"].items) == 20
    first = by_id["huffpost"].items[0]
    assert first.title == first.title.strip() and "<" not in first.summary
    assert first.published is not None


@pytest.mark.parametrize("path, kind", [
    ("/status/404", "http_404"),
    ("/status/500", "http_500"),
    ("/slow/3/feeds/feedjira__TechCrunch.xml", "timeout"),
    ("/feeds/nodefp__notafeed.html", "not_a_feed"),
    ("/feeds/feedrs__rss_2.0_invalid_1.xml", "malformed_xml"),
])
def test_broken_feed_is_recorded_and_others_go_on(web, path, kind):
    good = feed("good", f"{web.url}/feeds/rssparser__guardian.rss")
    bad = feed("bad", f"{web.url}{path}")
    results = {r.feed.id: r for r in fetch_feeds([bad, good], {}, FAST)}
    assert results["bad"].outcome == "error"
    assert results["bad"].error_kind == kind and results["bad"].error
    assert results["good"].outcome == "ok" and len(results["good"].items) == 55


def test_conditional_get_and_body_hash(web):
    f = feed("g", f"{web.url}/feeds/rssparser__guardian.rss")
    [first] = fetch_feeds([f], {}, FAST)
    assert first.etag and first.body_hash
    with_etag = FeedState(feed_id="g", etag=first.etag, body_hash=first.body_hash)
    [second] = fetch_feeds([f], {"g": with_etag}, FAST)
    assert second.outcome == "not_modified" and second.http_status == 304 and not second.items
    same_body = FeedState(feed_id="g", body_hash=first.body_hash)
    [third] = fetch_feeds([f], {"g": same_body}, FAST)
    assert third.outcome == "unchanged" and not third.items


def test_body_size_cap(web):
    tiny = FetchSettings(max_body_bytes=1000, retries=0, allow=("127.0.0.1",))
    [result] = fetch_feeds([feed("big", f"{web.url}/feeds/rssparser__guardian.rss")], {}, tiny)
    assert result.error_kind == "too_large"


def test_feed_with_wrong_declared_encoding_still_parses(shared_data):
    body = (shared_data / "feeds" / "rssparser__uolNoticias.rss").read_bytes()
    items = parse_feed(feed("uol", "http://127.0.0.1/uol"), body).items
    assert len(items) == 15 and all(i.title for i in items)


def test_an_undeclared_windows_1252_feed_keeps_its_accents():
    """No charset anywhere and bytes that are not UTF-8: a French feed in cp1252 is read as cp1252, not as
    UTF-8 with every accent replaced (its topic words would never match, and its items are never read again)."""
    items = "".join(f"<item><title>{n}: 500 réfugiés</title><link>http://h.example/actualites/{n}?utm_source=rss"
                    f"</link><guid isPermaLink='false'>h.example-{n}</guid><pubDate>Mon, 03 Jan 2022 10:00:00 "
                    "+0000</pubDate><category>Canada</category><description>Les demandeurs d'asile sont arrives "
                    "par le chemin Roxham, selon la GRC, qui dit que la situation evolue rapidement depuis "
                    "lundi matin et que les agents restent sur place pour les accueillir.</description></item>"
                    for n in range(20))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Actualités</title>{items}</channel></rss>'
    parsed = parse_feed(feed("fr", "http://127.0.0.1/fr"), body.encode("cp1252"), "application/rss+xml")
    assert len(parsed.items) == 20 and all("500 réfugiés" in i.title for i in parsed.items)
    assert not any(w.startswith("bad_encoding") for w in parsed.warnings)


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=utf-8", "text/xml; charset=\"UTF-8\""])
def test_the_server_s_charset_wins_over_an_old_declaration(content_type: str):
    """A site moved to UTF-8 that kept its ISO-8859-1 template: read as Latin-1, "Réfugiés" became "RÃ©fugiÃ©s",
    no topic word matched and the item was marked seen for good."""
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Actualités</title>'
            "<item><title>Réfugiés à la frontière</title><link>http://h.example/a/1</link>"
            "<pubDate>Mon, 03 Jan 2022 10:00:00 +0000</pubDate></item></channel></rss>").encode()
    [item] = parse_feed(feed("fr", "http://127.0.0.1/fr"), body, content_type).items
    assert item.title == "Réfugiés à la frontière"
    [declared] = parse_feed(feed("fr", "http://127.0.0.1/fr"), body.decode("utf-8").encode("latin-1"), "text/xml").items
    assert declared.title == "Réfugiés à la frontière"  # no charset from the server: the declaration is right


def test_malformed_feed_with_recoverable_items_is_kept_with_a_warning(web):
    [result] = fetch_feeds([feed("sax", f"{web.url}/feeds/nodefp__saxerror.xml")], {}, FAST)
    assert result.outcome == "ok" and len(result.items) == 3
    assert result.warning.startswith("malformed_xml: ") and "not well-formed" in result.warning


RSS = ('<rss version="2.0"><channel><title>x</title><link>http://h.example/</link><description>d</description>'
       '<item><title>Asylum {ref}</title><link>http://h.example/x</link><description>{text}</description></item>'
       '</channel></rss>')
EXTERNAL = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def document(prolog: str = "", doctype: str = EXTERNAL, encoding: str = "utf-8", ref: str = "&xxe;",
             text: str = "Refugee claimants.") -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>{prolog}{doctype}{RSS.format(ref=ref, text=text)}'


@pytest.mark.parametrize("body", [
    document("<!-- " + "padding " * 10_000 + "-->").encode(),  # past the first 64 KiB
    document(" " * 70_000).encode(),
    document("<?pad " + "x" * 70_000 + "?>").encode(),
    document("<!-- <rss> -->").encode(),  # a root element that is only a comment
    document(encoding="utf-16").encode("utf-16"),
    document(encoding="utf-16").encode("utf-16-be"),  # no byte-order mark
    document(encoding="utf-16le").encode("utf-16-le"),
    document(encoding="utf-32").encode("utf-32"),
    document(encoding="utf-7").encode("utf-7").replace(b"<!ENTITY", b"+ADwAIQ-ENTITY"),
    document(doctype='<!DOCTYPE rss [<!NOTATION n SYSTEM "]><rss>"> <!ENTITY xxe SYSTEM "file:///etc/passwd">]>').encode(),
    document(doctype='<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://169.254.169.254/"> %p;]>', ref="").encode(),
    document(doctype='<!doctype rss [<!entity xxe SYSTEM "file:///etc/passwd">]>').encode(),
], ids=["late-comment", "late-space", "late-pi", "comment-root", "utf16", "utf16be-no-bom", "utf16le", "utf32", "utf7",
        "quoted-bracket", "parameter-entity", "lowercase"])
def test_entity_declarations_are_refused_wherever_and_however_encoded(body: bytes):
    with pytest.raises(FeedError) as err:
        parse_feed(feed("x", "http://h.example/feed"), body)
    assert err.value.kind == "xml_entities"


@pytest.mark.parametrize("body", [
    document(doctype="", ref="", text="<![CDATA[How <!DOCTYPE x [<!ENTITY y SYSTEM 'z'>]> attacks work]]>").encode(),
    document(doctype='<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                     '"http://my.netscape.com/publish/formats/rss-0.91.dtd">', ref="").encode(),
    document(doctype="<!DOCTYPE rss>", ref="", encoding="utf-16").encode("utf-16"),
], ids=["entity-in-cdata", "external-dtd-named", "utf16-doctype-without-entities"])
def test_documents_without_entity_declarations_are_read(body: bytes):
    [item] = parse_feed(feed("x", "http://h.example/feed"), body).items
    assert item.title == "Asylum"


def rss(*items: str) -> bytes:
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
            + "".join(items) + "</channel></rss>").encode()


def item(n: int, extra: str = "", guid: str | None = None, title: str | None = None) -> str:
    guid_tag = f"<guid isPermaLink='false'>{guid}</guid>" if guid is not None else ""
    return (f"<item><title>{title or f'Story {n}'}</title><link>https://news.example/{n}</link>{guid_tag}"
            f"<description>Asylum story {n}.</description>{extra}</item>")


@pytest.mark.parametrize("bad", ["B &#55357;&#56832;", "B &#xD83D;", "B &#x110000;", "B &#xDE00;&#xD83D;"],
                         ids=["surrogate-pair", "lone-high", "out-of-range", "pair-reversed"])
def test_an_item_with_an_impossible_character_reference_keeps_the_feed_and_its_other_items(bad: str):
    """feedparser's lenient parser crashed on them (chr(0xD83D).encode), and the whole feed failed every pass."""
    parsed = parse_feed(feed("x", "http://h.example/feed"), rss(item(1), item(2, title=bad)))
    titles = [i.title for i in parsed.items]
    assert titles[0] == "Story 1" and len(titles) == 2
    if "55357" in bad:
        assert titles[1] == "B 😀"


@pytest.mark.parametrize(("written", "utc"), [
    ("Tue, 10 Jun 2025 09:00:00 -04:00", "2025-06-10T13:00:00+00:00"),
    ("Tue, 10 Jun 2025 09:00:00 GMT+2", "2025-06-10T07:00:00+00:00"),
    ("Tue, 10 Jun 2025 19:00:00 AEST", "2025-06-10T09:00:00+00:00"),
    ("Tue, 10 Jun 2025 10:00:00 BST", "2025-06-10T09:00:00+00:00"),
    ("Tue, 10 Jun 2025 09:00:00 EDT", "2025-06-10T13:00:00+00:00"),
    ("Tue, 10 Jun 2025 09:00:00 -0000", "2025-06-10T09:00:00+00:00"),
    ("Tue, 10 Jun 2025 09:00:00", "2025-06-10T09:00:00+00:00"),
    ("2025-06-10T09:00:00-04:00", "2025-06-10T13:00:00+00:00"),
    ("Tue, 10 Jun 2025 10:00 PM", "2025-06-10T22:00:00+00:00"),  # a twelve-hour clock, no zone
    ("Tue, 10 Jun 2025 12:30 AM", "2025-06-10T00:30:00+00:00")])
def test_a_date_is_read_in_the_zone_it_was_written_in_on_both_paths(written: str, utc: str | None):
    """`-04:00`, `GMT+2` and zone names were read as UTC: a Sydney story landed ten hours ahead and was clamped
    to its ingest time. A zone no one can read gives no date rather than a wrong one."""
    fast = parse_feed(feed("x", "http://h.example/feed"), rss(item(1, f"<pubDate>{written}</pubDate>")))
    atom = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>"
            f"<entry><title>Story 1</title><link href='https://news.example/1'/><id>1</id>"
            f"<published>{written}</published></entry></feed>").encode()
    lenient = parse_feed(feed("a", "http://h.example/atom"), atom)
    for parsed in (fast, lenient):
        [found] = parsed.items
        assert (found.published.isoformat() if found.published else None) == utc, parsed
    unknown = parse_feed(feed("x", "http://h.example/feed"), rss(item(1, "<pubDate>Tue, 10 Jun 2025 09:00:00 XYZ</pubDate>")))
    assert unknown.items[0].published is None


@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 -0500", "Fri, 31 Dec 9999 23:59:59 EST",
                                  "0001-01-01T00:00:00+01:00"])
def test_a_date_out_of_range_is_no_date_not_a_failed_feed(date: str):
    parsed = parse_feed(feed("x", "http://h.example/feed"), rss(item(1, f"<pubDate>{date}</pubDate>"), item(2)))
    assert [i.title for i in parsed.items] == ["Story 1", "Story 2"]
    json_feed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1", "url": '
                 f'"https://news.example/1", "title": "Story 1", "date_published": "{date}"}}]}}').encode()
    assert len(parse_feed(feed("j", "http://h.example/feed.json"), json_feed).items) == 1


def test_items_sharing_one_guid_with_their_own_links_are_all_kept():
    """A CMS giving every item the same GUID: four of five were dropped as repeats, and every later article,
    under the same GUID, was skipped as seen."""
    parsed = parse_feed(feed("x", "http://h.example/feed"), rss(*(item(n, guid="https://example.com/") for n in range(5))))
    assert len(parsed.items) == 5 and len({i.key for i in parsed.items}) == 5
    assert any("5 items share a GUID" in w for w in parsed.warnings)
    copies = parse_feed(feed("x", "http://h.example/feed"), rss(item(1, guid="g1"), item(1, guid="g1")))
    assert len(copies.items) == 1  # the same item listed twice is still one


def test_a_capped_feed_listed_oldest_first_keeps_its_newest_items():
    from datetime import UTC, datetime, timedelta

    from pipeline.ingest.feeds import FeedLimits

    day = datetime(2024, 1, 1, tzinfo=UTC)
    entries = [item(n, f"<pubDate>{(day + timedelta(days=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>")
               for n in range(10)]
    parsed = parse_feed(feed("x", "http://h.example/feed"), rss(*entries), limits=FeedLimits(max_items=4),
                        now=day + timedelta(days=20))
    assert sorted(i.title for i in parsed.items) == ["Story 6", "Story 7", "Story 8", "Story 9"]


def test_a_json_feed_item_with_a_lone_utf16_half_is_kept_in_text_that_encodes():
    """json.loads keeps "\\udc80"; the story id of such a link raised on encoding and failed the whole feed."""
    from pipeline.ingest.articles import story_id

    body = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1", "url": '
            b'"https://news.example/a\\udc80", "title": "Asylum \\udc80 story"}, {"id": "2", "url": "https://news.example/b", '
            b'"title": "Story 2"}]}')
    parsed = parse_feed(feed("j", "http://h.example/feed.json"), body)
    assert len(parsed.items) == 2
    for it in parsed.items:
        assert it.title.encode("utf-8") and story_id(it.link)


def test_a_site_moving_to_https_or_adding_www_lists_no_new_items():
    """The key kept the GUID's scheme and host as written: a site moving to https listed every article as new,
    and each was stored a second time under its new address."""
    from datetime import UTC, datetime

    from pipeline.ingest.workers import parse_and_match

    now, source = datetime(2024, 1, 1, tzinfo=UTC), feed("x", "http://h.example/feed")

    def new_items(guids: list[str], seen: frozenset[str]) -> tuple[list[str], frozenset[str]]:
        parsed = parse_and_match(source, rss(*(item(n, guid=g) for n, g in enumerate(guids))), "", None, seen, now)
        return [i.guid for i in parsed.new], seen | set(parsed.keys)

    before = [f"http://news.example/{n}" for n in range(3)]
    fresh, seen = new_items(before, frozenset())
    assert fresh == before
    assert new_items([g.replace("http://", "https://www.") for g in before], seen)[0] == []
    assert new_items([*before, "http://news.example/other"], seen)[0] == ["http://news.example/other"]
    # a state saved before: its keys were of the GUIDs as written
    written = parse_feed(source, rss(*(item(n, guid=g) for n, g in enumerate(before)))).items
    assert new_items(before, frozenset(i.former_key for i in written))[0] == []


def test_a_guid_given_again_to_a_new_article_is_new_and_an_edited_link_is_not():
    """`seen` keyed on the GUID alone: a CMS that gave a new article an old GUID (or a "latest" item) hid it for good."""
    from datetime import UTC, datetime

    from pipeline.ingest.workers import parse_and_match

    now, source = datetime(2024, 1, 1, tzinfo=UTC), feed("x", "http://h.example/feed")

    def listed(title: str, link: str) -> bytes:
        return rss(f"<item><title>{title}</title><link>{link}</link><guid isPermaLink='false'>latest</guid>"
                   "<description>Asylum.</description></item>")

    first = parse_and_match(source, listed("Ferry capsizes", "https://n.example/1"), "", None, frozenset(), now)
    seen = frozenset(first.keys + first.title_keys)
    again = parse_and_match(source, listed("Court halts removals", "https://n.example/2"), "", None, seen, now)
    assert [i.title for i in again.new] == ["Court halts removals"]
    edited = parse_and_match(source, listed("Ferry capsizes", "https://n.example/1-ferry"), "", None, seen, now)
    assert edited.new == []  # the same article under an edited link: its story is not fetched as another
    before = parse_and_match(source, listed("Court halts removals", "https://n.example/2"), "", None,
                             frozenset(first.keys), now)  # a state saved before titles were kept
    assert before.new == []
