"""Figures reconciled across reports: sentences written for these tests go through the real analysis, then
the figures of one cluster are compared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.events.figures import changes, reconcile
from pipeline.nlp.analyze import analyze

DAY = datetime(2022, 6, 28, 8, tzinfo=UTC)


def story(story_id: str, outlet: str, hours: float, text: str, cluster: str = "san-antonio") -> dict:
    [analysis] = analyze([text], "en")
    return {"story_id": story_id, "outlet": outlet, "published": DAY + timedelta(hours=hours), "cluster_id": cluster,
            "figures": analysis.figures, "focus_place": analysis.focus}


def one_event(*reports: tuple[str, str, float, str]) -> list[dict]:
    """Stories of one event "e1": (id, outlet, hours, text) each."""
    stories = [story(*report, "boat") for report in reports]
    for s in stories:
        s["event_id"] = "e1"
    return stories


DROWNED_46 = "Forty-six people drowned off Lampedusa, the coastguard said."
DROWNED_53 = "Fifty-three people drowned off Lampedusa, the coastguard said."


def test_a_revised_toll_across_two_reports_is_recorded_once_with_both_sources():
    first = story("a", "BBC News", 0, "At least 46 migrants died after being found in a truck in San Antonio, Texas.")
    second = story("b", "CNN", 20, "The death toll in San Antonio, Texas, rose to 53 migrants on Tuesday, "
                                   "officials said.")
    [died] = [r for r in reconcile([first, second]) if r.kind == "died"]
    assert died.status == "revised" and died.value == 53
    [change] = died.changes
    assert change.kind == "revised" and change.values == [46, 53]
    assert [s["story_id"] for s in change.sources] == ["a", "b"]
    assert [c["condition"] for c in changes([died])] == ["figure revised"]


def test_outlets_that_disagree_on_the_same_day_are_recorded_and_a_qualifier_can_agree():
    a = story("a", "BBC News", 0, "Fifty-one people drowned off Lampedusa, the coastguard said.", "boat")
    b = story("b", "CNN", 3, "More than 50 people drowned off Lampedusa, the coastguard said.", "boat")
    [agreed] = reconcile([a, b])
    assert agreed.status == "agreed" and {r.story_id for r in agreed.reports} == {"a", "b"}
    c = story("c", "The Guardian", 5, "Forty-six people drowned off Lampedusa, the coastguard said.", "boat")
    [disputed] = reconcile([a, b, c])
    assert disputed.status == "disagree"
    assert changes([disputed])[0]["condition"] == "outlets disagree"
    assert {s["story_id"] for s in disputed.changes[0].sources} == {"a", "c"}


def test_the_grouping_key_is_a_parameter():
    a = story("a", "BBC News", 0, "Fifty-one people drowned off Lampedusa.", "one")
    b = story("b", "CNN", 1, "Forty-six people drowned off Lampedusa.", "two")
    assert all(r.status == "agreed" for r in reconcile([a, b]))
    [together] = reconcile([a, b], key=lambda s: "same-event")
    assert together.status == "disagree"


def test_a_third_outlet_repeating_a_disputed_value_joins_the_record_instead_of_making_a_second():
    from pipeline.events.findings import findings_of

    a, b, c = one_event(("a", "BBC News", 0, DROWNED_46), ("b", "CNN", 3, DROWNED_53), ("c", "The Guardian", 5, DROWNED_53))
    [disputed] = reconcile([a, b, c])
    [change] = disputed.changes
    assert change.kind == "disagree" and [s["story_id"] for s in change.sources] == ["a", "b", "c"]
    assert change.sources[0]["sentence"].startswith("Forty-six people drowned")
    first = findings_of([a, b], DAY)
    later = findings_of([a, b, c], DAY + timedelta(days=1))
    assert [f.finding_id for f in first] == [f.finding_id for f in later] and len(later) == 1
    assert later[0].outlets == ["BBC News", "CNN", "The Guardian"] and later[0].event_id == "e1"


def test_a_storys_parts_of_a_count_are_neither_a_revision_nor_a_dispute():
    total = story("a", "BBC News", 0, "At least 53 migrants died in San Antonio, including 20 children.")
    months = story("b", "CNN", 1, "In May, 106 asylum seekers crossed into Manitoba; in June, 63 crossed.", "manitoba")
    other = story("c", "The Guardian", 2, "Fifty-three migrants died in San Antonio, officials said.")
    assert {r.kind for r in reconcile([total, months])} == set()  # neither story reports one value of a count
    assert [(r.kind, r.status, [x.story_id for x in r.reports]) for r in reconcile([total, other])] == \
        [("died", "agreed", ["c"])]


def test_a_revision_the_story_itself_reports_stays():
    [died] = [r for r in reconcile([story("a", "CNN", 0, "The death toll in San Antonio, Texas, rose from 46 to 53 "
                                                         "migrants on Tuesday, officials said.")]) if r.kind == "died"]
    assert died.status == "revised" and died.changes[0].values == [46, 53]


def test_a_story_whose_date_is_unknown_is_not_compared():
    a = story("a", "BBC News", 0, "Fifty-one people drowned off Lampedusa, the coastguard said.", "boat")
    b = story("b", "CNN", 3, "Forty-six people drowned off Lampedusa, the coastguard said.", "boat")
    assert reconcile([a, b])[0].status == "disagree"
    b["date_source"] = "unknown"
    [only] = reconcile([a, b])
    assert only.status == "agreed" and [r.story_id for r in only.reports] == ["a"]


def test_a_disagreement_keeps_its_id_when_an_earlier_report_arrives_later():
    from pipeline.events.findings import findings_of

    a, b, c = one_event(("a", "BBC News", 2, DROWNED_46), ("b", "CNN", 4, DROWNED_53), ("c", "The Guardian", 0, DROWNED_53))
    [first] = findings_of([a, b], DAY)
    [later] = findings_of([a, b, c], DAY + timedelta(days=1))  # c, published first, was polled last
    assert first.values == [46, 53] and later.values == [53, 46]  # the walk now starts from c's 53
    assert first.finding_id == later.finding_id


def test_a_finding_its_stories_no_longer_show_leaves_the_index(store):
    from pipeline.events.findings import findings_of, write_findings

    a, b, c = one_event(("a", "BBC News", 0, DROWNED_46), ("b", "BBC News", 30, DROWNED_53), ("c", "CNN", -1, DROWNED_53))
    [revised] = findings_of([a, b], DAY)
    write_findings(store, {"e1": [revised]})
    later = findings_of([c, a, b], DAY + timedelta(days=2))  # c, the earliest report, was polled last
    assert revised.condition == "revised" and [f.condition for f in later] == ["disagree"]
    write_findings(store, {"e1": later})
    store.drop_findings(["e1"], {f.finding_id for f in later})
    store.refresh("figure-findings")
    assert [f.finding_id for f in store.event_findings("e1")] == [later[0].finding_id]


def test_findings_past_ten_thousand_all_leave_the_index(store):
    """The stale findings were read by one search of 10,000: past that, the rest stayed, counted as current."""
    many = 10_050
    store.write("figure-findings", ((f"f{n:05d}", {"finding_id": f"f{n:05d}", "event_id": "e1", "condition": "revised"})
                                    for n in range(many)), chunk=2000).require("findings")
    assert store.drop_findings(["e1"], {"f00000"}) == many - 1
    store.refresh("figure-findings")
    assert store.count("figure-findings") == 1


def test_one_disagreement_met_twice_in_either_order_is_one_finding_with_all_its_sources():
    """46 against 53 on day one, 53 revised in on day two, 46 again an hour later: two "disagree" entries with one
    id, of which the store kept the last, losing the first two outlets."""
    from pipeline.events.findings import findings_of

    stories = one_event(("a", "BBC News", 0, DROWNED_46), ("b", "CNN", 3, DROWNED_53),
                        ("c", "The Guardian", 30, DROWNED_53), ("d", "Reuters", 31, DROWNED_46))
    found = findings_of(stories, DAY + timedelta(days=2))
    ids = [f.finding_id for f in found]
    assert len(ids) == len(set(ids))
    [disputed] = [f for f in found if f.condition == "disagree"]
    assert {"BBC News", "CNN", "Reuters"} <= set(disputed.outlets)


def test_a_story_giving_the_old_and_the_new_toll_revises_forward_and_agrees_with_the_new():
    """"rose to 53 …, up from 46" was walked in text order: "revised 53 → 46", then "outlets disagree 46 vs 53"
    with the next outlet's 53, and 46 left as the figure in force."""
    stories = one_event(("x", "BBC News", 0, "The death toll in the shipwreck rose to 53 on Thursday, up from 46."),
                        ("y", "CNN", 3, "Fifty-three people died in the shipwreck, officials said."))
    [died] = [r for r in reconcile(stories, key="event_id") if r.kind == "died"]
    assert died.value == 53 and [(c.kind, c.values) for c in died.changes] == [("revised", [46, 53])]


def test_a_range_agrees_with_a_figure_inside_it_and_as_many_as_is_an_upper_estimate():
    stories = one_event(("x", "BBC News", 0, "Police detained 20 to 30 protesters near the border crossing."),
                        ("y", "CNN", 2, "About 25 protesters were detained near the border crossing."))
    [detained] = [r for r in reconcile(stories, key="event_id") if r.kind == "detained"]
    assert detained.changes == [], detained.changes  # no "outlets disagree 30 vs 25"
    more = one_event(("x", "BBC News", 0, "As many as 50 people drowned off Lampedusa, the coastguard said."),
                     ("y", "CNN", 2, "Thirty people drowned off Lampedusa, the coastguard said."))
    [died] = [r for r in reconcile(more, key="event_id") if r.kind == "died"]
    assert died.changes == []  # 30 is within "as many as 50"
