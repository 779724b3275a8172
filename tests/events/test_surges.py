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
