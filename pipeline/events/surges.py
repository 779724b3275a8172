"""Surge alerts: a series (the topic, one of its events, storylines, people, organisations or places) that
suddenly gets far more distinct stories than its own history leads one to expect.

Each kept story is counted, once per copy (syndicated copies share a `copy_key`), in every series it
belongs to, as it arrives. A series' expected count in the trailing window is its base rate learned from
its own past (stories that have left the window, exponentially forgotten) times the seasonal weight of
the window's hours (weekday × hour-of-day profile of the stream, learned online). The surprise is the
Poisson tail of the observed count; a surge is raised by the story that pushes the tail under `alpha`.

* Floor: the expected count is never below `floor`, so a quiet series does not surge on a handful of
  stories (1 → 3 is ordinary; a never-seen name in three stories within a day is news).
* Hysteresis: an open surge takes in the series' next stories and stays open until the series has been
  below the line for `cooldown_hours`; only then can the series surge again.
* One happening, one alert: a series whose stories are mostly in another surge (an event, its storyline
  and its main place surge together) does not raise its own; see `_covered`.

No look-ahead: every decision uses the stories up to the one being counted. State is plain dataclasses
that serialise to JSON documents (`to_dict`/`from_dict`), updated batch by batch; counting a story twice
changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.events.features import parse_time, utc_iso

KIND_ORDER = ("event", "storyline", "person", "organization", "place", "topic")  # most specific first
# story ids a surge keeps: its first ones (what set it off, what its alert lists) and its latest ones. A topic hot
# for weeks takes in thousands, and the state document holding them is saved several times a run.
KEPT_FIRST = 100
KEPT_LATEST = 100


@dataclass(frozen=True)
class SurgeSettings:
    """Tunables; defaults chosen by cross-validation (evaluate.py)."""

    window_hours: float = 24.0
    half_life_days: float = 14.0  # how fast a series' base rate forgets
    floor: float = 0.3  # expected stories per window, at least
    min_stories: int = 3
    alpha: float = 0.01  # Poisson tail at or under which the series surges (a conventional level, not tuned)
    cooldown_hours: float = 48.0
    overlap: float = 0.5  # share of a candidate's stories already in an open surge that silences it
    profile_prior: float = 50.0  # pseudo-items per weekday and per hour: the profile starts flat
    max_per_week: int = 3  # surges a topic may raise in any 7 days; past that only a stronger one gets through
    warmup_days: float = 7.0  # a new detector only counts for its first week: with no history every story is news


@dataclass(frozen=True)
class SeriesRef:
    """A series a story belongs to: key "kind:id" (e.g. "place:rwanda") and a label for people."""

    key: str
    label: str

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]


@dataclass
class Surge:
    topic: str
    key: str
    label: str
    start: str
    peak: str
    score: float  # -log10 of the Poisson tail at the peak
    stories: list[str] = field(default_factory=list)  # its first and latest story ids only (`_take_in`)
    count: int = 0  # distinct stories in the window at the peak
    expected: float = 0.0  # what the series' history led one to expect then
    last_hot: str = ""  # last time the series was over the line
    end: str = ""  # set when the surge closes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Series:
    key: str
    label: str
    window: list[list[str]] = field(default_factory=list)  # [published ISO, copy key, story id], oldest first
    past: float = 0.0  # stories that have left the window, decayed to `past_at`
    past_at: str = ""
    surge: int = -1  # index of its open surge in DetectorState.surges, -1 when none


@dataclass
class Profile:
    """Items per weekday and per hour of day (UTC), for the seasonal weight of any stretch of time."""

    weekday: list[float] = field(default_factory=lambda: [0.0] * 7)
    hour: list[float] = field(default_factory=lambda: [0.0] * 24)
    items: float = 0.0

    def add(self, when: datetime) -> None:
        when = when.astimezone(UTC)  # an item's own offset ("11:59-05:00") is its outlet's clock, not the stream's
        self.weekday[when.weekday()] += 1
        self.hour[when.hour] += 1
        self.items += 1

    def weight(self, when: datetime, prior: float) -> float:
        """The relative activity of that hour of the week (1 on average)."""
        when = when.astimezone(UTC)
        day = 7 * (self.weekday[when.weekday()] + prior) / (self.items + 7 * prior)
        hour = 24 * (self.hour[when.hour] + prior) / (self.items + 24 * prior)
        return day * hour

    def integral(self, start: datetime, end: datetime, prior: float) -> float:
        """Seasonal hours between two times: hours weighted by the profile."""
        total, cursor = 0.0, start.astimezone(UTC)  # whole UTC hours, whatever offset (+05:30) the caller's has
        while cursor < end:
            step = min(end, cursor.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
            total += (step - cursor).total_seconds() / 3600 * self.weight(cursor, prior)
            cursor = step
        return total


@dataclass
class DetectorState:
    """Everything the detector remembers: the profile, the shared exposure, each series, the surges."""

    topic: str
    start: str = ""
    now: str = ""
    exposure: float = 0.0  # decayed seasonal hours of history behind the window, as of `exposure_at`
    exposure_at: str = ""
    profile: Profile = field(default_factory=Profile)
    series: dict[str, Series] = field(default_factory=dict)
    surges: list[Surge] = field(default_factory=list)
    counted: dict[str, str] = field(default_factory=dict)  # profile: item id → published, for idempotency
    seen: str = ""  # the newest item counted
    watched: float = 0.0  # days the detector has watched the stream: a gap longer than its first week does not count

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetectorState:
        state = cls(topic=data["topic"], start=data.get("start", ""), now=data.get("now", ""),
                    exposure=data.get("exposure", 0.0), exposure_at=data.get("exposure_at", ""),
                    profile=_known(Profile, data.get("profile", {})), counted=dict(data.get("counted", {})),
                    seen=data.get("seen", ""), watched=data.get("watched", -1.0))
        if state.watched < 0:  # written before watching was counted: it has watched since it began
            began = state.start and state.now and (parse_time(state.now) - parse_time(state.start)).total_seconds()
            state.watched = max(0.0, float(began or 0) / 86400)
        state.series = {k: _known(Series, v) for k, v in data.get("series", {}).items()}
        state.surges = [_known(Surge, s) for s in data.get("surges", [])]
        return state


def _known(cls: Any, data: Mapping[str, Any]) -> Any:
    """A dataclass from a stored dict, ignoring fields this version does not know (a newer release wrote them)."""
    return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _watch(state: DetectorState, when: datetime, settings: SurgeSettings) -> None:
    """Count the time the detector has watched the stream. A gap longer than its whole first week (a backlog
    item from long before it began was its first story) is no history it knows; shorter gaps count, for in the
    product a detector sees only its topic's stories, and a quiet topic has days without one."""
    if state.seen:
        gap = (when - parse_time(state.seen)).total_seconds() / 86400
        if 0 < gap <= settings.warmup_days:
            state.watched += gap
    if utc_iso(when) > state.seen:
        state.seen = utc_iso(when)


def poisson_tail(count: int, expected: float) -> float:
    """P(X ≥ count) for X ~ Poisson(expected)."""
    if count <= 0:
        return 1.0
    term = math.exp(-expected)
    below = term
    for k in range(1, count):
        term *= expected / k
        below += term
    return max(0.0, 1.0 - below) if below < 1.0 - 1e-12 else _tail_direct(count, expected)


def _tail_direct(count: int, expected: float) -> float:
    """The tail summed upwards, for when 1 - P(X < count) would round to nothing."""
    term = math.exp(-expected + count * math.log(expected) - math.lgamma(count + 1)) if expected > 0 else 0.0
    total, k = 0.0, count
    while term > 1e-300 and k < count + 1000:
        total += term
        k += 1
        term *= expected / k
    return total


def _decay(value: float, since: str, until: datetime, half_life_days: float) -> float:
    if not since:
        return value
    days = (until - parse_time(since)).total_seconds() / 86400
    return value * 0.5 ** (max(0.0, days) / half_life_days)


def observe_item(state: DetectorState, item_id: str, published: datetime, settings: SurgeSettings = SurgeSettings(),
                 memory_hours: float = 72.0) -> None:
    """Count any polled item (kept or not) in the seasonal profile: the rhythm of the outlets' publishing."""
    if item_id in state.counted:
        return
    _watch(state, published, settings)
    state.counted[item_id] = utc_iso(published)
    state.profile.add(published)
    if len(state.counted) > 4096:
        horizon = published - timedelta(hours=memory_hours)
        state.counted = {i: t for i, t in state.counted.items() if parse_time(t) >= horizon}


def _advance(state: DetectorState, when: datetime, settings: SurgeSettings) -> None:
    """Move the history boundary (the window's start) to `when - window`, accumulating exposure."""
    if not state.start:
        state.start = state.exposure_at = utc_iso(when)
    _watch(state, when, settings)
    if state.now and when <= parse_time(state.now):
        return
    state.now = utc_iso(when)
    boundary = when - timedelta(hours=settings.window_hours)
    cursor = parse_time(state.exposure_at)
    if boundary <= cursor:
        return
    while cursor < boundary:
        step = min(boundary, cursor + timedelta(hours=1))
        hours = (step - cursor).total_seconds() / 3600
        state.exposure = state.exposure * 0.5 ** (hours / 24 / settings.half_life_days) + \
            hours * state.profile.weight(cursor, settings.profile_prior)
        cursor = step
    state.exposure_at = utc_iso(boundary)


def _evict(series: Series, boundary: datetime, settings: SurgeSettings) -> None:
    while series.window and parse_time(series.window[0][0]) <= boundary:
        published = parse_time(series.window.pop(0)[0])
        past = _decay(series.past, series.past_at, boundary, settings.half_life_days) if series.past_at else 0.0
        series.past = past + 0.5 ** ((boundary - published).total_seconds() / 86400 / settings.half_life_days)
        series.past_at = utc_iso(boundary)


def expected_count(state: DetectorState, series: Series, when: datetime, settings: SurgeSettings) -> float:
    """The stories the series' own history leads one to expect in the window ending at `when` (floored)."""
    return max(settings.floor, _history_expects(state, series, when, settings))


def _history_expects(state: DetectorState, series: Series, when: datetime, settings: SurgeSettings) -> float:
    boundary = when - timedelta(hours=settings.window_hours)
    past = _decay(series.past, series.past_at, boundary, settings.half_life_days) if series.past_at else 0.0
    rate = past / state.exposure if state.exposure > 0 else 0.0
    return rate * state.profile.integral(boundary, when, settings.profile_prior)


def observe_story(state: DetectorState, story_id: str, published: datetime, series: Iterable[SeriesRef],
                  copy_key: str = "", settings: SurgeSettings = SurgeSettings()) -> list[Surge]:
    """Count a kept story in its series, in arrival order; the surges it raises (already in `state.surges`).

    Idempotent: a story already counted in a series is not counted again there."""
    _advance(state, published, settings)
    when = max(published, parse_time(state.now)).astimezone(UTC)  # one clock for every time derived from it
    boundary = when - timedelta(hours=settings.window_hours)
    copy_key = copy_key or story_id
    raised = []
    refs = sorted(series, key=lambda r: (KIND_ORDER.index(r.kind) if r.kind in KIND_ORDER else 99, r.key))
    for ref in refs:
        s = state.series.setdefault(ref.key, Series(ref.key, ref.label))
        s.label = ref.label or s.label
        _evict(s, boundary, settings)
        if any(entry[2] == story_id for entry in s.window):
            continue
        if published > boundary:
            s.window.append([utc_iso(published), copy_key, story_id])
            s.window.sort()
        count = len({entry[1] for entry in s.window})
        expected = expected_count(state, s, when, settings)
        tail = poisson_tail(count, expected)
        hot = count >= settings.min_stories and tail <= settings.alpha
        score = round(-math.log10(max(tail, 1e-300)), 2)
        if s.surge >= 0:
            surge = state.surges[s.surge]
            # cooled down, hot again or not: closed here as the end of a batch would have closed it (close_surges),
            # so that a new burst is a new surge however the stream was cut into batches
            if (when - parse_time(surge.last_hot)).total_seconds() / 3600 > settings.cooldown_hours:
                surge.end = surge.last_hot
                s.surge = -1
            else:
                _take_in(surge, story_id)
                surge.label = s.label
                if hot:
                    surge.last_hot = utc_iso(when)
                    if score > surge.score:
                        surge.score, surge.peak, surge.count, surge.expected = score, utc_iso(when), count, \
                            round(expected, 2)
                continue
        warm = state.watched >= settings.warmup_days
        if hot and warm and not _covered(state, s, when, settings) and _within_budget(state, when, score, settings):
            surge = Surge(topic=state.topic, key=s.key, label=s.label, start=utc_iso(when), peak=utc_iso(when),
                          score=score, stories=_kept([entry[2] for entry in s.window]), count=count,
                          expected=round(expected, 2), last_hot=utc_iso(when))
            state.surges.append(surge)
            s.surge = len(state.surges) - 1
            raised.append(surge)
    return raised


def _kept(story_ids: list[str]) -> list[str]:
    """The first `KEPT_FIRST` and the latest `KEPT_LATEST` of a surge's story ids."""
    if len(story_ids) <= KEPT_FIRST + KEPT_LATEST:
        return story_ids
    return story_ids[:KEPT_FIRST] + story_ids[-KEPT_LATEST:]


def _take_in(surge: Surge, story_id: str) -> None:
    """Add a story to an open surge; past the cap the oldest of its latest ones makes room."""
    if story_id not in surge.stories:
        surge.stories = _kept([*surge.stories, story_id])


def _covered(state: DetectorState, series: Series, when: datetime, settings: SurgeSettings) -> bool:
    """Whether most of the series' window is in another surge already: the same burst seen through another
    series. An event's surge speaks for its happening while it lasts; any other surge only for the window
    after it was raised, so a storyline or a place that has been hot for days does not hide a new burst."""
    ids = {entry[2] for entry in series.window}
    since = when - timedelta(hours=settings.window_hours)
    for other in state.series.values():
        if other.surge < 0 or other is series:
            continue
        surge = state.surges[other.surge]
        # an open surge took in every story of its series' window: with them its capped list is as good as whole
        # here (a story it dropped that is not in that window has left every window, `series`' too)
        taken = set(surge.stories) | {entry[2] for entry in other.window}
        if (other.key.startswith("event:") or parse_time(surge.start) >= since) and \
                len(ids & taken) >= settings.overlap * len(ids):
            return True
    return False


def _within_budget(state: DetectorState, when: datetime, score: float, settings: SurgeSettings) -> bool:
    """Alerts are read by people: past `max_per_week` in 7 days, a surge must outscore all of them."""
    since = when - timedelta(days=7)
    week = [s for s in state.surges if parse_time(s.start) >= since]
    return len(week) < settings.max_per_week or all(score > s.score for s in week)


def close_surges(state: DetectorState, now: datetime, settings: SurgeSettings = SurgeSettings()) -> list[Surge]:
    """Close the open surges whose series have been quiet for the cool-down; the closed ones.

    Also forgets series with nothing in the window whose history expects under half the floor: their expectation
    is the floor either way, and the state stays small (each series is evicted here, not only when a story of its
    own comes: every event, storyline and name met once used to stay for good, some 400 series a day)."""
    closed = []
    boundary = now - timedelta(hours=settings.window_hours)
    for s in state.series.values():
        _evict(s, boundary, settings)
        if s.surge >= 0:
            surge = state.surges[s.surge]
            if (now - parse_time(surge.last_hot)).total_seconds() / 3600 > settings.cooldown_hours:
                surge.end = surge.last_hot
                s.surge = -1
                closed.append(surge)
    state.series = {k: s for k, s in state.series.items()
                    if s.window or s.surge >= 0 or _history_expects(state, s, now, settings) >= settings.floor / 2}
    return closed


def forget_surges(state: DetectorState, now: datetime, keep_days: float = 7.0,
                  unwritten: Callable[[Surge], bool] = lambda surge: False) -> int:
    """Drop closed surges older than `keep_days` from the state (the live stage has stored them); how many.

    What the detector still reads of past surges (its weekly budget, whether a burst is covered) looks back
    seven days, so the state stays small however long it runs. The offline contract keeps them all. A surge
    the caller has not stored as it now stands (`unwritten`: closed in this very pass, after a quiet week)
    stays until it has been."""
    horizon = utc_iso(now - timedelta(days=keep_days))
    open_ones = {s.surge for s in state.series.values() if s.surge >= 0}
    kept = [i for i, surge in enumerate(state.surges)
            if i in open_ones or unwritten(surge) or utc_iso(parse_time(surge.last_hot or surge.start)) >= horizon]
    if len(kept) == len(state.surges):
        return 0
    new_index = {old: new for new, old in enumerate(kept)}
    dropped = len(state.surges) - len(kept)
    state.surges = [state.surges[i] for i in kept]
    for series in state.series.values():
        if series.surge >= 0:
            series.surge = new_index[series.surge]
    return dropped
