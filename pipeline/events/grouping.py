"""Online grouping of kept stories into events (one happening, a few days) and storylines (weeks).

Stories arrive in time order, one at a time or in batches, and each is placed at once and for good:

* Event: the open event (last story at most `event_days` before) with the highest mean similarity
  to its stories (average link: the dot product with the sum of their unit vectors, over their number),
  if that reaches `event_threshold`; else a new event. Average link, unlike single link, does not chain:
  an event that has drifted has a short mean vector and is hard to join.
* Storyline: a story that joins an event joins that event's storyline (events nest in storylines).
  A story that opens an event joins the open storyline (last story at most `storyline_days` before)
  whose time-decayed centroid (half-life `storyline_half_life_days`) is most similar, if the cosine
  reaches `storyline_threshold`; else it opens a storyline.

Names weigh more in events than in storylines (`event_entity_weight` 2, `storyline_entity_weight` 1): two
reports of one happening share its people, places and bodies (Rwanda and Patel, the Home Office), while a
storyline's stories share its vocabulary more than its names. Cross-validated (scripts/eval_events.py,
thresholds tuned on one part, scored on the other): event F1 tuned Jan–Feb↔Mar–Apr and March↔April 0.43 →
0.49 on average, 5 folds 0.43 → 0.60; storylines about the same. Tried and not kept, as they did not hold up
across periods and folds: single link or half single link (chains), centroid cosine for events, a time
decay of event similarity, a cap on an event's span, a storyline as the chain of its events (the closest
event instead of the centroid), storyline first and then its events at a lower bar, other title weights and
storyline half-lives, sentence embeddings at either level; topic-only rarity, countries of places, title
word pairs and suffix stripping separated same-event and same-storyline pairs no better.

Tried next and not kept (issue 19; storyline F1 dev | CV period pairs | CV 5 folds, kept method 0.510 |
0.602 | 0.501). The largest error is the UK-schemes storyline merged into the exodus one (980 of 1515 false
pairs): the same words in another frame (visas, sponsors, ministers against fleeing, borders, stations).
A gate on the frame (a story joins a storyline only if the frame holding ≥ 55 % of its words from two
general word lists, policy and flight, agrees with the storyline's decayed mix): 0.495 | 0.488 | 0.475.
The lists do part the two gold storylines' stories (29 flight to 1 policy, 19 policy to 3 flight), but
stories with no frame words and stories joining an event of the merged storyline still carry part of the
schemes across, and a storyline split in two costs more pairs than the cleaner one gains; other shares and
a minimum of frame words did no better. The frame mix as extra channels of the storylines' vector (length
0.3): 0.446 | 0.603 | 0.446 (longer channels join same-frame storylines: Rwanda with the schemes). Places
weighing 0, 2 or 3 in storylines, and word pairs of title and summary as event terms (shared rare phrases),
fell in both cross-validations (fixed event settings: storyline folds 0.52, 0.44, 0.42 against 0.53; event
folds 0.45 with pairs at half weight, 0.32 at full, against 0.55). The frame gate on events as well
(a story does not join an event framed the other way) left events as they were and storylines lower
(folds 0.44 against 0.53). Storylines by average link (the centroid cosine times the centroid's coherence,
its length over its decayed story count, to a power 0.25–1) split the big storylines: dev 0.40–0.13.
The places' focus country (pipeline/nlp/places.py) does not part the two either: Ukraine is the focus of
17 of 29 schemes stories ("Homes for Ukraine") and of 20 of 42 exodus ones.

Re-tested on more labels (scripts/data/events-extra.labels.jsonl: 254 more items of the stream, 74 on topic;
eval_events.py --extra-labels), thresholds tuned in each part, entity weight 2 (storyline F1 CV period pairs /
5 folds, official labels | union): kept method 0.588 / 0.531 | 0.430 / 0.407; frame channels of length 0.3
0.614 / 0.499 | 0.531 / 0.556, 0.2 0.590 / 0.480 | 0.483 / 0.473, 0.15, 0.25, 0.35 and 0.5 lower on both;
frame gate 0.55 0.470 / 0.513 | 0.421 / 0.387. No variant rose on both label sets, so none is kept. On the
union the exodus storyline's feature stories scattered over small storylines cost most (2377 of 3151
missed pairs), the schemes–exodus merge most false pairs (980 of 1623).

A learned pair score was tried last (logistic regression over the word cosine, the time gap, shared names,
shared title words and same outlet, on both label files' on-topic pairs within 3 days, one month held out
at a time): it ranked same-event pairs worse than the cosine alone (pooled AUC 0.76–0.80 against 0.86,
average precision 0.32–0.34 against 0.42); within a storyline the time gap alone separates some (AUC 0.71)
but adds nothing once the cosine is known. Title and summary say too little to part one happening from
the next of its storyline; the gap to the targets is there, not in the grouping. Two last checks agree:
a top-k link (the mean similarity to the event's k most similar stories) gave events dev | CV periods | folds
0.433 | 0.441 | 0.410 at k = 2 and 0.527 | 0.481 | 0.458 at k = 3 (mean link 0.527 | 0.481 | 0.456); and
events cut from the *gold* storylines by time alone (a gap ≤ 0.25–3 days opens a new one) reach only 0.24–0.38.

Four more, also not kept (event F1 on the official labels | on their union with the extra labels, event
threshold 0.3 unless said): the link's URL section as a term (weights 0.5, 1, 2: no consistent gain on either
label set); press round-ups ("The Papers: …", "Newspaper headlines: …", five of the labelled multi-story
events' items) cut to the title and summary clauses the topic rules match, so their other stories do not
dilute them: 0.527 → 0.407 | 0.430 → 0.351 (a clause such as "UK under fire over refugees" alone matches
every UK refugee story of the week); the round-ups' own words (paper, front, page, headline) as stop words:
0.516 | 0.423 (0.420 | 0.355 at 0.35, where the method without them gives 0.342 | 0.294); and merging two
open events once their average link reaches 0.2 or 0.25 (the "Homes for Ukraine" launch split in two): 0.410
or 0.454 | 0.323 or 0.385 (at 0.3 nothing merges), the merges joining more different happenings than halves.

Similarity is the word-vector one, or, where stories carry sentence embeddings (embeddings.py) and the
level's embedding weight a is > 0, a·(the same measure on embeddings) + (1 − a)·(the word measure): words
find a happening's names and numbers, embeddings what a story says when outlets word it differently.

Assignment is deterministic (batches are taken in (published, id) order, ties go to the older group)
and idempotent (a story already in an open group is returned its group unchanged). State is plain
dataclasses with `to_dict`/`from_dict`, so the open events and storylines can live as documents in
the store and be updated batch by batch. Events and storylines that can no longer be joined are
closed (dropped from the state) by `close_stale`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from pipeline.events.features import StoryFeatures, TermStats, dot, normalise, parse_time, story_vector, utc_iso

CENTROID_TERMS = 300  # a group keeps its heaviest terms only: documents stay small, similarity barely moves
MEMBERS_KEPT = 500  # the latest story and event ids a storyline keeps in the state: open for a year, it stays small
ENTITIES_KEPT = 200  # the most frequent entities a group keeps once it has twice as many


@dataclass(frozen=True)
class GroupingSettings:
    """Tunables, chosen by cross-validation (scripts/eval_events.py); the windows follow the labelling guide."""

    event_threshold: float = 0.3
    event_days: float = 3.0
    storyline_threshold: float = 0.2
    storyline_days: float = 60.0
    storyline_half_life_days: float = 14.0
    event_entity_weight: float = 2.0  # names tell one happening from another of the same kind
    storyline_entity_weight: float = 1.0
    event_embedding_weight: float = 0.0  # share of embedding similarity; 0: words only (no encoder needed)
    storyline_embedding_weight: float = 0.0


@dataclass
class Group:
    """An event or a storyline. `centroid` is the (for storylines time-decayed) sum of story vectors."""

    id: str
    kind: str  # "event" | "storyline"
    first_seen: str
    last_seen: str
    story_ids: list[str] = field(default_factory=list)  # a storyline's latest MEMBERS_KEPT (its documents list them all)
    size: int = 0  # stories placed in it, every one (0 in states written before it was counted: len(story_ids))
    outlets: list[str] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    embedding: list[float] = field(default_factory=list)  # sum (storylines: decayed) of story embeddings
    decayed_at: str = ""  # the time the centroid's weights are expressed at (storylines)
    entities: dict[str, int] = field(default_factory=dict)  # "kind:name" → stories mentioning it
    title: str = ""
    title_score: float = -1.0
    storyline_id: str = ""  # events: the storyline they belong to
    event_ids: list[str] = field(default_factory=list)  # storylines: their events

    @property
    def top_entities(self) -> list[str]:
        return [name for name, _ in sorted(self.entities.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"top_entities": self.top_entities, "size": self.stories}

    @property
    def stories(self) -> int:
        return max(self.size, len(self.story_ids))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Group:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Assignment:
    story_id: str
    event_id: str
    storyline_id: str
    new_event: bool
    new_storyline: bool


@dataclass
class GroupingState:
    """The open events and storylines, and the word statistics their similarities are weighted by."""

    events: dict[str, Group] = field(default_factory=dict)
    storylines: dict[str, Group] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"events": [g.to_dict() for g in self.events.values()],
                "storylines": [g.to_dict() for g in self.storylines.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupingState:
        return cls({d["id"]: Group.from_dict(d) for d in data.get("events", [])},
                   {d["id"]: Group.from_dict(d) for d in data.get("storylines", [])})

    def find(self, story_id: str) -> Assignment | None:
        """The story's groups, if an open event holds it (the product also skips stories that carry ids)."""
        for event in self.events.values():
            if story_id in event.story_ids:
                return Assignment(story_id, event.id, event.storyline_id, False, False)
        return None


def _days(later: datetime, earlier: str) -> float:
    return (later - parse_time(earlier)).total_seconds() / 86400


def _embedding_dot(story: StoryFeatures, group: Group) -> float:
    return float(np.dot(story.embedding, group.embedding)) if story.embedding and group.embedding else 0.0


def _best(groups: Iterable[Group], when: datetime, days: float, threshold: float,
          score: Callable[[Group], float]) -> Group | None:
    """The open group (last story within `days`) scoring highest and at least `threshold`; ties go to the older."""
    best, best_score = None, threshold
    for group in sorted(groups, key=lambda g: (g.first_seen, g.id)):
        if _days(when, group.last_seen) > days or -_days(when, group.first_seen) > days:
            continue  # too long after its last story, or (a late or page-dated story) long before its first
        value = score(group)
        if value > best_score or (best is None and value >= best_score):
            best, best_score = group, value
    return best


def _mix(words: float, embedded: float, story: StoryFeatures, weight: float) -> float:
    """The combined similarity; a story without an embedding is compared by words alone."""
    share = weight if story.embedding else 0.0
    return share * embedded + (1.0 - share) * words


def _mean_link(vec: Mapping[str, float], story: StoryFeatures, event: Group, settings: GroupingSettings) -> float:
    size = max(1, event.stories)
    return _mix(dot(vec, event.centroid) / size, _embedding_dot(story, event) / size, story,
                settings.event_embedding_weight)


def _centroid_cosine(vec: Mapping[str, float], story: StoryFeatures, line: Group, settings: GroupingSettings) -> float:
    norm = float(np.linalg.norm(line.embedding)) if line.embedding else 0.0
    embedded = _embedding_dot(story, line) / norm if norm else 0.0
    return _mix(dot(vec, normalise(line.centroid)), embedded, story, settings.storyline_embedding_weight)


def _decay(group: Group, when: datetime, half_life: float) -> float:
    """Bring a storyline's centroid to `when`; the weight a story published at `when` gets (1 unless late)."""
    if not group.decayed_at:
        group.decayed_at = utc_iso(when)
        return 1.0
    age = _days(when, group.decayed_at)
    if age <= 0:
        return 0.5 ** (-age / half_life)
    factor = 0.5 ** (age / half_life)
    group.centroid = {t: w * factor for t, w in group.centroid.items()}
    group.embedding = [x * factor for x in group.embedding]
    group.decayed_at = utc_iso(when)
    return 1.0


def _add(group: Group, story: StoryFeatures, vec: Mapping[str, float], weight: float = 1.0) -> None:
    for term, x in vec.items():
        group.centroid[term] = group.centroid.get(term, 0.0) + weight * x
    if len(group.centroid) > CENTROID_TERMS:
        kept = sorted(group.centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS]
        group.centroid = dict(kept)
    if story.embedding:
        total = np.asarray(group.embedding or np.zeros(len(story.embedding))) + weight * np.asarray(story.embedding)
        group.embedding = total.tolist()
    group.size = group.stories + 1
    group.story_ids.append(story.id)  # an event closes within days and keeps them all: `find` reads them
    if group.kind == "storyline" and len(group.story_ids) > MEMBERS_KEPT:
        group.story_ids = group.story_ids[-MEMBERS_KEPT:]
    if story.outlet and story.outlet not in group.outlets:
        group.outlets.append(story.outlet)
    for _key, (kind, name) in story.entities.items():
        label = f"{kind}:{name}"
        group.entities[label] = group.entities.get(label, 0) + 1
    if len(group.entities) > 2 * ENTITIES_KEPT:
        group.entities = dict(sorted(group.entities.items(), key=lambda kv: (-kv[1], kv[0]))[:ENTITIES_KEPT])
    when = utc_iso(story.published)
    group.first_seen = min(group.first_seen, when)
    group.last_seen = max(group.last_seen, when)
    # the title: the story closest to what the group is about so far
    score = dot(vec, normalise(group.centroid))
    if score > group.title_score:
        group.title, group.title_score = story.title, score


def _open(kind: str, story: StoryFeatures) -> Group:
    when = utc_iso(story.published)
    prefix = "ev" if kind == "event" else "sl"
    return Group(id=f"{prefix}-{story.id}", kind=kind, first_seen=when, last_seen=when)


def assign(state: GroupingState, story: StoryFeatures, stats: TermStats,
           settings: GroupingSettings = GroupingSettings()) -> Assignment:
    """Place one story in an event and a storyline, updating `state`; a story placed before is returned as it was.

    `stats` must already count the stories published up to this one (the caller updates it with every
    polled item, kept or not); it is read, not changed."""
    known = state.find(story.id)
    if known:
        return known
    vec = story_vector(story, stats, settings.event_entity_weight)
    line_vec = (vec if settings.storyline_entity_weight == settings.event_entity_weight
                else story_vector(story, stats, settings.storyline_entity_weight))
    when = story.published

    best = _best(state.events.values(), when, settings.event_days, settings.event_threshold,
                 lambda event: _mean_link(vec, story, event, settings))
    if best is not None:
        line = state.storylines.get(best.storyline_id)
    else:
        line = _best(state.storylines.values(), when, settings.storyline_days, settings.storyline_threshold,
                     lambda candidate: _centroid_cosine(line_vec, story, candidate, settings))

    new_line = line is None
    if line is None:
        line = _open("storyline", story)
        state.storylines[line.id] = line
    new_event = best is None
    if best is None:
        best = _open("event", story)
        state.events[best.id] = best
    if best.storyline_id != line.id:
        best.storyline_id = line.id
        line.event_ids = [*line.event_ids[-(MEMBERS_KEPT - 1):], best.id]
    _add(best, story, vec)
    _add(line, story, line_vec, _decay(line, when, settings.storyline_half_life_days))
    return Assignment(story.id, best.id, line.id, new_event, new_line)


def assign_batch(state: GroupingState, stats: TermStats, items: Iterable[StoryFeatures], kept: Container[str],
                 settings: GroupingSettings = GroupingSettings()) -> list[Assignment]:
    """Count every polled item in `stats` and place the kept ones, in (published, id) order.

    Items are counted and placed in turn, so a story is weighed by the words of what came before it
    and never by later items of its own batch: a stream cut into any batches gives the same groups."""
    out = []
    for item in sorted(items, key=lambda s: (s.published, s.id)):
        stats.add(item.id, item.published, item.terms)
        if item.id in kept:
            out.append(assign(state, item, stats, settings))
    return out


def close_stale(state: GroupingState, now: datetime, settings: GroupingSettings = GroupingSettings()) -> list[Group]:
    """Drop from the state the groups no story can join any more (their final documents are returned)."""
    closed = [g for g in state.events.values() if _days(now, g.last_seen) > settings.event_days + 1]
    closed += [g for g in state.storylines.values() if _days(now, g.last_seen) > settings.storyline_days + 1]
    for group in closed:
        (state.events if group.kind == "event" else state.storylines).pop(group.id, None)
    return closed
