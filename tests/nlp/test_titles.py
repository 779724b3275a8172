"""Titles, ranks and honours taken off a person's mention, and the English initial "M." kept."""

from __future__ import annotations

import pytest

from pipeline.nlp.titles import without_titles


@pytest.mark.parametrize("mention, name", [
    ("Judge Anthony Russell QC", "Anthony Russell"),  # honours after the name
    ("Chief Supt O’Sullivan", "O’Sullivan"),  # a rank abbreviated without its full stop (Irish and British style)
    ("Det Insp Mary Hale", "Mary Hale"),
    ("Taoiseach Leo Varadkar", "Leo Varadkar"),
    ("Treasurer Dominic Perrottet", "Dominic Perrottet"),
    ("Deputy Grand Chief Anna Betty Achneepineskum", "Anna Betty Achneepineskum"),
    ("Yellowhead MP", "Yellowhead MP"),  # a seat, not a Mr Yellowhead: never cut down to one word
    ("Minister for Integration Roderic O’Gorman", "Roderic O’Gorman"),  # a portfolio, Irish and British style
    ("Secretary of Homeland Security Alejandro Mayorkas", "Alejandro Mayorkas"),
    ("Petty Officer Sabrina Laberdesque", "Sabrina Laberdesque"),  # ranks of two words (blind set p95)
    ("Flight Lieutenant John Smith", "John Smith"), ("Staff Sergeant Ann Lee", "Ann Lee"),
    ("Petty Cash", "Petty Cash"),  # the first word alone is no rank
])
def test_titles_and_honours_come_off(mention, name):
    assert without_titles(mention) == name


def test_m_is_an_initial_in_english_and_monsieur_in_french():
    assert without_titles("M. Sucharita", "en") == "M. Sucharita"
    assert without_titles("Home Minister M. Sucharita", "en") == "M. Sucharita"
    assert without_titles("M. Legault", "fr") == "Legault"


def test_a_role_holder_the_parse_joined_as_a_conjunct_is_the_speaker():
    """"…, but council cabinet member for transport Manda Rigby said": the parse made the name a conjunct of
    the role, and the whole phrase stood as the speaker's name."""
    from pipeline.nlp.analyze import analyze

    text = ("One opposition councillor said it \"can't be seen as a good use of £13,700\", but council cabinet member "
            "for transport Manda Rigby said pollution levels had dropped.\n\nMinister for Integration Roderic O’Gorman "
            "said protests will not change the plans.\n\nMr O’Gorman said: “No.”")
    [result] = analyze([text], "en")
    speakers = {q.quote[:9]: q.speaker_canonical for q in result.quotes}
    assert speakers["pollution"] == "Manda Rigby"
    assert speakers["protests "] == speakers["“No.”"] == "Roderic O’Gorman"
    assert speakers["it \"can't"] == "One opposition councillor"  # not the role holder of the other clause


def test_a_politician_described_by_party_right_after_speaking_is_that_speaker():
    from pipeline.nlp.analyze import analyze

    text = ("There are too many people seeking protection who are not entitled to it, Minister for Justice Jim "
            "O’Callaghan has said.\n\n“I have to be honest with people,” he told RTÉ radio on Sunday.\n\n"
            "The Fianna Fáil politician said he was not going to shy away from stating the facts.")
    [result] = analyze([text], "en")
    assert [q.speaker_canonical for q in result.quotes] == ["Jim O’Callaghan"] * 3


def test_an_office_holder_named_in_apposition_is_a_person_whatever_the_model_tagged():
    from pipeline.nlp.analyze import analyze

    text = ("South Africa’s home affairs minister, Malusi Gigaba, said on Monday that he would only speak about "
            "the issue next month.")  # the model tags "Malusi Gigaba" an organisation
    [result] = analyze([text], "en")
    assert [q.speaker_canonical for q in result.quotes] == ["Malusi Gigaba"]
    assert ("Malusi Gigaba", "person") in {(e.text, e.label) for e in result.entities}


def test_a_player_described_by_role_right_after_speaking_is_that_player():
    from pipeline.nlp.analyze import analyze

    text = ("England skipper and opener, Alastair Cook, was disappointed.\n\n\"Everyone has to stick his hands up,\" "
            "Cook said.\n\n\"We were bowled out for 191 in the first innings and it was there we lost the game,\" said "
            "the England opener.")
    [result] = analyze([text], "en")
    assert [q.speaker_canonical for q in result.quotes] == ["Alastair Cook", "Alastair Cook"]


@pytest.mark.parametrize("text, speaker", [
    ("A statement from the hospital said the patient was stable.", "the hospital"),
    ("An earlier report attributed to the police said two accused had been arrested.", "the police"),
])
def test_a_document_from_a_body_described_speaks_for_that_body(text, speaker):
    from pipeline.nlp.analyze import analyze

    [result] = analyze([text], "en")
    assert [q.speaker_canonical for q in result.quotes] == [speaker]


@pytest.mark.parametrize("text, first", [
    ("GOP senator says border deal would make matters worse\n\nSen. Roger Marshall came out against the border bill on "
     "Monday.\n\n“They did not give me a bill that secures the border,” Marshall said.", "Roger Marshall"),
    ("Councils may block asylum hotels, says shadow home secretary\n\nChris Philp named three councils on Monday.\n\n"
     "“People are understandably angry,” Mr Philp told BBC Breakfast.", "Chris Philp"),
    ("Stop signs would have helped, a collision expert said on Monday.\n\nRobert Major, the crash victim's father, "
     "said: “We want answers.”", "a collision expert"),  # someone the article keeps unnamed stays so
])
def test_a_role_in_the_headline_is_the_person_the_lead_then_names(text, first):
    from pipeline.nlp.analyze import analyze

    [result] = analyze([text], "en")
    assert result.quotes[0].speaker_canonical == first


@pytest.mark.parametrize("text, quote, speaker", [
    ("“Mark Rowley has let us down,” the victim’s mother told the BBC on Tuesday.\n\nSir Mark Rowley said the force "
     "was “deeply sorry”.", "Mark Rowley has", "the victim’s mother"),  # the man she blames is not her
    ("“We will rebuild,” said Fire Chief Bob Roe.\n\n“We have lost everything,” the owner said.", "We have", "the owner"),
    ("A report obtained by the newspaper says the ministry ignored warnings.", "the ministry", "A report"),  # not its maker
])
def test_a_bystander_or_a_documents_holder_is_not_given_anothers_name(text, quote, speaker):
    from pipeline.nlp.analyze import analyze

    [result] = analyze([text], "en")
    assert next(q for q in result.quotes if quote in q.quote).speaker_canonical == speaker


def test_a_company_in_apposition_to_a_role_stays_a_company():
    from pipeline.nlp.analyze import analyze

    [result] = analyze(["The paper’s owner, News Corp, declined to comment on Monday."], "en")
    assert ("News Corp", "organization") in {(e.text, e.label) for e in result.entities}
