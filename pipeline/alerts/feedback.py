"""Analysts' feedback on stories, stored in Elasticsearch, and the precision it gives per rule and per outlet.

A verdict comes from the CLI (`newswatch feedback`), a signed link in an alert message, or Kibana. It is
stored with who gave it, when, for which topic, and the story's outlet and rule terms, so the feedback
precision of a rule term (`deport*`) or an outlet is a count, and the weekly retraining can read the
verdicts back as labels (`feedback_labels`).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pipeline.alerts.signing import FeedbackClaim, FeedbackLinkError
from pipeline.errors import StoreError
from pipeline.store.documents import Feedback

if TYPE_CHECKING:
    from pipeline.store import Store

log = logging.getLogger(__name__)


class UnknownStory(LookupError):
    """Feedback named a story (or a quote) the index does not hold."""


def record_feedback(store: Store, story_id: str, verdict: str, topic: str | None, by: str, via: str = "cli",
                    feedback_id: str | None = None) -> Feedback | None:
    """Store one verdict; None when `feedback_id` was already used (a replayed link).

    The topic defaults to the story's first topic.
    """
    story = store.get_many("stories", [story_id]).get(story_id)
    if story is None:
        raise UnknownStory(f"no story {story_id!r} in the index")
    topic = topic or (story.topics[0] if story.topics else "")
    terms = sorted({h.term for h in story.topic_hits if h.topic == topic}) or list(story.matched_terms)
    doc = Feedback(story_id=story_id, verdict=verdict, topic=topic, by=by, at=store.now(), via=via,
                   outlet=story.outlet, terms=terms)
    if not store.create("feedback", feedback_id or uuid.uuid4().hex, doc):
        if feedback_id is None:  # a fresh id taken: this call's own write, retried after a timeout, had landed
            return doc
        return None
    try:
        store.refresh("feedback")  # stored already: a slow refresh must not report the verdict lost
    except StoreError as exc:
        log.warning("feedback on %s stored; refreshing the index failed: %s", story_id, exc)
    return doc


def correct_speaker(store: Store, quote_id: str, right_name: str, by: str, via: str = "cli") -> Feedback:
    """"Wrong speaker": the quote takes the right name, in the form the names registry holds for it (the
    name is registered first if new, so every later story spells it the same way), and the correction is
    kept with who made it and what the quote carried before.

    The correction is stored first; a run cut short and run again finds it as the quote's latest correction
    (the same change by the same person, or the one that gave the quote the name it now carries), so no second
    record is made and the speaker it replaced (`was`) stays the one the quote first carried. The story's own
    copies follow (who is quoted, its quote list, its top quote): alerts, `quoted` subscriptions and new-voice
    alerts read those."""
    from pipeline.nlp.names import index_forms

    if not any(ch.isalpha() for ch in right_name):  # "  " or "-": no name the registry could hold
        raise ValueError(f"{right_name!r} is no name: give the speaker's full name")
    quote = store.get_many("quotes", [quote_id]).get(quote_id)
    if quote is None:
        raise UnknownStory(f"no quote {quote_id!r} in the index")
    name = index_forms(store, [right_name.strip()])[right_name.strip()]
    doc = Feedback(story_id=quote.story_id, verdict="wrong-speaker", topic=quote.topics[0] if quote.topics else "",
                   by=by, at=store.now(), via=via, outlet=quote.outlet, quote_id=quote_id, speaker=name,
                   was=quote.speaker_canonical)
    last = _last_correction(store, quote_id)
    if quote.speaker_canonical == name and last is not None and last.speaker == name:
        doc = last  # a run cut short after writing the quote: its record, with the name the quote first carried
    elif last is not None and (last.was, last.speaker, last.by) == (quote.speaker_canonical, name, by):
        doc = last  # a run cut short before writing the quote: the same correction, stored once
    else:
        store.create("feedback", f"speaker-{uuid.uuid4().hex}", doc)
    store.update("quotes", quote_id, speaker_canonical=name, speaker_type="person")
    _story_follows(store, quote.story_id, quote_id, doc.was or "", name)
    store.refresh("feedback", "names")
    return doc


def _last_correction(store: Store, quote_id: str) -> Feedback | None:
    """The latest speaker correction of this quote, if one was stored."""
    store.refresh("feedback")
    query = {"bool": {"filter": [{"term": {"quote_id": quote_id}}, {"term": {"verdict": "wrong-speaker"}}]}}
    found = store.client.search(index=store.index("feedback"), query=query, sort=[{"at": "desc"}], size=1)["hits"]["hits"]
    return Feedback.model_validate(found[0]["_source"]) if found else None


def _story_follows(store: Store, story_id: str, quote_id: str, was: str, name: str) -> None:
    """The story's copies of the speaker: its quote list (the quote's number is its place there), who it
    quotes (the old name stays while another of its quotes still carries it), and its top quote."""
    story = store.get_many("stories", [story_id]).get(story_id)
    if story is None:
        return
    number = int(quote_id.rsplit("-", 1)[1]) if quote_id.rsplit("-", 1)[-1].isdigit() else -1
    quotes = [dict(q) for q in story.quotes]
    if not 0 <= number < len(quotes):
        return
    top = story.top_quote
    if top is not None and top.quote == quotes[number].get("quote") and top.speaker_canonical == quotes[number].get("speaker_canonical"):
        top = top.model_copy(update={"speaker_canonical": name})
    quotes[number]["speaker_canonical"] = name
    still = {q.get("speaker_canonical") for q in quotes}
    quoted = sorted({*(n for n in story.quoted if n != was or was in still), name})
    store.update("stories", story_id, quotes=quotes, quoted=quoted,
                 top_quote=top.model_dump() if top is not None else None)


def record_link_feedback(store: Store, claim: FeedbackClaim, user: str | None = None) -> Feedback:
    """Record a verified link's verdict, as the logged-in `user`'s (else the subscriber's the link was sent to),
    under its nonce and that user. A second use by the same person raises FeedbackLinkError while the link's
    verdict is still their latest; once they have given the other verdict since (another link, the CLI), the
    link makes its verdict theirs again, as their newest: the page must not say a verdict they withdrew counts."""
    user = (user or "").strip() or None  # an auth manager's empty name is no one: the subscriber's verdict
    by = user or claim.to
    doc_id = f"link-{claim.nonce}" if user is None else f"link-{claim.nonce}-{hashlib.sha256(user.encode()).hexdigest()[:16]}"
    doc = record_feedback(store, claim.story, claim.verdict, claim.topic, by, "link", doc_id)
    if doc is not None:
        return doc
    first = store.get_many("feedback", [doc_id]).get(doc_id)  # a second click, a replay, or a change of mind back
    topic = first.topic if isinstance(first, Feedback) else claim.topic
    latest, given = _latest_verdict(store, claim.story, topic, by)
    if latest is not None and latest.verdict != claim.verdict:
        # Counting their verdicts in the id: a double click (or a replay racing this one) finds the id taken and
        # adds nothing, and only a verdict given since can make the link count again. Each person's latest verdict
        # is the one counted (`latest_verdicts`), so this moves their vote back, never adds one.
        again = record_feedback(store, claim.story, claim.verdict, claim.topic, by, "link", f"{doc_id}-{given}")
        if again is not None:
            return again
        latest, _ = _latest_verdict(store, claim.story, topic, by)
    shown = latest if latest is not None and latest.verdict == claim.verdict else first
    when = f" at {shown.at:%Y-%m-%d %H:%M} UTC" if isinstance(shown, Feedback) else ""
    raise FeedbackLinkError(f"the link was already used: {by}'s verdict ({claim.verdict} for story {claim.story})"
                            f" was recorded{when}, once")


def _latest_verdict(store: Store, story_id: str, topic: str, by: str) -> tuple[Feedback | None, int]:
    """This person's latest verdict on the story for the topic (the one `latest_verdicts` counts), and how many
    verdicts they gave on it in all."""
    store.refresh("feedback")
    query = {"bool": {"filter": [{"term": {"story_id": story_id}}, {"term": {"topic": topic}}, {"term": {"by": by}},
                                 {"terms": {"verdict": ["relevant", "irrelevant"]}}]}}
    hits = store.client.search(index=store.index("feedback"), query=query, sort=[{"at": "desc"}, {"verdict": "desc"}],
                               size=1, track_total_hits=True)["hits"]
    latest = Feedback.model_validate(hits["hits"][0]["_source"]) if hits["hits"] else None
    return latest, int(hits["total"]["value"])


def all_feedback(store: Store) -> list[Feedback]:
    """Every verdict, oldest first (the latest verdict of one person on one story counts), page by page: a
    single search would stop at 10,000 and leave out the newest. Two verdicts equal in every sort key are
    the same verdict given twice at one instant; paging may keep one of them, which changes nothing."""
    store.refresh("feedback")
    order = [{"at": "asc"}, {"story_id": "asc"}, {"by": "asc"}, {"topic": "asc"}, {"verdict": "asc"}, {"via": "asc"},
             {"quote_id": "asc"}]
    out = []
    for raw in store.scan("feedback", {"match_all": {}}, order, page=2000, source=list(Feedback.model_fields)):
        try:
            out.append(Feedback.model_validate(raw))
        except ValidationError as exc:  # one written by hand (in Kibana) without a field: left out, not a 500
            log.warning("a feedback document is left out: %s", str(exc).splitlines()[0])
    return out


def latest_verdicts(feedback: list[Feedback]) -> list[Feedback]:
    """One verdict per (story, topic, person): their last."""
    latest: dict[tuple[str, str, str], Feedback] = {}
    for f in feedback:
        if f.verdict in ("relevant", "irrelevant"):
            latest[(f.story_id, f.topic, f.by)] = f
    return list(latest.values())


@dataclass
class Precision:
    key: str
    relevant: int
    irrelevant: int

    @property
    def precision(self) -> float:
        return self.relevant / (self.relevant + self.irrelevant) if self.relevant + self.irrelevant else 0.0


def precision_by(feedback: list[Feedback], by: str) -> list[Precision]:
    """Feedback precision per rule term (`by="rule"`) or per outlet (`by="outlet"`), lowest first."""
    counts: Counter[tuple[str, str]] = Counter()
    for f in latest_verdicts(feedback):
        for key in (f.terms if by == "rule" else [f.outlet]):
            counts[(key, f.verdict)] += 1
    keys = sorted({k for k, _ in counts})
    rows = [Precision(k, counts[(k, "relevant")], counts[(k, "irrelevant")]) for k in keys]
    return sorted(rows, key=lambda p: (p.precision, -(p.relevant + p.irrelevant), p.key))


def report(feedback: list[Feedback]) -> str:
    lines = [f"{len(latest_verdicts(feedback))} verdicts"]
    for by in ("rule", "outlet"):
        lines.append(f"by {by}:")
        lines += [f"  {p.key:<30} precision {p.precision:.2f}  ({p.relevant} relevant, {p.irrelevant} irrelevant)"
                  for p in precision_by(feedback, by)]
    return "\n".join(lines)
