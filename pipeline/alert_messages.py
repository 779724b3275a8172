"""Render alert messages: one story at once, or a digest grouped by topic; everything from a story escaped."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Message:
    title: str
    html: str


def snippet(story: dict, width: int = 110) -> str:
    """Text around the first matched term, with the matched terms marked, HTML-escaped."""
    combined = f"{story.get('title', '')}\n{story.get('text', '')}"
    hits = sorted(story.get("topic_hits") or [], key=lambda h: h["start"])
    if not hits:
        return html.escape(" ".join(story.get("summary", "").split())[: 2 * width])
    first = next((h for h in hits if h["start"] > len(story.get("title", ""))), hits[0])
    start = max(0, first["start"] - width)
    end = min(len(combined), first["end"] + width)
    parts, cursor = [], start
    for hit in hits:
        if hit["start"] < cursor or hit["end"] > end:
            continue
        parts.append(html.escape(combined[cursor: hit["start"]]))
        parts.append(f"<mark>{html.escape(combined[hit['start']: hit['end']])}</mark>")
        cursor = hit["end"]
    parts.append(html.escape(combined[cursor:end]))
    text = " ".join("".join(parts).split())
    return ("…" if start else "") + text + ("…" if end < len(combined) else "")


def _quote(story: dict) -> str:
    quote = story.get("top_quote")
    if not quote:
        return ""
    who = quote.get("speaker_canonical") or quote.get("speaker") or "unattributed"
    return (f"<blockquote>{html.escape(' '.join(quote['quote'].split()))}<br>— {html.escape(who)}</blockquote>")


def story_alert(story: dict, other_outlets: list[str], subscription: str) -> Message:
    e = html.escape
    terms = ", ".join(story.get("matched_terms", [])[:8])
    also = f"<p>Also published by: {e(', '.join(other_outlets))}</p>" if other_outlets else ""
    body = (f"<h2><a href=\"{e(story['url'], quote=True)}\">{e(story['title'])}</a></h2>"
            f"<p>{e(story.get('outlet', ''))} · {e(story.get('published', '')[:16].replace('T', ' '))} UTC"
            f" · topics: {e(', '.join(story.get('topics', [])))}</p>"
            f"<p>Matched: {e(terms)}</p><p>{snippet(story)}</p>{_quote(story)}{also}"
            f"<p><a href=\"{e(story['url'], quote=True)}\">Read the story</a></p>"
            f"<p style=\"color:#888\">Newswatch subscription “{e(subscription)}”</p>")
    return Message(f"[Newswatch] {story['title']}", body)


def digest(stories: list[tuple[dict, list[str]]], subscription: str, period: str) -> Message:
    """Stories grouped by topic, newest first, with counts."""
    e = html.escape
    by_topic: dict[str, list[tuple[dict, list[str]]]] = defaultdict(list)
    for story, others in stories:
        for topic in story.get("topics") or ["(no topic)"]:
            by_topic[topic].append((story, others))
    sections = []
    for topic in sorted(by_topic, key=lambda t: (-len(by_topic[t]), t)):
        items = sorted(by_topic[topic], key=lambda so: so[0].get("published", ""), reverse=True)
        rows = "".join(
            f"<li><a href=\"{e(s['url'], quote=True)}\">{e(s['title'])}</a> — {e(s.get('outlet', ''))}, "
            f"{e(s.get('published', '')[:10])}"
            + (f" (also: {e(', '.join(o))})" if o else "") + "</li>"
            for s, o in items)
        sections.append(f"<h3>{e(topic)} ({len(items)})</h3><ul>{rows}</ul>")
    body = (f"<p>{len(stories)} new stories for “{e(subscription)}” ({e(period)})</p>" + "".join(sections))
    return Message(f"[Newswatch] {len(stories)} new stories — {subscription}", body)
