"""Rebuild the offline replay bundle in replay/ from the real captured material in ../shared/data.

The bundle carries a small selection (a few dozen items): Canadian and international stories as
RSS feeds whose links point at bundled pages, BBC/CNN items from 2022 with their real links (pages
not fetched offline), HuffPost Canada's real feed, and one page that is not a feed at all.
Run: .venv/bin/python scripts/build_replay.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "replay"
CANADIAN = ["011", "012", "013", "014", "016", "017", "018", "019", "021", "022", "023", "025", "026", "027",
            "038", "040", "035", "028"]
WORLD_PAGES = {"005": "aeb__5f9c5ed5d6.html", "006": "aeb__abd9d6291b.html", "007": "aeb__1ee91d1fce.html",
               "043": "aeb__b37be3535e.html", "044": "aeb__2c46804d9d.html"}


def rss(title: str, link: str, items: list[dict]) -> str:
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{html.escape(title)}</title>'
             f"<link>{html.escape(link)}</link><description>Newswatch offline replay (real captured items)</description>"]
    for it in items:
        parts.append(f"<item><title>{html.escape(it['title'])}</title><link>{html.escape(it['link'])}</link>"
                     f"<guid isPermaLink=\"false\">{html.escape(it['guid'])}</guid>"
                     + (f"<pubDate>{it['date']}</pubDate>" if it["date"] else "")  # unknown stays unknown
                     + f"<description>{html.escape(it['description'])}</description></item>")
    parts.append("</channel></rss>\n")
    return "\n".join(parts)


def wire_page(title: str, text: str) -> str:
    """The same wire story as republished by a second outlet: its own page around the same text."""
    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n") if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)} | Wire</title></head>"
            f"<body><div class='masthead'>World News Network</div><div class='story'><h1>{html.escape(title)}</h1>"
            f"<p class='byline'>The Canadian Press</p>{paras}</div><aside>Most read</aside>"
            f"<div class='legal'>Republished from The Canadian Press wire</div></body></html>\n")


def page(title: str, text: str) -> str:
    paras = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n") if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><header><nav>Home | News | Canada</nav></header><main><article><h1>{html.escape(title)}</h1>"
            f"{paras}</article></main><footer>Replay copy for offline testing</footer></body></html>\n")


def rfc822(value: str | None) -> str | None:
    """The item's date as RSS writes it; None (no <pubDate>) when the source does not know it: no date is made up."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_datetime(when)


def first_sentences(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat[:limit].rsplit(" ", 1)[0] + "…" if len(flat) > limit else flat


def main(data: Path) -> None:
    for sub in ("feeds", "pages"):  # feeds.yaml is written by hand and kept
        shutil.rmtree(OUT / sub, ignore_errors=True)
    (OUT / "feeds").mkdir(parents=True)
    (OUT / "pages").mkdir()
    canada, quebec = [], []
    seed = (data / "seed-article.txt").read_text(encoding="utf-8")
    seed_title = seed.splitlines()[0]
    (OUT / "pages" / "seed-article.html").write_text(page(seed_title, "\n".join(seed.splitlines()[1:])), encoding="utf-8")
    canada.append({"title": seed_title, "link": "http://replay.newswatch.invalid/pages/seed-article.html?utm_source=rss&utm_medium=feed",
                   "guid": "seed-article", "date": rfc822("2019-04-01T12:00:00"),
                   "description": "American officials appear to be inching closer to authorizing the start of talks "
                                  "to amend the Safe Third Country Agreement with Canada."})
    for number in CANADIAN:
        art = json.loads((data / "articles" / f"{number}.json").read_text(encoding="utf-8"))
        if not art.get("title"):
            continue
        (OUT / "pages" / f"{number}.html").write_text(page(art["title"], art["text"]), encoding="utf-8")
        (quebec if art.get("lang") == "fr" else canada).append({
                       "title": art["title"], "link": f"http://replay.newswatch.invalid/pages/{number}.html", "guid": art["url"] or number,
                       "date": rfc822(art.get("published")), "description": first_sentences(art["text"])})
    (OUT / "feeds" / "canada.rss").write_text(rss("Canadian news (replay)", "http://replay.newswatch.invalid/", canada), encoding="utf-8")
    (OUT / "feeds" / "quebec.rss").write_text(rss("Nouvelles du Québec (replay)", "http://replay.newswatch.invalid/", quebec), encoding="utf-8")

    world = []
    # syndicated copies: two Canadian Press stories as a second outlet republished them (one cluster each)
    seed_body = "\n".join(seed.splitlines()[1:])
    (OUT / "pages" / "wire-seed-article.html").write_text(wire_page(seed_title, seed_body), encoding="utf-8")
    world.append({"title": seed_title, "link": "http://replay.newswatch.invalid/pages/wire-seed-article.html",
                  "guid": "wire-seed-article", "date": rfc822("2019-04-01T13:30:00"),
                  "description": "American officials appear to be inching closer to authorizing talks to amend the "
                                 "Safe Third Country Agreement with Canada."})
    wired = next(c for c in canada if c["guid"] != "seed-article")
    number = wired["link"].rsplit("/", 1)[-1].removesuffix(".html")
    art = json.loads((data / "articles" / f"{number}.json").read_text(encoding="utf-8"))
    (OUT / "pages" / f"wire-{number}.html").write_text(wire_page(art["title"], art["text"]), encoding="utf-8")
    world.append({**wired, "link": f"http://replay.newswatch.invalid/pages/wire-{number}.html",
                  "guid": f"wire-{number}"})
    for number, name in WORLD_PAGES.items():
        art = json.loads((data / "articles" / f"{number}.json").read_text(encoding="utf-8"))
        shutil.copyfile(data / "html" / name, OUT / "pages" / name)
        world.append({"title": art["title"], "link": f"http://replay.newswatch.invalid/pages/{name}", "guid": art["url"],
                      "date": rfc822(art.get("published")), "description": first_sentences(art["text"])})
    (OUT / "feeds" / "world.rss").write_text(rss("World news (replay)", "http://replay.newswatch.invalid/", world), encoding="utf-8")

    items = [json.loads(line) for line in (data / "topics-dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for source, feed_url in (("bbc", "http://feeds.bbci.co.uk/news/rss.xml"), ("cnn", "http://rss.cnn.com/rss/edition.rss")):
        chosen = [i for i in items if i["feed"] == feed_url and i["label"] == "on"][:6]
        chosen += [i for i in items if i["feed"] == feed_url and i["label"] == "off"][:6]
        entries = [{"title": i["title"], "link": i["link"], "guid": i["id"], "date": rfc822(i["date_published"]),
                    "description": i.get("description") or ""} for i in chosen]
        (OUT / "feeds" / f"{source}-2022.rss").write_text(rss(f"{source.upper()} 2022 (replay)", feed_url, entries),
                                                          encoding="utf-8")
    shutil.copyfile(data / "feeds" / "feedjira__HuffPostCanada.xml", OUT / "feeds" / "huffpost-canada.xml")
    shutil.copyfile(data / "feeds" / "nodefp__notafeed.html", OUT / "feeds" / "not-a-feed.html")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
