"""Render alert messages: one story at once, or a digest grouped by topic; everything from a story escaped."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from pipeline.alerts.rendering import render
from pipeline.redact import redact
from pipeline.store.documents import Story, SurgeDoc
from pipeline.text import clip

# "@everyone" and "@here" from a story would ping a whole Discord server (Apprise turns them into
# mentions); a zero-width space after the "@" reads the same and pings no one, as Slack's escaping does
_MASS_MENTION = re.compile(r"@(?=(?:everyone|here)\b)", re.IGNORECASE)
# a user or role mention ("<@123…>", "<@!123…>", "<@&456…>", even "@123…": Apprise pings any "@" and digits) and
# a Slack "<!channel>" or "<#C…>", raw in a title or escaped in the HTML (Apprise un-escapes it making Markdown);
# and a Markdown link "[text](url)" a story wrote, which Discord shows as a masked link: a zero-width space keeps
# the words and breaks the syntax
_MENTION = re.compile(r"@(?=(?:!|&|&amp;)?\d)|(?:<|&lt;)(?=#|!(?:everyone|here|channel|subteam|date)\b)", re.IGNORECASE)
_MASKED_LINK = re.compile(r"\](?=\s*\()")
_TAG = re.compile(r"(<[A-Za-z/!][^>]*>)")  # our template's tags: a story's own "<" reaches the HTML escaped


def quiet(text: str) -> str:
    """`text` safe to send anywhere: mentions and Markdown links from a story defused, URL secrets (a feed's
    apikey in a link) masked."""
    text = _MENTION.sub(lambda m: m.group(0) + "\u200b", redact(text))
    return _MASKED_LINK.sub("]\u200b", _MASS_MENTION.sub("@\u200b", text))


_TAG_MENTION = re.compile(r"@(?=(?:everyone|here)\b|&?\d{15,})", re.IGNORECASE)  # a Discord id has 17–20 digits


def quiet_html(html: str) -> str:
    """`quiet` for the text of an HTML message; in its tags (a story's link) only what pings, percent-encoded (the
    same URL): a link to "maps/@45.5,-73.5" stays a link, "…/@everyone/…" pings no one. Secrets are masked."""
    return "".join(_TAG_MENTION.sub("%40", redact(part)) if _TAG.fullmatch(part) else quiet(part)
                   for part in _TAG.split(html))


@dataclass
class Message:
    """What every channel receives; made `quiet` here, so no renderer and no channel can forget it."""

    title: str
    html: str
    attachments: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, content): email only

    def __post_init__(self) -> None:
        # a title is plain text, but channels with no title of their own (Telegram, Google Chat) put it in the
        # HTML body Apprise sends: a story's "<a href=…>" or "<https://…|text>" there became a live link
        self.title = quiet(self.title).replace("<", "‹").replace(">", "›")
        self.html = quiet_html(self.html)

    @property
    def text(self) -> str:
        """The plain-text part, as Apprise derives it for an email's text/plain alternative (links as written)."""
        from apprise import NotifyFormat
        from apprise.conversion import convert_between

        return str(convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, self.html)).strip()


def snippet(story: Story, width: int = 110) -> Markup:
    """Text around the first matched term, with the matched terms marked; the text itself escaped."""
    combined = f"{story.title}\n{story.text}"
    hits = sorted(story.topic_hits, key=lambda h: h.start)
    if not hits:
        return escape(clip(story.summary, 2 * width))
    first = next((h for h in hits if h.start > len(story.title)), hits[0])
    start = max(0, first.start - width)
    end = min(len(combined), first.end + width)
    if start:  # begin and end between words, never inside one
        start = next((i + 1 for i in range(start, first.start) if combined[i].isspace()), first.start)
    if end < len(combined):
        end = next((i for i in range(end, first.end, -1) if combined[i].isspace()), first.end)
    parts, cursor = [], start
    for hit in hits:
        if hit.start < cursor or hit.end > end:
            continue
        parts.append(escape(combined[cursor: hit.start]))
        parts.append(Markup("<mark>{}</mark>").format(combined[hit.start: hit.end]))
        cursor = hit.end
    parts.append(escape(combined[cursor:end]))
    text = " ".join(Markup("").join(parts).split())
    return Markup(("…" if start else "") + text + ("…" if end < len(combined) else ""))


def story_alert(story: Story, other_outlets: list[str], subscription: str,
                feedback: dict[str, str] | None = None) -> Message:
    """One story's message; `feedback` holds the signed "relevant" / "not relevant" links, if any."""
    quote = None
    if story.top_quote:
        quote = {"text": clip(story.top_quote.quote, 400),
                 "who": story.top_quote.speaker_canonical or story.top_quote.speaker or "unattributed"}
    body = render("alert.html", story=story, published=story.date_label(with_time=True),
                  snippet=snippet(story), quote=quote, other_outlets=other_outlets, subscription=subscription,
                  feedback=feedback or {})
    return Message(f"[Newswatch] {story.title}", body)


def digest(stories: list[tuple[Story, list[str]]], subscription: str, period: str,
           surges: Sequence[SurgeDoc] = (), figures: Sequence[str] = ()) -> Message:
    """Surges and figure changes (their headlines) first, then stories grouped by topic (largest group first), newest first within a topic."""
    by_topic: dict[str, list[tuple[Story, list[str]]]] = defaultdict(list)
    for story, others in stories:
        for topic in story.topics or ["(no topic)"]:
            by_topic[topic].append((story, others))
    sections = [(topic, sorted(by_topic[topic], key=lambda so: so[0].published, reverse=True))
                for topic in sorted(by_topic, key=lambda t: (-len(by_topic[t]), t))]
    body = render("digest.html", count=len(stories), subscription=subscription, period=period, sections=sections,
                  surges=list(surges), figures=list(figures))
    return Message(f"[Newswatch] {len(stories)} new stories — {subscription}", body)


def feed_report(listing: str, trouble: int) -> Message:
    """The operator's daily note about failing and silent feeds."""
    return Message(f"[Newswatch] {trouble} feeds need a look", render("feed_report.html", listing=listing,
                                                                        trouble=trouble))
