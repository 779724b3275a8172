"""The live events stage: each enriched on-topic story placed in an event and a storyline, their documents
rebuilt, and surges raised, in the run that enriched the story (not at the end of the day).

The same `Monitor` the offline contract drives does the placing; what it remembers between runs (word
statistics, open events and storylines, one surge detector per topic) is one document in the store,
saved compare-and-set. The order of the writes makes a re-run safe:

1. the state is saved first; a run that lost the race to another gets `StateConflict` and placed nothing;
2. then the stories get their `event_id` and `storyline_id`;
3. then the figure findings (`findings`), event, storyline and surge documents are rebuilt from the stories and
   written where they changed.

A run that dies after 1 leaves stories without ids; the next run finds them again and takes their ids from
the saved state's `pending` (this batch's placements, saved with it: their events may have closed since), so
it writes the same ids and documents without placing or counting them again: nothing twice, nothing lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.events.features import TermStats, parse_time, story_features
from pipeline.events.findings import event_findings, summary, write_findings
from pipeline.events.grouping import GroupingState
from pipeline.events.monitor import Monitor, Placed
from pipeline.events.surges import DetectorState, Surge
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.documents import FigureFinding, Story, SurgeDoc

log = logging.getLogger(__name__)
STATE_KEY = "monitor"
SERIES_KINDS = ("topic", "event", "storyline", "person", "organization", "place")


@dataclass
class EventReport:
    placed: int = 0
    events: int = 0  # event documents written (new or changed)
    storylines: int = 0
    surges: int = 0  # surge documents written (new or grown)
    findings: int = 0  # figure findings written (new, or with a new source)
    raised: list[str] = field(default_factory=list)  # ids of surges this run opened
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        return {"stories_placed": self.placed, "events_written": self.events, "storylines_written": self.storylines,
                "surges_written": self.surges, "surges_raised": len(self.raised),
                "figure_findings_written": self.findings, "events_seconds": round(self.seconds, 2)}


def _no_matcher(_: Mapping[str, Any]) -> list[str]:
    return []  # live stories carry the topics the poll matched


def load_monitor(state: Mapping[str, Any]) -> Monitor:
    """A monitor with the saved state (empty when none was saved)."""
    return Monitor(matcher=_no_matcher, nlp=None, stats=TermStats.from_dict(state.get("stats", {})),
                   groups=GroupingState.from_dict(state.get("groups", {})),
                   detectors={topic: DetectorState.from_dict(d) for topic, d in state.get("detectors", {}).items()})


def dump_monitor(monitor: Monitor) -> dict[str, Any]:
    return {"stats": monitor.stats.to_dict(), "groups": monitor.groups.to_dict(),
            "detectors": {topic: d.to_dict() for topic, d in monitor.detectors.items()}}


def story_item(story: Story) -> dict[str, Any]:
    """A stored story as the monitor reads stream items."""
    return {"id": story.story_id, "published": story.published, "outlet": story.outlet, "title": story.title,
            "summary": story.summary, "text": story.text}


def story_entities(story: Story) -> list[tuple[str, str]]:
    """(kind, name) of the people, organisations and places enrichment found, in the index's spelling."""
    return [(str(e.get("label")), str(e.get("canonical") or e.get("text")))
            for e in story.entities if e.get("label") in ("person", "organization", "place")]


def surge_id(surge: Surge) -> str:
    """One id per surge: a series surges again only after it cooled down, so (topic, key, start) is unique."""
    return f"{surge.topic}|{surge.key}|{surge.start}"


def surge_doc(surge: Surge, at: datetime) -> SurgeDoc:
    return SurgeDoc(surge_id=surge_id(surge), topic=surge.topic, key=surge.key, kind=surge.key.split(":", 1)[0],
                    label=surge.label, start=parse_time(surge.start), peak=parse_time(surge.peak),
                    end=parse_time(surge.end) if surge.end else None, score=round(surge.score, 3), count=surge.count,
                    expected=round(surge.expected, 3), story_ids=list(surge.stories), updated=at)


def track_events(store: Store, settings: Settings, limit: int = 5000) -> EventReport:
    """Place the enriched stories that have no event yet (oldest first) and update what they touch."""
    report = EventReport()
    started = time.monotonic()
    saved, placed_before, version = store.monitor_state(STATE_KEY)
    stories = list(store.unplaced_stories(limit))
    if not stories:
        return report
    monitor = load_monitor(saved)
    before = {surge_id(s) for s in monitor.surges()}
    # placed by a run that died after saving: their groups may be closed by now, so their ids are taken as saved
    pending = {sid: ids for sid, ids in saved.get("pending", {}).items()}
    redone = [Placed(s.story_id, s.topics, pending[s.story_id][0], pending[s.story_id][1], []) for s in stories
              if s.story_id in pending]
    fresh = [s for s in stories if s.story_id not in pending]
    features = [story_features(story_item(s), story_entities(s)) for s in fresh]
    placed = monitor.process_stories(features, {s.story_id: s.topics for s in fresh})
    state = dump_monitor(monitor) | {"pending": {p.id: [p.event, p.storyline] for p in [*redone, *placed]}}
    store.save_monitor_state(STATE_KEY, state, placed_before + len(placed), version)
    placed = [*redone, *placed]
    store.update_docs("stories", [(p.id, {"event_id": p.event, "storyline_id": p.storyline}) for p in placed],
                      refresh=True).require("event ids of stories")
    report.placed = len(placed)
    titles = {s.story_id: s.title for s in stories}
    findings = event_findings(store, sorted({p.event for p in placed}))
    report.findings = write_findings(store, findings)
    report.events, report.storylines = _write_groups(store, monitor, placed, titles, findings)
    report.surges, report.raised = _write_surges(store, monitor, stories, before)
    store.refresh("events", "surges", "figure-findings")
    report.seconds = time.monotonic() - started
    log.info("events: %d stories placed, %d events and %d storylines updated, %d surges raised",
             report.placed, report.events, report.storylines, len(report.raised))
    return report


def _write_groups(store: Store, monitor: Monitor, placed: Sequence[Placed], titles: Mapping[str, str],
                  findings: Mapping[str, Sequence[FigureFinding]]) -> tuple[int, int]:
    written = []
    for level, ids in (("event", sorted({p.event for p in placed})), ("storyline", sorted({p.storyline for p in placed}))):
        open_groups = monitor.groups.events if level == "event" else monitor.groups.storylines
        found = store.summarise_groups(level, ids)
        docs = []
        for group_id in found:
            group = open_groups.get(group_id)
            first = str(found[group_id]["ids"]["buckets"][0]["key"])
            title = group.title if group and group.title else titles.get(first, first)
            doc = store.group_doc(level, group_id, title, group.storyline_id if group else None, found[group_id])
            docs.append((group_id, doc.model_copy(update={"figure_findings": summary(findings.get(group_id, []))})))
        written.append(store.write_changed("events", docs).require(f"{level} documents").ok)
    return written[0], written[1]


def _write_surges(store: Store, monitor: Monitor, stories: Sequence[Story],
                  before: set[str]) -> tuple[int, list[str]]:
    """Surges that took in a story of this batch, or closed during it."""
    ids = {s.story_id for s in stories}
    oldest = min(s.published for s in stories) - timedelta(days=1)
    touched = [s for s in monitor.surges() if ids & set(s.stories) or (s.end and parse_time(s.end) >= oldest)]
    at = store.now()
    result = store.write_changed("surges", ((surge_id(s), surge_doc(s, at)) for s in touched)).require("surges")
    return result.ok, [surge_id(s) for s in touched if surge_id(s) not in before]
