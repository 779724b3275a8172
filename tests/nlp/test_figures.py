"""Figures of people: numbers in digits and words, English and French, with what is counted and the kind,
read from sentences written for these tests by the real spaCy models."""

from __future__ import annotations

import pytest

from pipeline.nlp.analyze import analyze
from pipeline.nlp.numbers import find_amounts


def figures(text: str, lang: str = "en") -> list[dict]:
    [result] = analyze([text], lang)
    return result.figures


@pytest.mark.parametrize(("text", "lang", "value", "qualifier"), [
    ("53", "en", 53, None), ("fifty-three", "en", 53, None), ("more than 1,000", "en", 1000, "more than"),
    ("one and a half million", "en", 1_500_000, None), ("half a million", "en", 500_000, None),
    ("4.5 million", "en", 4_500_000, None), ("1m", "en", 1_000_000, None),
    ("5 millions", "fr", 5_000_000, None), ("plus de 1 000", "fr", 1000, "plus de"),
    ("cinquante-trois", "fr", 53, None), ("quatre-vingt-dix", "fr", 90, None), ("vingt et un", "fr", 21, None),
    ("deux mille", "fr", 2000, None), ("une centaine", "fr", 100, "about"), ("des centaines", "fr", None, "des centaines"),
    ("tens of thousands", "en", None, "tens of thousands"), ("a dozen", "en", 12, None),
    ("half a dozen", "en", 6, None), ("une douzaine", "fr", 12, "about"),
])
def test_number_expressions(text, lang, value, qualifier):
    [amount] = find_amounts(text, lang)
    assert (amount.value, amount.qualifier) == (value, qualifier)


def test_english_counts_with_kind_unit_and_place():
    found = figures("Fifty-three migrants died off Lampedusa on Tuesday, and more than 1,000 people crossed the "
                    "Channel from Calais, officials said.")
    by_value = {f["value"]: f for f in found}
    assert by_value[53]["kind"] == "died" and by_value[53]["unit"] == "migrants"
    assert by_value[53]["place"] == "Lampedusa" and by_value[53]["date"] == "Tuesday"
    assert by_value[1000]["kind"] == "crossed" and by_value[1000]["qualifier"] == "more than"


def test_french_figures_in_words():
    found = figures("Cinquante-trois personnes sont mortes en Méditerranée. Des centaines de migrants ont traversé "
                    "la Manche. Plus de 5 millions de réfugiés ont fui l'Ukraine.", "fr")
    by_text = {f["text"]: f for f in found}
    assert by_text["Cinquante-trois personnes"]["value"] == 53 and by_text["Cinquante-trois personnes"]["kind"] == "died"
    assert by_text["Des centaines de migrants"]["value"] is None
    assert by_text["Des centaines de migrants"]["kind"] == "crossed"
    assert by_text["Plus de 5 millions de réfugiés"]["value"] == 5_000_000
    assert by_text["Plus de 5 millions de réfugiés"]["kind"] == "displaced"
    assert by_text["Plus de 5 millions de réfugiés"]["place"] == "Ukraine"


@pytest.mark.parametrize("text", [
    "Saudi Arabia executed 81 men in one day, the state news agency said.",
    "Two young people were fatally shot overnight in the city's East End, police said.",
])
def test_an_execution_or_a_fatal_shooting_counts_the_dead(text):
    assert [f["kind"] for f in figures(text)] == ["died"]


def test_a_measure_with_its_unit_glued_on_is_not_a_count():
    assert [f["value"] for f in figures("Seven people died after winds of up to 138 mph (222kph) tore through Iowa.")] == [7]


def test_what_befell_the_partner_of_a_count_befell_the_count():
    found = figures("At least 7 British citizens and 3 Americans being held by the Taliban were named on Monday.")
    assert {f["value"]: f["kind"] for f in found}.get(7) == "detained"


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("Ukraine conflict: Half a million flee as fighting continues", 500_000, "displaced"),
    ("Police arrested a man after a stabbing spree that left 11 people wounded.", 11, "other"),
    ("Ukraine war: Two UK aid workers captured by Russia, says charity", 2, "detained"),
])
def test_headline_counts_and_what_people_were_left(text, value, kind):
    assert [(f["value"], f["kind"]) for f in figures(text)] == [(value, kind)]


def test_a_road_number_is_no_count():
    assert figures("A driver appears in court over the A10 crash death of a baby.") == []


def test_numbers_that_are_not_people_are_not_figures():
    found = figures("The fire burned 1,600 acres in 2021 and cost £350 a month; Title 42 expired on day 13, "
                    "when a 12-year-old boy and 30% of voters were counted.")
    assert found == []


def test_a_count_carried_on_keeps_its_unit_and_kind():
    found = figures("The UN says 520,000 refugees have already fled Ukraine, and that number could rise to four "
                    "million in the coming days.")
    assert [(f["value"], f["kind"]) for f in found] == [(520_000, "displaced"), (4_000_000, "displaced")]


@pytest.mark.parametrize(("text", "lang"), [
    ("Plus de 300 demandeurs d'asile sont arrivés lundi. La fin de semaine du 22 et 23 juillet, plus de 450 "
     "personnes ont quitté les États-Unis.", "fr"),  # a day: the French model tags no dates
    ("Plus de 300 demandeurs d'asile sont arrivés lundi. L'agence doit louer un local situé au 339, chemin Guay.",
     "fr"),  # a street number
    ("More than 300 asylum seekers arrived on Monday. They were taken to 1200 Vine Street in Lacolle.", "en"),
])
def test_a_day_or_a_street_number_after_a_count_does_not_carry_it_on(text, lang):
    assert [f["value"] for f in figures(text, lang)] == ([300, 450] if "450" in text else [300])


def test_may_as_a_verb_is_no_month():
    assert [f["value"] for f in figures("As many as 120 may have drowned off Libya.")] == [120]


def test_a_quoted_figure_keeps_its_speaker():
    [result] = analyze(['"At least 200 people have been rescued since Monday," said Filippo Grandi, the UN refugee chief.'],
                       "en")
    [figure] = result.figures
    assert figure["value"] == 200 and figure["kind"] == "rescued" and figure["speaker"] == "Filippo Grandi"


@pytest.mark.parametrize("text", [
    "Two other family members, a woman, 50, and her son, are in hospital.",  # an age between commas
    "The study found women may be at increased risk, especially if they are 35 or older.",
    "Covid-19 and the war have kept tourists away from the town.",  # a number inside a name
])
def test_ages_and_numbers_inside_names_are_not_figures(text):
    assert [f["value"] for f in figures(text) if f["value"] not in (2, None)] == []


def test_a_count_of_the_hurt_beside_a_count_of_the_dead_keeps_its_own_kind():
    found = {f["value"]: f["kind"] for f in figures("At least 8 people were killed and more than 60 hurt in the attacks.")}
    assert found == {8: "died", 60: "other"}


def test_fans_are_people():
    [figure] = figures("A crowd of 94,000 fans is expected at the stadium.")
    assert (figure["value"], figure["unit"]) == (94000, "fans")


@pytest.mark.parametrize("text", [
    "An inquiry into the 2017 murders of aid workers reported on Monday.",  # a year before its noun
    "Police charged 27 people over the disorder. The accused are aged 15 to 44.",  # the upper age of a range
])
def test_years_and_age_ranges_are_not_counts(text):
    assert [f["value"] for f in figures(text) if f["value"] != 27] == []


def test_people_rounded_up_are_detained():
    [figure] = figures("Villagers say 150 people were rounded up by soldiers.")
    assert (figure["value"], figure["kind"]) == (150, "detained")


def test_the_injured_beside_the_dead_and_the_searched_for_are_counted_apart():
    found = {f["value"]: f["kind"] for f in figures("At least 12 people died and 30 others injured in the blast.")}
    assert found == {12: "died", 30: "other"}
    [missing] = figures("Coastguards are searching for 25 people off the coast of Wales.")
    assert missing["kind"] == "missing"


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("Two teenagers were shot and killed outside a cinema on Friday.", 2, "died"),  # the verb joined to the first
    ("Two shopkeepers were attacked as they were locking up for the night.", 2, "other"),  # not locked up
    ("Five former employees claiming the firm broke the law have sued it.", 5, "other"),  # a claim, no asylum
    ("More than 500 people claimed asylum at the border in March.", 500, "applied"),
])
def test_the_kind_comes_from_what_befell_the_people_counted(text, value, kind):
    found = {f["value"]: f["kind"] for f in figures(text)}
    assert found.get(value) == kind, found


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("Four miners were killed and more than 20 were taken to hospital after the blast.", 20, "other"),
    ("The city is locking down over 9 million people for a week.", 9_000_000, "other"),  # not detained
])
def test_the_hurt_and_the_locked_down_are_other_counts(text, value, kind):
    found = {f["value"]: f["kind"] for f in figures(text)}
    assert found.get(value) == kind, found


def test_machines_named_like_trades_are_not_people():
    assert figures("The country will build up to 14 new nuclear reactors and 40 generators.") == []


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("Police are searching for three suspects after the attack.", 3, "other"),  # wanted, not missing
    ("Officers searched 25 passengers at the port.", 25, "other"),  # a search of people, not for them
    ("More than 2000 migrants crossed the Channel on Monday.", 2000, "crossed"),  # a count, not a year
])
def test_searches_and_four_digit_counts(text, value, kind):
    found = {f["value"]: f["kind"] for f in figures(text)}
    assert found.get(value) == kind, found


@pytest.mark.parametrize(("text", "expected"), [
    ("Fleeing persecution forced him to leave his wife, two children and his job back home.", [(2, "other")]),
    ("The fighting forced 5,000 people to leave their homes.", [(5000, "displaced")]),
    ("Some 823 refugee claimants were taken into custody by the RCMP last year.", [(823, "detained")]),
    ("The influx is straining the city's two emergency family shelters.", []),  # shelters are no people
])
def test_who_is_left_behind_who_is_taken_into_custody_and_what_is_no_one(text, expected):
    assert [(f["value"], f["kind"]) for f in figures(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # each object of "left" is what it was left: the homeless are not the dead beside them
    ("The storm left five dead and 300 homeless in the region.", [(5, "died"), (300, "other")]),
    # a capacity counts places, not people: how many a camp was built for is no count of anyone there
    ("The camp, built for 3,000 people, now holds 12,000 refugees.", [(12000, "detained")]),
    ("The shelter, which has capacity for 200 people, was full on Tuesday.", []),
    # the line one calls is no count of the people the sentence is about
    ("After a neighbour called 911, the suspect was captured.", []),
    ("Le centre, d'une capacité de 400 personnes, accueille 650 demandeurs d'asile.", [(650, "applied")]),
])
def test_each_thing_left_and_a_capacity_are_read_as_they_are(text, expected):
    lang = "fr" if " le " in f" {text.lower()} " else "en"
    assert [(f["value"], f["kind"]) for f in figures(text, lang)] == expected


def test_more_people_than_live_on_earth_is_no_figure():
    [result] = analyze(["1000000000000000000000000000000000000000 migrants died at sea, and 46 migrants were rescued."], "en")
    assert [f["value"] for f in result.figures] == [46]


@pytest.mark.parametrize("text, place", [
    ("Italian coast guard officials in Rome said 40 migrants drowned off Lampedusa on Sunday.", "Lampedusa"),
    ("The Red Cross in Geneva reported that 12 people were killed in Kharkiv on Tuesday.", "Kharkiv"),
])
def test_a_count_takes_the_place_its_verb_governs_not_the_nearest(text, place):
    """The check compared spaCy tokens with `is`, which never holds (a new Token per access): the nearest place won."""
    [figure] = figures(text)
    assert figure["place"] == place, figure


@pytest.mark.parametrize("text", [
    "The 9/11 families gathered at the memorial on Monday.",
    "The arena, which can hold 19,800 fans, stood empty on Monday.",
    "The stadium holds 65,000 spectators.",
])
def test_numbers_of_flights_dates_and_room_are_no_counts_of_people(text):
    assert figures(text) == []


def test_a_flight_number_is_no_count_beside_the_count_of_its_dead():
    assert [f["value"] for f in figures("Flight 752 was shot down, killing all 176 people on board.")] == [176]


def test_people_held_by_someone_are_still_detained():
    [figure] = figures("A gunman stormed the synagogue, holding four people at gunpoint for 11 hours.")
    assert (figure["value"], figure["kind"]) == (4, "detained")


@pytest.mark.parametrize("text, value", [
    ("The Manston centre was holding 4,000 people last week.", 4000),
    ("The facility holds 1,200 detainees, officials said.", 1200),
    ("The boat held 400 migrants when it capsized off Lampedusa.", 400),
    ("Police can hold the 12 suspects for 48 hours.", 12),
])
def test_people_a_place_holds_or_held_are_counted_not_taken_for_its_room(text, value):
    """Only a venue's room ("can hold", "holds … fans") is no count: a centre's or a boat's people are news."""
    assert [f["value"] for f in figures(text)] == [value]


@pytest.mark.parametrize("text, values", [
    ("The children, 12 and 14, crossed with their mother.", []),  # their ages
    ("Police detained the men, 23 and 45, on Monday.", []),
    ("A 12-member jury found him guilty on Friday.", []),  # the size of a body
    ("A six-person panel will review the 40 asylum claims.", []),  # was read as "a" (one) and six: seven
    ("Police arrested a 20-member gang of smugglers.", [20]),  # a group of people stays a count
    ("Officials said 40 and 50 migrants arrived on two boats.", [40, 50]),
])
def test_ages_sizes_of_bodies_and_an_article_before_a_number_are_no_counts(text, values):
    assert [f["value"] for f in figures(text)] == values


def test_a_before_a_number_word_is_no_one():
    from pipeline.nlp.numbers import word_value

    assert [word_value(w) for w in ("A six", "a hundred", "a hundred and six", "a thousand", "an eleven")] == \
        [6, 100, 106, 1000, 11]


@pytest.mark.parametrize("text, values", [
    ("The camp can hold 3,000 people but now houses 12,000 refugees.", [12000]),  # its room is no count
    ("Each lifeboat could hold 65 people.", []),
    ("A 2,000-person crowd marched to the border.", [2000]),  # a crowd is people
    ("A 300-strong group of migrants crossed the border on Monday.", [300]),  # the group's people
])
def test_room_is_no_count_whoever_built_it_and_a_crowd_is_people(text, values):
    assert [f["value"] for f in figures(text)] == values


@pytest.mark.parametrize("text, lang, want", [
    ("Two hundred and fifty migrants were rescued off Lampedusa.", "en", [250]),
    ("Vingt-et-un migrants ont été secourus au large de Calais.", "fr", [21]),
    ("Soixante et onze personnes sont mortes en Méditerranée.", "fr", [71]),
    ("Police arrested 15 people aged between 18 and 25 on Friday.", "en", [15]),  # ages, not people
    ("More than 1,000 people over the age of 65 were moved.", "en", [1000]),
    ("The death toll rose by 12 to 53 on Thursday, officials said.", "en", [53]),  # 12 is how much it rose
    ("Police detained 20 to 30 protesters near the border.", "en", [30]),  # one range, "up to" its top
    ("The death toll stands at more than 100, officials said.", "en", [100]),  # "at" a qualified count: no age
    ("The toll rose 12 to 53 on Friday, police said.", "en", [53]),
    ("Between 2018 and 2020, 22 children aged 16 and 17 died in such homes.", "en", [22]),
])
def test_compound_numbers_ranges_ages_and_increases(text, lang, want):
    [result] = analyze([text], lang)
    assert [f["value"] for f in result.figures] == want, result.figures


def test_a_range_is_one_amount_up_to_its_top_and_a_change_is_not_a_range():
    [r] = find_amounts("between 50 and 60 people")
    assert (r.value, r.qualifier) == (60, "up to")
    assert [a.value for a in find_amounts("the toll rose from 46 to 53")] == [46, 53]
    assert [a.value for a in find_amounts("killed 5 and injured 60")] == [5, 60]
    assert [(a.value, a.qualifier) for a in find_amounts("between one hundred and two hundred people")] == [(200, "up to")]
    assert [(a.value, a.qualifier) for a in find_amounts("entre cinq et onze migrants", "fr")] == [(11, "up to")]
    assert [(a.value, a.qualifier) for a in find_amounts("some 200 to 300 migrants")] == [(300, "up to")]
    assert [a.value for a in find_amounts("two hundred and fifty thousand refugees")] == [250000]

