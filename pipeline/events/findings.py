"""Figures reconciled within each event, recorded: one `FigureFinding` per revision or disagreement.

The live events stage (`live.track_events`) calls `event_findings` for the events a batch touched: every
story of those events that reports a number of people is compared (`pipeline.events.figures`) and each
revision ("toll rises from 46 to 53") or disagreement ("46" vs "53" the same day) becomes one document
whose id is (event, kind, place, condition, values), so a re-run or a third outlet repeating "53" finds
the same document (the third outlet joins its sources) and never a second one. The event document lists
its findings; the `figure-findings` index holds them for Kibana and the alerts stage (`pipeline.alerts.figures`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pipeline.events.figures import Change, Reconciled, reconcile
from pipeline.store import Store
from pipeline.store.documents import FigureFinding
from pipeline.text import fold

WINDOW = timedelta(days=14)  # an event lasts days; a count stays comparable for its whole life


def finding_id(rec: Reconciled, change: Change) -> str:
    """The same revision or disagreement always gets the same id, however often it is found. A disagreement has
    no direction: "46 vs 53" found in one run and "53 vs 46" in the next (an earlier report from a feed polled
    later now leads the walk) is one finding, one alert."""
    values = sorted(change.values) if change.kind == "disagree" else change.values
    parts = [rec.group, rec.kind, fold(rec.place or ""), change.kind, *(f"{v:g}" for v in values)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def findings_of(stories: Sequence[dict[str, Any]], at: datetime) -> list[FigureFinding]:
    """The revisions and disagreements among the figures of stories that carry an `event_id`."""
    by_story = {s["story_id"]: s for s in stories}
    out = []
    for rec in reconcile(stories, key="event_id", window=WINDOW):
        for change in rec.changes:
            first = by_story[change.sources[0]["story_id"]]
            story_ids = [s["story_id"] for s in change.sources]
            out.append(FigureFinding(
                finding_id=finding_id(rec, change), condition="revised" if change.kind == "revised" else "disagree",
                event_id=rec.group, storyline_id=first.get("storyline_id"),
                topics=sorted({t for sid in story_ids for t in by_story[sid].get("topics") or []}),
                kind=rec.kind, place=rec.place, values=change.values, before=change.values[0],
                after=change.values[-1], at=change.at, story_ids=story_ids,
                outlets=sorted({s["outlet"] for s in change.sources if s["outlet"]}), sources=change.sources,
                updated=at))
    return out


def event_findings(store: Store, event_ids: Sequence[str]) -> dict[str, list[FigureFinding]]:
    """The findings of each of these events (events without any are left out)."""
    if not event_ids:
        return {}
    stories = [s for s in store.event_figures(event_ids) if s.get("event_id")]
    found: dict[str, list[FigureFinding]] = {}
    for finding in findings_of(stories, store.now()):
        found.setdefault(finding.event_id, []).append(finding)
    return found


def summary(findings: Sequence[FigureFinding]) -> list[dict[str, Any]]:
    """What an event document shows of its findings."""
    return [{"finding_id": f.finding_id, "condition": f.condition, "kind": f.kind, "place": f.place,
             "values": f.values, "outlets": f.outlets, "story_ids": f.story_ids} for f in findings]


def write_findings(store: Store, found: dict[str, list[FigureFinding]]) -> int:
    """Write the findings that are new or gained a source; the number written."""
    docs = [(f.finding_id, f) for findings in found.values() for f in findings]
    return store.write_changed("figure-findings", docs).require("figure findings").ok if docs else 0
