import asyncio
from pathlib import Path

from pipeline.ingest.articles import (
    Article,
    build_article,
    canonical_url,
    clean_text,
    extract_or_error,
    extract_text,
    fetch_page,
    story_id,
)
from pipeline.ingest.feeds import FeedItem
from pipeline.ingest.fetch import Fetcher
from pipeline.settings import FetchSettings

JUNK = ["Story continues below advertisement", "WATCH BELOW", "Click to play video", "READ MORE",
        "Sponsored content", "THE CANADIAN PRESS/Paul Chiasson", "With files from"]


def test_canonical_url_drops_tracking_and_fragment():
    url = "https://www.BBC.co.uk/news/world-australia-59383184?at_medium=RSS&at_campaign=KARANGA#comments"
    assert canonical_url(url) == "https://www.bbc.co.uk/news/world-australia-59383184"
    assert canonical_url("https://x.ca/a?id=3&utm_source=rss&b=2") == "https://x.ca/a?b=2&id=3"
    # courlan's normalisation, then ours: the Guardian's and HuffPost's share codes, `%7e` as `~`, no fragment
    assert canonical_url("https://www.theguardian.com/a?CMP=share_btn_tw#comments") == "https://www.theguardian.com/a"
    assert canonical_url("https://x.ca/b/?ncid=other_topnav&q=%7e") == "https://x.ca/b/?q=~"
    assert story_id(url) == story_id("https://www.bbc.co.uk/news/world-australia-59383184")
    assert story_id(url) != story_id("https://www.bbc.co.uk/news/world-australia-59383185")
    for name in ("cid", "src", "ref", "feature", "via", "partner", "rss"):  # an article's id on some sites
        assert story_id(f"https://ex.org/article.php?{name}=123") != story_id(f"https://ex.org/article.php?{name}=456")
    # a Latin-1 site's ids ("%E9", "%E8") are no UTF-8: replaced by U+FFFD, both articles shared one id
    assert story_id("https://ex.org/a.php?t=caf%E9") != story_id("https://ex.org/a.php?t=caf%E8")
    assert canonical_url("https://ex.org/a.php?t=caf%E9") == "https://ex.org/a.php?t=caf%E9"
    assert canonical_url("https://ex.org/a.php?t=caf%C3%A9&utm_source=x") == "https://ex.org/a.php?t=caf%C3%A9"


def test_seed_article_junk_removed_and_prose_kept(shared_data: Path):
    cleaned = clean_text((shared_data / "seed-article.txt").read_text())
    for junk in JUNK:
        assert junk not in cleaned, junk
    assert "near Hemmingford, Que." in cleaned  # the caption stays, its credit goes
    assert "“There’s been challenges in getting them" in cleaned
    assert cleaned.count("Border issue ‘politicized’") == 0


def test_a_video_label_glued_to_a_paragraph_is_junk_and_offsets_stay():
    from pipeline.ingest.articles import blank_junk

    text = "Verdict: grounds for appeal?\nWatch Video Sandusky's lawyers had asked for more time.\nWatch videos online."
    assert blank_junk(text).split("\n")[1].strip() == "Sandusky's lawyers had asked for more time."
    assert len(blank_junk(text)) == len(text)
    assert "Watch Video" not in clean_text(text) and "Watch videos online." in clean_text(text)


def test_extract_text_from_real_page(shared_data: Path):
    html = (shared_data / "html" / "aeb__5f9c5ed5d6.html").read_bytes()
    text = extract_text(html)
    assert text and "nearly 150 Indians returned home" in text
    assert "<div" not in text


def item(link: str) -> FeedItem:
    return FeedItem("f", "Outlet", "en", "CA", link, link, "Title", "The feed summary text.", None)


def fetch_article(item: FeedItem, settings: FetchSettings, fetch_pages: str = "always") -> Article:
    """One item's article the way a poll pass makes it: `fetch_page`, `extract_or_error` (in a worker there),
    `build_article`."""

    async def page() -> tuple[bytes | None, str | None, str | None]:
        if fetch_pages != "always":
            return None, None, None
        async with Fetcher(settings) as fetcher:
            return await fetch_page(item, fetcher)

    body, url, error = asyncio.run(page())
    text = None
    if body is not None:
        text, error = extract_or_error(body, url)
    return build_article(item, text, error)


def test_fetch_article_uses_page_then_falls_back_to_summary(web):
    settings = FetchSettings(retries=0, allow=("127.0.0.1",))
    page = fetch_article(item(f"{web.url}/html/aeb__5f9c5ed5d6.html?utm_source=x"), settings)
    missing = fetch_article(item(f"{web.url}/html/missing.html"), settings)
    never = fetch_article(item(f"{web.url}/html/aeb__5f9c5ed5d6.html"), settings, "never")
    assert page.text_source == "page" and "deported" in page.text
    assert page.canonical_url == f"{web.url}/html/aeb__5f9c5ed5d6.html"
    assert missing.text_source == "summary" and missing.text == "The feed summary text."
    assert missing.page_error == "HTTP 404"
    assert never.text_source == "summary" and never.page_error is None


def test_the_same_page_extracts_twice(shared_data: Path):
    """A retried or syndicated page must not come back empty the second time in one process."""
    html = (shared_data / "html" / "aeb__abd9d6291b.html").read_bytes()
    first, second = extract_text(html), extract_text(html)
    assert first and first == second


def test_stray_hyphenation_marks_are_removed(shared_data: Path):
    import json

    text = json.loads((shared_data / "articles" / "026.json").read_text())["text"]
    assert "chemin -Roxham" in text
    cleaned = clean_text(text)
    assert "chemin Roxham" in cleaned and "-Roxham" not in cleaned and "-GRC" not in cleaned
    assert clean_text("2019-2020 et Saint-Bernard-de-Lacolle") == "2019-2020 et Saint-Bernard-de-Lacolle"


def test_linked_names_stay_in_their_sentences(shared_data: Path):
    """CBS News wraps in-sentence links in `<span class="link">`, which precision mode prunes as furniture."""
    text = extract_text((shared_data / "html" / "trafilatura__cbsnews.com.carolina.html").read_bytes())
    assert text and "especially high for Joe Biden." in text
    assert "but has dropped in recent polls," in text
    assert " for ." not in text


def test_a_link_block_standing_alone_is_still_furniture():
    prose = " ".join(["The minister announced the new asylum rules on Monday in the capital."] * 6)
    page = (f"<html><body><article><h1>Asylum rules</h1><p>{prose} It was welcomed by "
            f"<span class='link'><a href='/p/jane-doe'>Jane Doe</a></span> of the refugee council.</p>"
            f"<p>{prose}</p><div class='link'><a href='/more'>More stories from the capital</a></div>"
            f"<p><span class='link'><a href='/also'>Also on the site today</a></span></p></article></body></html>")
    text = extract_text(page) or ""
    assert "welcomed by Jane Doe of the refugee council." in text
    assert "More stories from the capital" not in text and "Also on the site today" not in text


def test_navigation_a_newsletter_sign_up_and_a_repeated_lead_are_cut():
    lead = ("OTTAWA — Femi Biobaku came to Canada more than a year ago fleeing persecution, forcing him to leave his "
            "wife and two children.")
    page = "\n".join(["Skip to content", "Join our Newsletter", lead,
                      "An influx of asylum claimants has flooded shelters. THE CANADIAN PRESS/Sean Kilpatrick", lead,
                      "He landed in Ottawa in July 2022.", "“Thank you,” he said.", "“Thank you,” he said."])
    cleaned = clean_text(page)
    assert cleaned.count("Femi Biobaku") == 1 and "Skip to content" not in cleaned and "Newsletter" not in cleaned
    assert cleaned.count("“Thank you,” he said.") == 1  # short lines too, when they follow each other
    assert "He landed in Ottawa" in cleaned and "flooded shelters" in cleaned


def test_credits_and_sign_offs_go_and_a_lead_starting_with_copyright_stays():
    """"Copyright holders say …" was deleted whole as a notice; credits and sign-offs became people and places."""
    from pipeline.ingest.articles import clean_text

    page = ("Copyright holders say the new bill goes too far, executive director Victoria Shen said Monday.\n\n"
            "Photo credit: Sean Kilpatrick/The Canadian Press\n\n(AP Photo/Darryl Dyck)\n\n"
            "(Reporting by William Schomberg in London; Editing by Toby Chopra)\n\n"
            "Associated Press writer Samya Kullab in Kyiv contributed to this report.\n\nRelated Stories\n\n"
            "(c) 2024 Reuters\n\n(c) The Canadian Press\n\nCopyright 2024 The Associated Press. All rights reserved.\n\n"
            "The minister said the plan would go ahead.\n\n(c) a person convicted of a serious crime may be removed.")
    assert clean_text(page) == ("Copyright holders say the new bill goes too far, executive director Victoria Shen "
                                "said Monday.\n\nThe minister said the plan would go ahead.\n\n"
                                "(c) a person convicted of a serious crime may be removed.")  # a statute's clause stays
