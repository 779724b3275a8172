"""The online path, item by item or batch by batch: topic filter → features → events and storylines → surges.

`Monitor` holds what the product keeps in its store between polls (word statistics, open events and
storylines, one surge detector per topic) and takes each poll's items in one call. The CLI and the
evaluation drive it the same way the poller would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.events.embeddings import Encoder, story_text
from pipeline.events.features import StoryFeatures, TermStats, content_words, extract_entities, story_features
from pipeline.events.grouping import Assignment, Group, GroupingSettings, GroupingState, assign_batch, close_stale
from pipeline.events.surges import (
    DetectorState,
    SeriesRef,
    Surge,
    SurgeSettings,
    close_surges,
    observe_item,
    observe_story,
)

ENTITY_SERIES = ("person", "organization", "place")


@dataclass(frozen=True)
class Placed:
    """One kept story's outcome: its topics, event and storyline, and the surges it raised."""

    id: str
    topics: list[str]
    event: str
    storyline: str
    surges: list[Surge]


def copy_key(story: StoryFeatures) -> str:
    """Syndicated copies and re-posts share their headline's words (the product's MinHash cluster id does better)."""
    return " ".join(sorted(set(content_words(story.title)))) or story.id


def series_of(story: StoryFeatures, topic: str, placed: Assignment, state: GroupingState) -> list[SeriesRef]:
    """The series a kept story counts in: its topic, event, storyline, and people, organisations and places."""
    event = state.events.get(placed.event_id)
    line = state.storylines.get(placed.storyline_id)
    refs = [SeriesRef(f"topic:{topic}", topic),
            SeriesRef(f"event:{placed.event_id}", event.title if event else story.title),
            SeriesRef(f"storyline:{placed.storyline_id}", line.title if line else story.title)]
    refs += [SeriesRef(f"{kind}:{key}", name) for key, (kind, name) in sorted(story.entities.items())
             if kind in ENTITY_SERIES]
    return refs


@dataclass
class Monitor:
    """Online state and the one method the poller calls per batch."""

    matcher: Callable[[Mapping[str, Any]], list[str]]
    nlp: Any
    encoder: Encoder | None = None  # for grouping with an embedding weight > 0; None: words only
    grouping: GroupingSettings = field(default_factory=GroupingSettings)
    surge_settings: SurgeSettings = field(default_factory=SurgeSettings)
    stats: TermStats = field(default_factory=TermStats)
    groups: GroupingState = field(default_factory=GroupingState)
    detectors: dict[str, DetectorState] = field(default_factory=dict)
    closed: list[Group] = field(default_factory=list)  # the groups the last call closed (their final form)

    def process(self, items: Sequence[Mapping[str, Any]]) -> list[Placed]:
        """Filter, parse, group and watch one batch of polled items; outcomes of the kept ones, in time order."""
        topics = {str(it["id"]): self.matcher(it) for it in items}
        kept = [it for it in items if topics[str(it["id"])]]
        found = extract_entities(kept, self.nlp) if kept else []
        ids = [str(it["id"]) for it in kept]
        entities = dict(zip(ids, found, strict=True))
        embedded: dict[str, Any] = {}
        if self.encoder is not None and kept:  # kept stories only: a few a poll, about 25 a second per core
            embedded = dict(zip(ids, self.encoder.encode([story_text(it) for it in kept]), strict=True))
        stories = [story_features(it, entities.get(str(it["id"]), ()), embedded.get(str(it["id"]), ()))
                   for it in items]
        return self.process_stories(stories, topics)

    def process_stories(self, stories: Iterable[StoryFeatures], topics: Mapping[str, list[str]]) -> list[Placed]:
        """Group and watch stories whose features and topics are known (the product's enrichment has them)."""
        ordered = sorted(stories, key=lambda s: (s.published, s.id))
        kept = {s.id for s in ordered if topics.get(s.id)}
        out = []
        for story in ordered:  # one at a time, so any cut of the stream into batches gives the same result
            for placed in assign_batch(self.groups, self.stats, [story], kept, self.grouping):
                raised: list[Surge] = []
                # an undated story (a new feed's backlog, all first seen at once) cannot say when it was news
                for topic in topics[story.id] if story.dated else []:
                    detector = self.detectors.setdefault(topic, DetectorState(topic))
                    raised += observe_story(detector, story.id, story.published,
                                            series_of(story, topic, placed, self.groups), copy_key(story),
                                            self.surge_settings)
                out.append(Placed(story.id, topics[story.id], placed.event_id, placed.storyline_id, raised))
            for detector in self.detectors.values() if story.dated else []:
                observe_item(detector, story.id, story.published, self.surge_settings)
        self.closed = []
        if ordered:
            self.closed = close_stale(self.groups, ordered[-1].published, self.grouping)
            for detector in self.detectors.values():
                close_surges(detector, ordered[-1].published, self.surge_settings)
        return out

    def surges(self) -> list[Surge]:
        return [s for d in self.detectors.values() for s in d.surges]


def run(items: Iterable[Mapping[str, Any]], monitor: Monitor, batch_size: int = 200) -> list[Placed]:
    """Feed a stream (oldest first) to a monitor in batches, as successive polls would."""
    out: list[Placed] = []
    batch: list[Mapping[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            out += monitor.process(batch)
            batch = []
    if batch:
        out += monitor.process(batch)
    return out
