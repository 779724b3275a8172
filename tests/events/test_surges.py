import json
from datetime import UTC, datetime, timedelta

from pipeline.events.surges import (
    DetectorState,
    Series,
    SeriesRef,
    Surge,
    SurgeSettings,
    expected_count,
    forget_surges,
    observe_item,
    observe_story,
    poisson_tail,
)

T0 = datetime(2023, 5, 1, tzinfo=UTC)
SERIES = [SeriesRef("place:zorland", "Zorland")]


def feed(state, times, prefix="s", series=SERIES, copies=None):
    raised = []
    for n, when in enumerate(times):
        observe_item(state, f"{prefix}{n}", when)
        raised += observe_story(state, f"{prefix}{n}", when, series, copies[n] if copies else "")
    return raised


def daily(days, per_day=1, hour=9):
    return [T0 + timedelta(days=d, hours=hour + 3 * k) for d in range(days) for k in range(per_day)]


def test_poisson_tail():
    assert poisson_tail(0, 2.0) == 1.0
    assert abs(poisson_tail(3, 1.0) - 0.0803) < 1e-3
    assert 0 < poisson_tail(60, 1.0) < 1e-60


def test_a_quiet_series_does_not_surge_on_one_to_three():
    state = DetectorState("asylum")
    busy_day = T0 + timedelta(days=14)
    raised = feed(state, daily(14) + [busy_day + timedelta(hours=h) for h in (8, 12, 16)])
    assert raised == []


def test_a_burst_surges_at_the_story_that_crosses_the_line():
    burst = [T0 + timedelta(days=14, hours=6 + h) for h in range(6)]
    crossing = None
    for k in range(1, len(burst) + 1):
        state = DetectorState("asylum")
        raised = feed(state, daily(14) + burst[:k])
        if raised:
            crossing = k
            break
    assert crossing is not None and crossing >= SurgeSettings().min_stories
    surge = raised[0]
    assert surge.key == "place:zorland" and surge.topic == "asylum"
    assert surge.start == burst[crossing - 1].isoformat()
    assert surge.stories[-1] == f"s{14 + crossing - 1}"


def test_one_burst_one_surge_and_a_later_burst_another():
    state = DetectorState("asylum")
    first = [T0 + timedelta(days=14, hours=h) for h in range(0, 36, 2)]  # a day and a half of coverage
    second = [T0 + timedelta(days=24, hours=h) for h in range(0, 12, 1)]
    raised = feed(state, daily(14) + first + second)
    assert len(raised) == 2
    assert state.surges[0].end and state.surges[0].end < raised[1].start


def test_copies_count_once():
    state = DetectorState("asylum")
    burst = [T0 + timedelta(days=14, hours=6, minutes=m) for m in range(6)]
    assert feed(state, daily(14) + burst, copies=[f"d{n}" for n in range(14)] + ["same"] * 6) == []


def test_counting_a_story_twice_changes_nothing():
    state = DetectorState("asylum")
    feed(state, daily(14))
    before = json.dumps(state.to_dict(), sort_keys=True)
    observe_story(state, "s13", daily(14)[-1], SERIES)
    observe_item(state, "s13", daily(14)[-1])
    assert json.dumps(state.to_dict(), sort_keys=True) == before


def test_a_related_series_surging_with_the_same_stories_stays_silent():
    state = DetectorState("asylum")
    both = SERIES + [SeriesRef("person:varga", "Varga")]
    raised = feed(state, daily(14), series=both) + feed(state, [T0 + timedelta(days=14, hours=h) for h in range(6)],
                                                         prefix="b", series=both)
    assert len(raised) == 1


def test_expectation_follows_the_hour_of_day():
    state = DetectorState("asylum")
    settings = SurgeSettings(window_hours=6)
    for n in range(3000):  # the outlets publish at 9-11 UTC
        observe_item(state, f"x{n}", T0 + timedelta(days=n % 14, hours=9 + n % 3, seconds=n))
    feed(state, daily(14))
    series = state.series["place:zorland"]
    morning = expected_count(state, series, T0 + timedelta(days=14, hours=12), settings)
    night = expected_count(state, series, T0 + timedelta(days=14, hours=3), settings)
    assert morning > 2 * night


def test_state_round_trips_through_json():
    state = DetectorState("asylum")
    feed(state, daily(14) + [T0 + timedelta(days=14, hours=h) for h in range(6)])
    copy = DetectorState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert copy.to_dict() == state.to_dict()


def test_a_new_detector_only_counts_for_its_first_week():
    """With no history every story is news: the same burst raises nothing on day 3 and a surge on day 10."""
    for day, expect in ((3, False), (10, True)):
        state = DetectorState("asylum")
        burst = [T0 + timedelta(days=day, hours=6 + h) for h in range(8)]
        assert bool(feed(state, daily(day) + burst)) is expect


def test_forgetting_old_surges_keeps_open_and_recent_ones_and_the_series_links():
    def surge(key, days_ago, end=True):
        when = (T0 - timedelta(days=days_ago)).isoformat()
        return Surge("asylum", key, key, when, when, 3.0, last_hot=when, end=when if end else "")

    state = DetectorState("asylum", surges=[surge("old", 30), surge("open", 20, end=False), surge("old2", 9),
                                            surge("recent", 2)])
    state.series = {"open": Series("open", "open", surge=1), "recent": Series("recent", "recent", surge=-1)}
    assert forget_surges(state, T0) == 2
    assert [s.key for s in state.surges] == ["open", "recent"]
    assert state.surges[state.series["open"].surge].key == "open"
    assert forget_surges(state, T0) == 0


def test_series_met_once_are_forgotten_and_the_state_stops_growing():
    """Every event, storyline and name met once was a series for good (the windows were evicted only when a story
    of the same series came): the one state document grew by some 400 series a day, for ever."""
    from pipeline.events.surges import close_surges

    state = DetectorState("asylum-border")
    sizes = {}
    for day in range(90):
        for n in range(20):
            when = T0 + timedelta(days=day, hours=8, minutes=20 * n)
            sid = f"d{day}-{n}"
            observe_item(state, sid, when)
            observe_story(state, sid, when, [SeriesRef("topic:asylum-border", "asylum"),
                                             SeriesRef(f"event:{sid}", sid), SeriesRef(f"person:{sid}", sid)])
        close_surges(state, T0 + timedelta(days=day + 1))
        sizes[day] = len(state.series)
    assert sizes[89] <= sizes[30] + 5 and sizes[89] < 100, sizes  # bounded, not 40 more a day
    assert "topic:asylum-border" in state.series  # a series with a history worth keeping stays


def test_a_name_met_every_day_or_two_keeps_its_baseline_and_its_busy_day_does_not_surge():
    """Forgotten at each quiet day (its expectation under half the floor), a regular's history restarted at the
    floor, and its ordinary three-story day raised a surge."""
    from pipeline.events.surges import close_surges

    state = DetectorState("asylum-border")
    regular = SeriesRef("person:minister", "The minister")
    surges = []
    for n in range(40):  # about every 30 hours, for seven weeks
        when = T0 + timedelta(hours=30 * n)
        for k in range(10):  # the outlets' rhythm: ten items a day
            observe_item(state, f"i{n}-{k}", when + timedelta(minutes=7 * k))
        surges += observe_story(state, f"s{n}", when, [regular])
        close_surges(state, when + timedelta(hours=29))
    assert "person:minister" in state.series
    busy = T0 + timedelta(hours=30 * 40)
    for k in range(3):  # an ordinary busy day for them
        surges += observe_story(state, f"busy{k}", busy + timedelta(hours=k), [regular])
    assert [s for s in surges if s.key == "person:minister"] == []


def test_a_backlog_story_older_than_the_detector_does_not_cut_its_first_week_short():
    """A new detector's first story was a backlog item from 8 days ago: its week counted from then, and the
    next day's handful of stories, against no history, surged."""
    state = DetectorState("asylum")
    assert feed(state, [T0 - timedelta(days=8)], prefix="old") == []
    assert feed(state, [T0 + timedelta(hours=6 + h) for h in range(8)]) == []


def test_a_week_of_other_items_without_a_kept_story_keeps_the_detector_warm():
    """The gap that restarts the warm-up is one the detector saw nothing of: items off the topic count."""
    state = DetectorState("asylum")
    feed(state, daily(10))
    for hour in range(8 * 24):
        observe_item(state, f"other{hour}", T0 + timedelta(days=10, hours=hour))
    assert feed(state, [T0 + timedelta(days=18, hours=6 + h) for h in range(8)], prefix="b")


def test_a_state_written_by_a_newer_version_loads():
    """Fields this version does not know (a newer release's, read after a rollback) are ignored, not fatal."""
    state = DetectorState("asylum")
    feed(state, daily(14) + [T0 + timedelta(days=14, hours=h) for h in range(8)])
    data = json.loads(json.dumps(state.to_dict()))
    data["profile"]["future"] = 1
    data["later"] = True
    for series in data["series"].values():
        series["future"] = 1
    for surge in data["surges"]:
        surge["future"] = 1
    assert DetectorState.from_dict(data).to_dict() == state.to_dict()


def test_a_state_written_before_watching_was_counted_stays_warm():
    state = DetectorState("asylum")
    feed(state, daily(14))
    data = json.loads(json.dumps(state.to_dict()))
    del data["watched"], data["seen"]
    assert DetectorState.from_dict(data).watched >= 12


def test_a_quiet_topic_with_days_between_its_stories_warms_up_all_the_same():
    """In the product a topic's detector sees only that topic's stories: one every three days is a quiet topic
    it has watched, not a gap in its watch (it must still surge after its first week)."""
    state = DetectorState("asylum")
    feed(state, [T0 + timedelta(days=3 * n, hours=9) for n in range(5)], prefix="q")
    assert state.watched >= 12
    assert feed(state, [T0 + timedelta(days=16, hours=6 + h) for h in range(8)], prefix="b")


def fed_in_batches(stream, cuts):
    """Feed (id, when, series) stories cut into batches at `cuts`, closing cooled surges at each batch's end as
    `Monitor.process_stories` does; the surges, as JSON."""
    from pipeline.events.surges import close_surges

    state = DetectorState("asylum")
    bounds = [T0 - timedelta(days=1), *cuts, T0 + timedelta(days=365)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        batch = [(i, when, refs) for i, when, refs in stream if lo < when <= hi]
        for story_id, when, refs in batch:
            observe_story(state, story_id, when, refs)
            observe_item(state, story_id, when)
        if batch:
            close_surges(state, batch[-1][1])
    return [json.dumps(s.to_dict(), sort_keys=True) for s in state.surges]


def test_a_burst_after_the_cool_down_is_a_new_surge_however_the_stream_is_cut():
    """Hot at B, two quiet stories at B+47h, the third at B+48.5h hot again: a new surge (and alert), whether or
    not a batch ended between B+48h and B+48.5h (it used to grow the old one unless one did)."""
    other, place = [SeriesRef("place:other", "Other")], [SeriesRef("place:x", "X")]
    burst_end = T0 + timedelta(days=14, hours=9)
    stream = [(f"w{d}", T0 + timedelta(days=d, hours=9), other) for d in range(14)]
    stream += [(f"b{h}", burst_end - timedelta(hours=3 - h), place) for h in range(4)]
    stream += [("q1", burst_end + timedelta(hours=47), place), ("q2", burst_end + timedelta(hours=47.5), place),
               ("o", burst_end + timedelta(hours=48.2), other), ("hot", burst_end + timedelta(hours=48.5), place)]
    whole = fed_in_batches(stream, [])
    assert fed_in_batches(stream, [burst_end + timedelta(hours=48.2)]) == whole
    surges = [json.loads(s) for s in whole if json.loads(s)["key"] == "place:x"]
    assert len(surges) == 2 and surges[0]["last_hot"] == burst_end.isoformat()
    assert surges[0]["end"] == surges[0]["last_hot"] and "hot" not in surges[0]["stories"]
    assert surges[1]["start"] == (burst_end + timedelta(hours=48.5)).isoformat() and "hot" in surges[1]["stories"]


def test_the_same_instants_written_with_other_offsets_give_the_same_profile_and_expectations():
    """"11:59-05:00" is 16:59 UTC: the profile learns the stream's UTC rhythm, not each outlet's clock."""
    from datetime import timezone

    def fed(offset):
        state = DetectorState("asylum")
        zone = timezone(offset)
        for n in range(600):  # the outlets publish at 9-11 UTC
            observe_item(state, f"x{n}", (T0 + timedelta(days=n % 14, hours=9 + n % 3, seconds=n)).astimezone(zone))
        feed(state, [when.astimezone(zone) for when in daily(14)])
        return state

    utc, ottawa, delhi = fed(timedelta(0)), fed(timedelta(hours=-5)), fed(timedelta(hours=5, minutes=30))
    assert ottawa.profile == utc.profile == delhi.profile
    assert ottawa.to_dict() == utc.to_dict() == delhi.to_dict()
    settings = SurgeSettings(window_hours=6)
    noon = T0 + timedelta(days=14, hours=12)
    expected = {expected_count(state, state.series["place:zorland"], noon.astimezone(timezone(offset)), settings)
                for state in (utc, ottawa, delhi) for offset in (timedelta(0), timedelta(hours=-5),
                                                                 timedelta(hours=5, minutes=30))}
    assert len(expected) == 1


def test_a_surge_hot_for_long_keeps_its_first_and_latest_stories_and_still_covers_its_burst():
    """A topic hot for days took in every story id (thousands, in a state saved several times a run); it keeps the
    first and the latest. A place whose stories it dropped is still part of the same burst: no second surge."""
    from pipeline.events.surges import KEPT_FIRST, KEPT_LATEST

    topic, place = SeriesRef("topic:asylum", "asylum"), SeriesRef("place:y", "Y")
    state = DetectorState("asylum")
    feed(state, daily(14), series=[topic])
    start = T0 + timedelta(days=14, hours=1)
    raised = []
    for n in range(400):  # one every three minutes for 20 hours; the place is in #100, #101 and #300
        when, refs = start + timedelta(minutes=3 * n), [topic, place] if n in (100, 101, 300) else [topic]
        observe_item(state, f"b{n}", when)
        raised += observe_story(state, f"b{n}", when, refs)
    assert [s.key for s in raised] == ["topic:asylum"]
    surge = raised[0]
    assert len(surge.stories) == KEPT_FIRST + KEPT_LATEST
    assert surge.stories[-KEPT_LATEST:] == [f"b{n}" for n in range(400 - KEPT_LATEST, 400)]
    assert surge.stories[0] in {f"s{d}" for d in range(14)} | {"b0"} and "b101" not in surge.stories
