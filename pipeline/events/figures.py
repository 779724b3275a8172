"""Figures reconciled across the reports of one event: agreement, revision and disagreement, with sources.

Stories are grouped by a key (an event id once events are stored; today the story cluster), and within a
group the figures of the same kind and place are compared in time order. A later value that the earlier
one allows ("51" after "more than 50") agrees; a value that differs is a revision when the report says so
("rises from 46 to 53", "revised", "now") or comes on a later day, and a disagreement when two outlets give
different values within a day. Each is recorded once with every source. A story's several values of one
count (by month, or a total and its children) and a story whose date is unknown are not compared. Hands on
`reconcile(stories)` → `[Reconciled]`, and `changes(...)` for alert conditions ("figure revised", "outlets
disagree").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.text import fold

REVISION_WORDS = re.compile(r"\b(rise[sn]?|rose|rising|climb(?:s|ed)?|revis(?:e|ed|es|ion)|updat(?:e|ed)|now|"
                            r"increas(?:e|ed|es)|jump(?:s|ed)?|reach(?:es|ed)?|passe[sd]|"
                            r"hausse|s'élève|atteint|désormais|révis[ée])\b|\bfrom\s+\S+\s+to\b", re.IGNORECASE)
AT_LEAST = {"more than", "over", "at least", "upwards of", "plus de", "au moins", "pas moins de"}
AT_MOST = {"up to", "fewer than", "less than", "nearly", "almost", "close to", "moins de", "jusqu'à", "presque",
           "près de", "as many as"}  # "as many as 50": an upper estimate
ABOUT = {"about", "around", "some", "roughly", "approximately", "an estimated", "environ", "quelque",
         "approximativement", "autour de"}
SAME_DAY = timedelta(hours=24)


@dataclass
class Report:
    """One figure as one story gave it."""

    story_id: str
    outlet: str
    published: datetime
    value: float
    qualifier: str | None
    sentence: str = ""
    speaker: str | None = None

    def allows(self, later: Report) -> bool:
        """Whether `later` says the same thing: equal, or within what this report's qualifier leaves open."""
        a, b = self.value, later.value
        if a == b:
            return True
        q, lq = (self.qualifier or "").lower(), (later.qualifier or "").lower()
        if q in AT_LEAST and b >= a or lq in AT_LEAST and a >= b:
            return True
        if q in AT_MOST and b <= a or lq in AT_MOST and a <= b:
            return True
        return (q in ABOUT or lq in ABOUT) and abs(a - b) <= 0.1 * max(a, b)


@dataclass
class Change:
    kind: str  # revised | disagree
    values: list[float]
    sources: list[dict[str, Any]]  # {story_id, outlet, published, value}
    at: datetime


@dataclass
class Reconciled:
    """One count (kind and place) within one group of stories, with every report of it."""

    group: str
    kind: str
    place: str | None
    value: float  # the latest value reported
    status: str = "agreed"  # agreed | revised | disagree
    reports: list[Report] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for r in out["reports"]:
            r["published"] = r["published"].isoformat()
        for c in out["changes"]:
            c["at"] = c["at"].isoformat()
        return out


def _source(r: Report) -> dict[str, Any]:
    return {"story_id": r.story_id, "outlet": r.outlet, "published": r.published.isoformat(), "value": r.value,
            "sentence": r.sentence, "speaker": r.speaker}


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def reconcile(stories: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], str | None] | str = "cluster_id",
              window: timedelta = timedelta(days=3)) -> list[Reconciled]:
    """Every count reported in each group, compared across its reports. `key` is a field name or a function
    of a story (the event id once events land); stories without a key are their own group. A story is a dict
    with `story_id`, `outlet`, `published`, `figures` and optionally `focus_place`."""
    key_of = key if callable(key) else (lambda s, name=key: s.get(name))
    series: dict[tuple[str, str, str], list[Report]] = {}
    places: dict[tuple[str, str, str], str | None] = {}
    for story in stories:
        if story.get("date_source") == "unknown":
            continue  # its date is when it was first seen: it can neither revise nor be revised
        group = key_of(story) or story["story_id"]
        focus = (story.get("focus_place") or {}).get("name")
        for f in story.get("figures") or []:
            if f.get("value") is None:
                continue
            place = f.get("place") or focus
            k = (group, f["kind"], fold(place or ""))
            places.setdefault(k, place)
            series.setdefault(k, []).append(Report(story["story_id"], story.get("outlet") or "",
                                                   _when(story["published"]), float(f["value"]), f.get("qualifier"),
                                                   f.get("sentence") or "", f.get("speaker")))
    out = []
    for (group, kind, _), reports in series.items():
        reports = [r for r in reports if not _breakdown([x for x in reports if x.story_id == r.story_id])]
        if not reports:
            continue
        reports.sort(key=lambda r: (r.published, not _prior(r)))  # "rose to 53, up from 46": 46 came first
        start = reports[0].published
        reports = [r for r in reports if r.published - start <= window]
        out.append(_compare(Reconciled(group, kind, places[(group, kind, _)], reports[-1].value, reports=reports)))
    return out


def _prior(report: Report) -> bool:
    """Whether the sentence gives this value as the earlier one: "up from 46", "from 46 to 53", "previously 46"."""
    value = int(report.value) if float(report.value).is_integer() else report.value
    forms = "|".join(re.escape(f) for f in {f"{value}", f"{value:,}"})
    return bool(re.search(rf"\b(?:from|previously|earlier|de)\s+(?:about\s+|some\s+|environ\s+)?(?:{forms})(?![\d,])",
                          report.sentence, re.IGNORECASE))


def _breakdown(reports: list[Report]) -> bool:
    """One story's several values of one count, none said to revise another ("from 106 in May to 63 in June",
    "53 died, including 20 children"): parts or periods of the count, not reports of it to compare with
    other stories' (each would seem a revision or a dispute). A sentence that says so ("the toll rose from 46
    to 53") is a revision the story reports, and stays."""
    if len({r.value for r in reports}) < 2:
        return False
    shared = [r.sentence for r in reports]
    return not any(shared.count(sentence) > 1 and REVISION_WORDS.search(sentence) for sentence in set(shared))


def _compare(rec: Reconciled) -> Reconciled:
    """Walk the reports in time order; each new value either agrees with the one in force, revises it, or
    disagrees with it (recorded once per pair of values, with every source of each)."""
    current: Report | None = None
    for r in rec.reports:
        says_revised = current is not None and r.value != current.value and bool(REVISION_WORDS.search(r.sentence))
        if current is None or current.allows(r) and not says_revised:
            current = current or r
            _add_source(rec, current, r)
            continue
        revised = says_revised or r.published - current.published >= SAME_DAY or r.story_id == current.story_id
        kind = "revised" if revised or r.outlet == current.outlet else "disagree"
        _add_change(rec, Change(kind, [current.value, r.value], [_source(current), _source(r)], r.published))
        current = r if revised else current
    if rec.changes:
        rec.status = "disagree" if any(c.kind == "disagree" for c in rec.changes) else "revised"
    rec.value = current.value if current else rec.value
    return rec


def _add_change(rec: Reconciled, change: Change) -> None:
    """A change already recorded (a third outlet repeating "53" against "46") gains a source, not a second entry;
    a disagreement has no direction ("53 against 46" later is the same one, under the same finding id)."""
    unordered = change.kind == "disagree"
    for known in rec.changes:
        if known.kind == change.kind and (known.values == change.values
                                          or unordered and sorted(known.values) == sorted(change.values)):
            seen = {s["story_id"] for s in known.sources}
            known.sources += [s for s in change.sources if s["story_id"] not in seen]
            return
    rec.changes.append(change)


def _add_source(rec: Reconciled, current: Report, r: Report) -> None:
    """A report agreeing with the value in force joins the sources of the change that set it."""
    for change in rec.changes:
        if change.values[-1] == current.value and r.story_id not in {s["story_id"] for s in change.sources}:
            change.sources.append(_source(r))


def changes(reconciled: list[Reconciled]) -> list[dict[str, Any]]:
    """Alert conditions: one entry per revision ("figure revised") or disagreement ("outlets disagree")."""
    names = {"revised": "figure revised", "disagree": "outlets disagree"}
    return [{"condition": names[c.kind], "group": r.group, "kind": r.kind, "place": r.place, "values": c.values,
             "sources": c.sources, "at": c.at.isoformat()} for r in reconciled for c in r.changes]
