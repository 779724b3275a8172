import json
from copy import deepcopy
from datetime import UTC, datetime, timedelta

import numpy as np

from pipeline.events.features import TermStats, story_features
from pipeline.events.grouping import GroupingSettings, GroupingState, assign, assign_batch


def group(stories, topics, cuts=()):
    """Assignments of the kept stories, the stream fed in batches cut at the given positions."""
    state, stats, out = GroupingState(), TermStats(), {}
    kept = {i for i, t in topics.items() if t}
    bounds = [0, *cuts, len(stories)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        for a in assign_batch(state, stats, stories[lo:hi], kept):
            out[a.story_id] = (a.event_id, a.storyline_id)
    return out, state, stats


def burst_ids(stories):
    return [s.id for s in stories if "Zorland" in s.title]


def test_a_happening_told_by_several_outlets_is_one_event(stream):
    stories, topics = stream
    out, state, _ = group(stories, topics)
    events = {out[i][0] for i in burst_ids(stories)}
    assert len(events) == 1
    event = state.events[events.pop()]
    assert len(event.outlets) == 3 and "Zorland" in event.title


def test_events_nest_in_storylines(stream):
    stories, topics = stream
    out, state, _ = group(stories, topics)
    for event in state.events.values():
        assert {out[i][1] for i in event.story_ids} == {event.storyline_id}


def test_assigning_a_story_again_changes_nothing(stream):
    stories, topics = stream
    out, state, stats = group(stories, topics)
    before = json.dumps(state.to_dict(), sort_keys=True), json.dumps(stats.to_dict(), sort_keys=True)
    again = assign_batch(state, stats, stories[-30:], {i for i, t in topics.items() if t})
    assert all(out[a.story_id] == (a.event_id, a.storyline_id) for a in again)
    assert not any(a.new_event or a.new_storyline for a in again)
    assert (json.dumps(state.to_dict(), sort_keys=True), json.dumps(stats.to_dict(), sort_keys=True)) == before
    story = next(s for s in stories if topics[s.id])
    first = assign(deepcopy(state), story, stats)
    assert (first.event_id, first.storyline_id) == out[story.id]


def test_an_event_split_across_batches_ends_as_one(stream):
    stories, topics = stream
    ids = burst_ids(stories)
    middle = next(n for n, s in enumerate(stories) if s.id == ids[len(ids) // 2])
    whole, _, _ = group(stories, topics)
    for cuts in ((middle,), (middle - 1, middle + 3), tuple(range(1, len(stories), 17))):
        split, _, _ = group(stories, topics, cuts)
        assert split == whole
        assert len({split[i][0] for i in ids}) == 1


def test_state_survives_a_round_trip_through_json(stream):
    stories, topics = stream
    kept = {i for i, t in topics.items() if t}
    half = len(stories) // 2
    whole, _, _ = group(stories, topics)
    _, state, stats = group(stories[:half], topics)
    state = GroupingState.from_dict(json.loads(json.dumps(state.to_dict())))
    stats = TermStats.from_dict(json.loads(json.dumps(stats.to_dict())))
    rest = {a.story_id: (a.event_id, a.storyline_id) for a in assign_batch(state, stats, stories[half:], kept)}
    assert all(whole[i] == rest[i] for i in rest)


def test_unrelated_stories_stay_apart(stream):
    stories, topics = stream
    out, _, _ = group(stories, topics)
    burst = set(burst_ids(stories))
    others = {out[i][0] for i in out if i not in burst}
    assert out[next(iter(burst))][0] not in others


def test_embeddings_join_a_happening_worded_differently():
    """Two headlines about one happening with no word in common: words keep them apart, embeddings join them."""
    when = datetime(2023, 5, 1, tzinfo=UTC)
    near, far = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    items = [({"id": "a", "published": when.isoformat(), "title": "Ministers halt removal flight"}, near),
             ({"id": "b", "published": (when + timedelta(hours=2)).isoformat(),
               "title": "Judges ground Kigali plane"}, 0.9 * near + 0.436 * far),
             ({"id": "c", "published": (when + timedelta(hours=3)).isoformat(),
               "title": "Orchestra tours the north"}, far)]
    stories = [story_features(item, embedding=vec) for item, vec in items]
    for settings, joined in ((GroupingSettings(), False),
                             (GroupingSettings(event_embedding_weight=1.0, event_threshold=0.55), True)):
        state, stats = GroupingState(), TermStats()
        out = {a.story_id: a.event_id for a in assign_batch(state, stats, stories, {"a", "b", "c"}, settings)}
        assert (out["a"] == out["b"]) is joined
        assert out["c"] not in (out["a"], out["b"])
        again = GroupingState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert again.events[out["a"]].embedding == state.events[out["a"]].embedding


def test_shared_names_weigh_more_in_events_than_in_storylines():
    """Two reports that share only their people and places (Varga, Zorland): one event once names count twice."""
    when = datetime(2023, 5, 1, tzinfo=UTC)

    def story(i, hours, title, summary="", entities=()):
        return story_features({"id": i, "published": (when + timedelta(hours=hours)).isoformat(), "title": title,
                               "summary": summary}, entities)

    background = [story(f"b{k}", k / 10 - 10, title) for k, title in enumerate(
        ("Storm floods coastal towns", "Museum opens pottery show", "Court jails fraudster",
         "Minister defends budget plan", "Critics attack new plan", "Opposition leader speaks"))]
    names = [("person", "Varga"), ("place", "Zorland")]
    first = story("a", 0, "Varga signs deportation deal with Zorland",
                  "The home minister said flights would start soon.", names)
    second = story("b", 3, "Protests greet Varga in Zorland", "Crowds gathered outside the parliament in the capital "
                   "on Tuesday, chanting, singing and waving banners and flags at passing cars.", names)
    for weight, joined in ((1.0, False), (GroupingSettings().event_entity_weight, True)):
        out = {a.story_id: a for a in assign_batch(GroupingState(), TermStats(), [*background, first, second],
                                                   {"a", "b"}, GroupingSettings(event_entity_weight=weight))}
        assert (out["a"].event_id == out["b"].event_id) is joined
        assert out["a"].storyline_id == out["b"].storyline_id


def test_a_long_running_storyline_keeps_a_bounded_state():
    """A storyline open for a year must not carry every story id in the state written after each batch."""
    import pipeline.events.grouping as grouping

    when = datetime(2022, 1, 1, tzinfo=UTC)
    state, stats = GroupingState(), TermStats()
    stories = [story_features({"id": f"s{n}", "published": (when + timedelta(hours=6 * n)).isoformat(), "outlet": "BBC",
                               "title": f"Channel crossings: small boats carrying asylum seekers reach Dover, day {n}",
                               "summary": "Migrants crossed the Channel in small boats to Dover."},
                              entities=[("person", f"Person {n}"), ("place", "Dover")]) for n in range(3 * grouping.MEMBERS_KEPT)]
    for story in stories:
        assign_batch(state, stats, [story], {story.id})
    [line] = state.storylines.values()
    assert line.stories == len(stories) and line.to_dict()["size"] == len(stories)  # counted, every one
    assert len(line.story_ids) == grouping.MEMBERS_KEPT and line.story_ids[-1] == stories[-1].id
    assert len(line.entities) <= 2 * grouping.ENTITIES_KEPT and "place:Dover" in line.top_entities
    assert len(line.event_ids) <= grouping.MEMBERS_KEPT
    assert len(json.dumps(line.to_dict())) < 100_000


def test_a_story_from_long_before_an_open_event_does_not_join_it():
    """A page dated 2019 (or a feed item late by weeks) worded like today's event joined it, and the event's
    first sighting became 2019."""
    when = datetime(2023, 5, 1, tzinfo=UTC)

    def story(i, days, title):
        return story_features({"id": i, "published": (when + timedelta(days=days)).isoformat(), "title": title,
                               "summary": "Flights to Zorland will start next month, the minister said."})

    today = [story("a", 0, "Varga signs deportation deal with Zorland"),
             story("b", 0.2, "Varga deportation deal with Zorland signed")]
    old = story("old", -1400, "Varga signs deportation deal with Zorland")
    state = GroupingState()
    out = {a.story_id: a for a in assign_batch(state, TermStats(), today, {"a", "b"})}
    [late] = assign_batch(state, TermStats(), [old], {"old"})
    assert out["a"].event_id == out["b"].event_id != late.event_id
    assert state.events[out["a"].event_id].first_seen.startswith("2023-05-01")
