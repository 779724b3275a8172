"""The live events stage: each enriched on-topic story placed in an event and a storyline, their documents
rebuilt, and surges raised, in the run that enriched the story (not at the end of the day).

The same `Monitor` the offline contract drives does the placing; what it remembers between runs (word
statistics, open events and storylines, one surge detector per topic) is one document in the store,
saved compare-and-set. The order of the writes makes a re-run safe:

1. the state is saved first; a run that lost the race to another gets `StateConflict` and placed nothing;
2. then the stories get their `event_id` and `storyline_id`;
3. then the figure findings (`findings`), event, storyline and surge documents are rebuilt from the stories and
   written where they changed;
4. then the state is saved again without what step 1 listed as still to write.

Step 1 saves, beside the state, this batch's placements (`pending`) and the groups and surges they touched
(`dirty`, with each group's title and storyline: a group may close before its document is written). A run
that dies anywhere after 1 leaves them in the state; the next run (with or without new stories) writes the
same ids and documents from them, without placing or counting anything again: nothing twice, nothing lost.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.events.features import TermStats, parse_time, story_features
from pipeline.events.findings import event_findings, summary, write_findings
from pipeline.events.grouping import GroupingState
from pipeline.events.monitor import Monitor
from pipeline.events.surges import DetectorState, Surge, forget_surges
from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.store.documents import FigureFinding, Story, SurgeDoc
from pipeline.store.events import StateConflict

log = logging.getLogger(__name__)
STATE_KEY = "monitor"
LEASE_KEY = "monitor-lease"
LEASE = timedelta(minutes=30)  # longer than any run (5,000 stories take a minute or two); a killed run's lapses
SERIES_KINDS = ("topic", "event", "storyline", "person", "organization", "place")
UNTITLED = "(untitled)"
TITLE_FROM_SUMMARY = 100  # characters of a summary that stand in for a missing title


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
    return {"id": story.story_id, "published": counted_at(story), "outlet": story.outlet, "title": story.title,
            "summary": story.summary, "text": story.text, "dated": story.date_source != "unknown"}


def counted_at(story: Story) -> datetime:
    """When the story counts in events and surges. A page or feed that states only its day is dated at that day's
    midnight UTC, which would leave an evening story out of a trailing 24-hour window at once and pile every
    such story into hour 0: seen within two days of that midnight, it counts when it was first seen."""
    published = story.published.astimezone(UTC)  # a feed's bare date ("2026-12-01", "… 00:00:00 GMT") as well
    day_only = story.date_source in ("page", "feed") and published == published.replace(hour=0, minute=0, second=0,
                                                                                       microsecond=0)
    if day_only and story.first_seen and published <= story.first_seen < published + timedelta(days=2):
        return story.first_seen
    return published


def story_entities(story: Story) -> list[tuple[str, str]]:
    """(kind, name) of the people, organisations and places enrichment found, in the index's spelling.

    People are the story's `persons` (no road or agency the model took for a person) and places the ones
    resolved to GeoNames, by their GeoNames name: an event lists, and a place surges as, "Roxham Road" however
    the outlets spell it ("chemin Roxham", "Roxham"), never a surname or a headline's first word the model
    tagged a place ("Biobaku", "Influx")."""
    return [*(("person", name) for name in story.persons),
            *(("organization", str(e.get("canonical") or e.get("text"))) for e in story.entities
              if e.get("label") == "organization"),
            *(("place", place.name) for place in story.geo_places)]


def surge_id(surge: Surge) -> str:
    """One id per surge: a series surges again only after it cooled down, so (topic, key, start) is unique. A
    key too long for an id (Elasticsearch takes 512 bytes: a boilerplate organisation's name) is hashed, or the
    surge would be refused on every run and hold the stage back."""
    whole = f"{surge.topic}|{surge.key}|{surge.start}"
    if len(whole.encode()) <= 500:
        return whole
    return f"{surge.topic}|{surge.key.split(':', 1)[0]}:sha256-{hashlib.sha256(surge.key.encode()).hexdigest()}|{surge.start}"


def surge_doc(surge: Surge, at: datetime) -> SurgeDoc:
    return SurgeDoc(surge_id=surge_id(surge), topic=surge.topic, key=surge.key, kind=surge.key.split(":", 1)[0],
                    label=surge.label, start=parse_time(surge.start), peak=parse_time(surge.peak),
                    end=parse_time(surge.end) if surge.end else None, score=round(surge.score, 3), count=surge.count,
                    expected=round(surge.expected, 3), story_ids=list(surge.stories), updated=at)


def track_events(store: Store, settings: Settings, limit: int = 5000, holder: str | None = None) -> EventReport:
    """Place the enriched stories that have no event yet (oldest first) and update what they touch.

    What a run must still write (its placements, the groups and surges they touched) is saved with the
    state and cleared only once written, so a run that died at any step is finished by the next one.
    One run at a time (a lease): a run that finds another at work places nothing and says so. `holder` names
    the run for the lease: the DAG gives its task's and try's ("dag/run/task#2"), so that a retry takes over from
    its own earlier attempt (killed, its lease left running for half an hour; or still running though Airflow
    gave up on it, which then stops at its next write) and does the work, not nothing in green."""
    holder = holder or uuid.uuid4().hex
    try:  # the lease is given up however the run ends: one written whose answer said otherwise or never came (a
        # timeout, the take raised) held every run back for half an hour; another run's lease is left as it is
        if not store.hold_lease(LEASE_KEY, holder, store.now() + LEASE, supersedes=earlier_attempt(holder)):
            log.warning("events: another run is placing stories (its lease runs up to %s); this one leaves them "
                        "to it", LEASE)
            return EventReport()
        return _track_events(store, holder, limit)
    finally:
        store.release_lease(LEASE_KEY, holder)


def earlier_attempt(holder: str) -> Callable[[str], bool]:
    """Whether a lease's holder is an earlier try of the same task as `holder` ("task#1" for "task#2")."""
    task, _, attempt = holder.rpartition("#")

    def earlier(other: str) -> bool:
        other_task, _, other_attempt = other.rpartition("#")
        if bool(task) and other == task:  # written before holders carried their try: the same task, earlier
            return True
        return bool(task) and other_task == task and other_attempt.isdigit() and attempt.isdigit() \
            and int(other_attempt) < int(attempt)
    return earlier


def _still_holding(store: Store, holder: str) -> None:
    """Renew the lease before each write, or stop: a run that outlasted it (a slow CLI pass) would write its
    older documents over those of the run that took over (a closed surge reopened, for good)."""
    if not store.hold_lease(LEASE_KEY, holder, store.now() + LEASE):
        raise StateConflict("placing events", "this run outlasted its lease and another run took over; run again")


def _track_events(store: Store, holder: str, limit: int) -> EventReport:
    report = EventReport()
    started = time.monotonic()
    saved, placed_before, version = store.monitor_state(STATE_KEY)
    stories = list(store.unplaced_stories(limit))
    pending: dict[str, list[str]] = dict(saved.get("pending", {}))
    dirty = Dirty.from_dict(saved.get("dirty", {}))
    if not stories and not pending and not dirty:
        return report
    monitor = load_monitor(saved)
    ends = {surge_id(s): s.end for s in monitor.surges()}
    # placed by a run that died after saving: their groups may be closed by now, so their ids are taken as saved
    fresh = [s for s in stories if s.story_id not in pending]
    features = [story_features(story_item(s), story_entities(s)) for s in fresh]
    placed = monitor.process_stories(features, {s.story_id: s.topics for s in fresh})
    pending |= {p.id: [p.event, p.storyline] for p in placed}
    dirty.add_groups(monitor, pending.values())
    batch = {p.id for p in placed}
    dirty.surges.update(surge_id(s) for s in monitor.surges() if batch & set(s.stories) or s.end != ends.get(surge_id(s)))
    if placed:  # stored surges long closed leave the state, so that it stays small however long it runs
        for detector in monitor.detectors.values():
            forget_surges(detector, max(p.published for p in features), unwritten=lambda s: surge_id(s) in dirty.surges)
    state = dump_monitor(monitor)
    version = store.save_monitor_state(STATE_KEY, state | {"pending": pending, "dirty": dirty.to_dict()},
                                       placed_before + len(placed), version)
    _still_holding(store, holder)
    store.update_docs("stories", [(i, {"event_id": ids[0], "storyline_id": ids[1]}) for i, ids in pending.items()],
                      refresh=True, missing_ok=True).require("event ids of stories")
    report.placed = len(pending)
    touched = sorted(i for i, g in dirty.groups.items() if g["level"] == "event")
    findings = event_findings(store, touched)
    report.findings = write_findings(store, findings)
    store.drop_findings(touched, {f.finding_id for found in findings.values() for f in found})
    _still_holding(store, holder)
    report.events, report.storylines = _write_groups(store, dirty, findings)
    touched_surges = [s for s in monitor.surges() if surge_id(s) in dirty.surges]
    stored = store.get_many("surges", [surge_id(s) for s in touched_surges])
    if new := {surge_id(s) for s in touched_surges if surge_id(s) not in stored} - dirty.raised:
        dirty.raised |= new  # kept until the final save: a retry after the write still reports them raised
        version = store.save_monitor_state(STATE_KEY, state | {"pending": pending, "dirty": dirty.to_dict()},
                                           placed_before + len(placed), version)
    _still_holding(store, holder)
    report.surges = _write_surges(store, touched_surges)
    report.raised = sorted(dirty.raised)
    store.refresh("events", "surges", "figure-findings")
    try:  # all written: nothing left for the next run to finish
        store.save_monitor_state(STATE_KEY, state, placed_before + len(placed), version)
    except StateConflict:
        log.info("events: another run saved the state meanwhile; it rewrites this run's documents (no change)")
    report.seconds = time.monotonic() - started
    log.info("events: %d stories placed, %d events and %d storylines updated, %d surges raised",
             report.placed, report.events, report.storylines, len(report.raised))
    return report


@dataclass
class Dirty:
    """Groups and surges whose documents a run must write, with what only the state knows of each group
    (its title, its storyline), kept so that a group closed since can still be written right."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {level, title, storyline_id}
    surges: set[str] = field(default_factory=set)
    raised: set[str] = field(default_factory=set)  # surges first written by the run that noted them

    def __bool__(self) -> bool:
        return bool(self.groups or self.surges or self.raised)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dirty:
        return cls(dict(data.get("groups", {})), set(data.get("surges", [])), set(data.get("raised", [])))

    def to_dict(self) -> dict[str, Any]:
        return {"groups": self.groups, "surges": sorted(self.surges), "raised": sorted(self.raised)}

    def add_groups(self, monitor: Monitor, placements: Iterable[Sequence[str]]) -> None:
        """The groups of (event id, storyline id) placements, as the monitor knows them now; a group it no
        longer knows (closed since a run that died) keeps what that run noted."""
        known = {g.id: g for g in [*monitor.groups.events.values(), *monitor.groups.storylines.values(),
                                   *monitor.closed]}
        for event_id, storyline_id in placements:
            for level, group_id in (("event", event_id), ("storyline", storyline_id)):
                group = known.get(group_id)
                if group is not None or group_id not in self.groups:
                    self.groups[group_id] = {"level": level, "title": group.title if group else "",
                                             "storyline_id": group.storyline_id if group and level == "event" else None}


def _write_groups(store: Store, dirty: Dirty, findings: Mapping[str, Sequence[FigureFinding]]) -> tuple[int, int]:
    written = []
    for level in ("event", "storyline"):
        wanted = {i: g for i, g in dirty.groups.items() if g["level"] == level}
        docs = []
        for group_id, found in store.summarise_groups(level, sorted(wanted)).items():
            title = wanted[group_id]["title"] or stand_in_title(store, _top_ids(found))
            doc = store.group_doc(level, group_id, title, wanted[group_id]["storyline_id"], found)
            docs.append((group_id, doc.model_copy(update={"figure_findings": summary(findings.get(group_id, []))})))
        written.append(store.write_changed("events", docs).require(f"{level} documents").ok)
    return written[0], written[1]


def _top_ids(found: Mapping[str, Any]) -> list[str]:
    return [str(b["key"]) for b in found["ids"]["buckets"]]


def stand_in_title(store: Store, story_ids: Sequence[str], look: int = 20) -> str:
    """A title for a group whose chosen story has none (RSS items may have no title): the first of its stories'
    titles, else the start of the first summary, else a plain label. Never a story id: readers see the title."""
    found = store.stories(story_ids[:look])
    stories = [found[i] for i in story_ids[:look] if i in found]  # the first published first, as the ids come
    for story in stories:
        if story.title.strip():
            return " ".join(story.title.split())
    for story in stories:
        if words := story.summary.split():
            return _clipped(" ".join(words), TITLE_FROM_SUMMARY)
    return UNTITLED


def _clipped(text: str, size: int) -> str:
    """The text cut at a word before `size` characters, marked as cut."""
    if len(text) <= size:
        return text
    return text[:size].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def _write_surges(store: Store, touched: Sequence[Surge]) -> int:
    """The surges that took in a story of the batch or closed during it (those the state still holds)."""
    at = store.now()
    return store.write_changed("surges", ((surge_id(s), surge_doc(s, at)) for s in touched)).require("surges").ok
