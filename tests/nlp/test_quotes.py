"""The hard cases of quote extraction, pinned with real sentences from the dev articles and the seed.

Each test feeds a short real passage through the English (or French) pipeline and checks what a
reader would: the quote found, its kind, its speaker and the canonical name.
"""

import pytest

from pipeline.nlp.analyze import analyze


def quotes(text: str, lang: str = "en"):
    [result] = analyze([text], lang)
    return result.quotes


def one(text: str, contains: str, lang: str = "en"):
    found = [q for q in quotes(text, lang) if contains in q.quote]
    assert len(found) == 1, [q.quote for q in quotes(text, lang)]
    return found[0]


SEED_TRUDEAU = (
    "Prime Minister Justin Trudeau has been mum on the question of why there has been little discernible "
    "progress on amending the deal.\n\n"
    "“There’s been challenges in getting them to move forward on their northern borders in ways that make sense,” "
    "Trudeau told reporters, adding that the border issue there has been politicized.")


def test_speaker_after_quote_with_told_reporters_resolves_surname():
    q = one(SEED_TRUDEAU, "There’s been challenges")
    assert (q.kind, q.speaker, q.speaker_canonical, q.verb) == ("direct", "Trudeau", "Justin Trudeau", "told")


def test_inverted_attribution_in_an_email_then_floating_quote():
    text = ("A spokesperson for Blair said amending the agreement is a priority.\n\n"
            "“Recently the Minister was in Washington and New York to this end,” said press secretary "
            "Marie-Emmanuelle Cadieux in an email.\n\n"
            "“While we are encouraged by the interest in this issue, we do not comment on internal US government "
            "processes of this nature.”")
    first = one(text, "Recently the Minister")
    assert first.speaker_canonical == "Marie-Emmanuelle Cadieux" and first.verb == "said"
    floating = one(text, "While we are encouraged")
    assert floating.speaker == "" and floating.speaker_canonical == "Marie-Emmanuelle Cadieux"
    spokesperson = one(text, "amending the agreement")
    assert spokesperson.kind == "reported" and spokesperson.speaker_canonical != "Bill Blair"


def test_speaker_before_quote_with_colon():
    text = ("Finance Minister Bill Morneau bears primary responsibility for supervising the Crown corporation. "
            "In a statement, his office said: “In these cases, the political risk insurance was purchased under "
            "the previous government and these policies were honoured.”")
    q = one(text, "political risk insurance")
    assert q.kind == "direct" and q.speaker == "his office" and q.verb == "said"


def test_quote_split_by_attribution_gives_two_pieces_with_one_speaker():
    text = ("As smitten as Cerato, then 33, was with Bardos, she knew she didn't have time to waste on a dead-end "
            "relationship.\n\n\"I'm not an alien,\" she said, \"but I am a mutant.\"")
    first, second = one(text, "not an alien"), one(text, "I am a mutant")
    assert first.kind == second.kind == "direct"
    assert first.speaker == second.speaker == "she" and first.verb == second.verb == "said"


def test_a_curly_quote_closed_by_a_straight_mark_ends_there():
    """Web copy mixes its marks: “…," he said, "…” is two quotes of his, not one with the tag inside."""
    text = ("The inquiry into the fire heard from the union on Monday.\n\n"
            "“When the whole story comes out about how short-staffed the station was,\" he said, \"you will see it "
            "differently.”")
    first, second = one(text, "short-staffed"), one(text, "see it differently")
    assert "he said" not in first.quote and first.kind == "direct" and first.verb == "said"
    assert second.kind == "direct"


def test_a_curly_quote_closed_by_an_opening_mark_ends_there():
    """A keying slip, "…the neighborhood,“ Collins told …": the quote ran to the paragraph's end, tag and all,
    with no speaker. An opening mark after a word that opens the next quote is left alone."""
    text = ("Darline Collins lives a block away.\n\n"
            "“These children have nowhere else to play but this park,“ Collins told reporters on Monday.\n\n"
            "The chief called it “senseless” and “tragic” on Monday.")
    q = one(text, "nowhere else to play")
    assert q.quote.endswith("this park,“") and q.speaker_canonical == "Darline Collins"
    from pipeline.nlp.quotes import find_quote_spans

    assert {text[a:b] for a, b in find_quote_spans(text)} >= {"“senseless”", "“tragic”"}


def test_straight_quotes_nested_in_curly_ones_stay_inside():
    text = "“He told me \"go home,\" and then he left the building,” said Amina Diallo, a nurse at the clinic."
    q = one(text, "go home")
    assert q.quote.endswith("building,”") and q.speaker_canonical == "Amina Diallo"


def test_pronoun_resolves_to_the_main_subject_not_the_last_name_mentioned():
    text = ("Prime Minister Justin Trudeau has been mum on the question, despite Border Security Minister "
            "Bill Blair saying repeatedly he has asked American officials to do so.\n\n"
            "When asked about it on March 21, however, he hinted there may be political challenges to getting "
            "the U.S. to agree to close a loophole in the agreement.")
    q = one(text, "political challenges")
    assert (q.kind, q.speaker, q.speaker_canonical, q.verb) == ("reported", "he", "Justin Trudeau", "hinted")


def test_reported_speech_with_attribution_after_the_clause():
    text = ("Robert Rutledge has studied couples facing cancer.\n\n"
            "The people who stand by their partners when the end seems near tend to be the ones who are worth "
            "the time patients have left, he said.")
    q = one(text, "stand by their partners")
    assert q.kind == "reported" and q.speaker_canonical == "Robert Rutledge"


def test_according_to():
    text = ("According to the Civic Action study, the retail sector in Ontario employed 226,000 youth in 2017.")
    q = one(text, "retail sector")
    assert q.kind == "reported" and q.speaker == "the Civic Action study" and q.verb == "according to"


def test_scare_quotes_are_not_quotes():
    text = ("It comes after Global News reported exclusively that Canadian immigration officials had concerns "
            "that the Safe Third Country Agreement was “no longer working as intended” in light of the influx.")
    assert not [q for q in quotes(text) if q.kind == "direct"]


def test_page_junk_is_never_a_quote_or_speaker():
    text = ("Story continues below advertisement\n\n"
            "WATCH BELOW: Border issue ‘politicized’ in US, challenges moving forward says PM\n\n"
            "“We will keep working on this,” Blair said.")
    from pipeline.ingest.articles import clean_text

    found = quotes(clean_text(text))
    assert [q.speaker for q in found] == ["Blair"]


def test_french_guillemets_and_selon():
    text = ("« Nous allons continuer à travailler avec Québec pour accueillir les demandeurs d'asile », "
            "a déclaré Marc Miller mardi.\n\n"
            "Selon la GRC, plus de 39 000 personnes ont traversé la frontière au chemin Roxham en 2022.")
    direct = one(text, "Nous allons continuer", "fr")
    assert direct.kind == "direct" and direct.speaker_canonical == "Marc Miller" and direct.verb == "déclaré"
    selon = one(text, "39 000 personnes", "fr")
    assert selon.kind == "reported" and selon.speaker == "la GRC"


@pytest.mark.parametrize("text, expected", [
    ("“I was clear when I was mayor – I don’t support Uber at all,” then-Surrey mayoral candidate Doug McCallum "
     "responded at one debate.", "Doug McCallum"),
    ("Rival candidate Bruce Hayne joked in his turn to answer the question, “It was a twinkle in some engineer’s "
     "eye some years ago.”", "Bruce Hayne"),
])
def test_ggt_sentences(text, expected):
    [q] = [q for q in quotes(text) if q.kind == "direct"]
    assert q.speaker_canonical == expected


def test_according_to_a_titled_person_and_the_floating_quote_after_it():
    text = ("The error in the Liberal plan might simply be that they marketed it as a stimulus package in the "
            "first place, according to former Bank of Canada governor David Dodge.\n\n"
            "“My criticism of politicians is they tend to sell this stuff on stimulus grounds,” he said.")
    reported = one(text, "The error in the Liberal plan")
    assert reported.speaker_canonical == "David Dodge" and reported.verb == "according to"
    assert one(text, "My criticism").speaker_canonical == "David Dodge"


def test_quoted_as_saying_and_invisible_characters():
    from pipeline.ingest.articles import clean_text

    text = clean_text("A press release said McCallum expressed serious concern about the debt.\n\n"
                      "“When the books were shown to me, I was deeply dismayed,” he was quoted as saying.\n\n"
                      "Doug McCallum\u200b said the debt load is untenable.")
    assert one(text, "When the books").speaker_canonical == "Doug McCallum"
    assert one(text, "debt load is untenable").speaker == "Doug McCallum"


def test_what_a_person_called_something_is_a_quote():
    text = ("Michelle Rempel, the Conservative immigration critic, called the prime minister “chicken” for "
            "skipping the committee.")
    q = one(text, "chicken")
    assert q.kind == "direct" and q.speaker_canonical == "Michelle Rempel" and q.verb == "called"


def test_french_attribution_inside_the_guillemets(shared_data):
    import json

    from pipeline.ingest.articles import clean_text

    article = json.loads((shared_data / "articles" / "026.json").read_text())
    [result] = analyze([clean_text(article["text"])], "fr")
    q = next(q for q in result.quotes if "phénomène migratoire a complètement changé" in q.quote)
    assert q.kind == "direct" and q.speaker_canonical == "Anick Fournier" and q.verb == "souligne"


def test_a_quoted_show_title_inside_the_attribution_does_not_cut_it_off():
    """A few capitalised words in quotation marks name a show; the quote after them is still the teller's."""
    text = ("Bernice Scott founded the group in 1998.\n\n"
            "Scott told \"Morning Edition\" host Gayle King, \"We have to reckon with the people who vote.\"")
    quote = one(text, "reckon with the people")
    assert quote.speaker_canonical == "Bernice Scott"
    assert [q for q in quotes(text) if "Morning Edition" in q.quote] == []


def test_a_list_of_speakers_is_the_speaker():
    text = ("The senator led in the state all year.\n\n"
            "Retired teachers, campaign organizers and church volunteers said the race is as open as ever.")
    assert one(text, "the race is as open as ever").speaker == "Retired teachers, campaign organizers and church volunteers"


def test_what_was_reported_does_not_report_the_sentence_again():
    """"Others reported supervisors demanding credit": the supervisors' verb is the report's content; it is no
    attribution of the whole sentence to the supervisors."""
    text = ("The survey asked staff about their contracts.\n\n"
            "Others reported supervisors unfairly demanding credit for research they had not done.")
    found = quotes(text)
    assert [(q.speaker, q.quote) for q in found] == [
        ("Others", "supervisors unfairly demanding credit for research they had not done")]


def test_a_party_tag_in_brackets_is_not_the_speaker():
    quote = one("“The door is open for us,” House Minority Leader Nancy Pelosi (D-CA) told reporters.", "door is open")
    assert quote.speaker_canonical == "Nancy Pelosi"


def test_a_quote_with_no_attribution_is_the_person_who_leads_it_in():
    """The sentence right before names the person; whoever spoke last elsewhere does not take it."""
    text = ("“The jury will do its work,” said defence lawyer Abbe Lowell.\n\n"
            "Outside the courthouse, Senator Rob Mendez expressed confidence.\n\n"
            "“I have every expectation that we will be exonerated.”")
    assert one(text, "every expectation").speaker_canonical == "Rob Mendez"
    narration = ("“The jury will do its work,” said defence lawyer Abbe Lowell.\n\n"
                 "The trial began in September.\n\n"
                 "“We are ready for any verdict.”")
    assert one(narration, "ready for any verdict").speaker_canonical == "Abbe Lowell"


def test_a_phrase_in_quotation_marks_inside_the_attribution_does_not_cut_it_off():
    text = ("The merger needs the regulator's approval.\n\n"
            "“It is all about the network,” one source with “direct knowledge” of the talks told the Financial Times.")
    assert one(text, "all about the network").speaker.startswith("one source with")


def test_reported_clause_keeps_words_hung_on_the_verb_and_stops_at_a_second_attribution():
    union = one("Ambulances are supposed to arrive in 8 minutes and 59 seconds but the paramedics union says in "
                "Nova Scotia ambulances are too often missing the mark.", "missing the mark")
    assert (union.quote, union.speaker) == ("in Nova Scotia ambulances are too often missing the mark",
                                            "the paramedics union")
    text = ("EHS says that under nine-minute target is being met in 90 per cent of cases but Chapman says that's "
            "not what the union is seeing.")
    ehs = one(text, "nine-minute")
    assert (ehs.quote, ehs.speaker) == ("under nine-minute target is being met in 90 per cent of cases", "EHS")
    chapman = one(text, "union is seeing")
    assert (chapman.quote, chapman.speaker) == ("that's not what the union is seeing", "Chapman")


def test_rarer_verbs_of_saying_attribute_a_quote():
    text = ("Justice Samuel Alito questioned Solicitor General Elizabeth Prelogar for an hour.\n\n"
            "“No, Justice Alito,” Prelogar said. “I was making another point.”\n\n"
            "“Then why were you talking about corporate America,” he rejoined.\n\n"
            "“That is simply wrong,” Alito retorted.")
    rejoined = one(text, "corporate America")
    assert (rejoined.speaker, rejoined.speaker_canonical, rejoined.verb) == ("he", "Samuel Alito", "rejoined")
    assert one(text, "simply wrong").speaker_canonical == "Samuel Alito"


def test_before_a_quote_the_verb_nearest_to_it_attributes_it_and_a_noun_is_no_verb():
    text = ("Mayor Doug McCallum spoke to reporters on Thursday.\n\n"
            "When told of TransLink’s statement they had never done a study, he said, “I’ve never said there’s a study.”")
    said = one(text, "never said there")
    assert (said.verb, said.speaker_canonical) == ("said", "Doug McCallum")
    text = ("“This is not a political rally,” Judge Arthur Engoron said.\n\n"
            "Lawyer Chris Kise argued to let Trump speak. At one point, Kise called his client’s answers “brilliant.”")
    assert one(text, "brilliant").speaker_canonical == "Chris Kise"


@pytest.mark.parametrize(("text", "quoted", "speaker"), [
    ("Aviation analysts called it the \"end of an era,\" as the industry's symbol of excess was retired.",
     "end of an era", "Aviation analysts"),
    ("The victim's mother testified, describing her daughter as \"brave, strong, and smart\" before the jury.",
     "brave, strong", "The victim's mother"),
    ("Judge Arthur Engoron threatened to remove Trump, telling his lawyer Chris Kise to “control your client.”",
     "control your client", "Judge Arthur Engoron"),
    ("The recent spate of mass strandings has been described as “heartbreaking” by the conservation department.",
     "heartbreaking", "the conservation department"),
    ("The sale of the network, which Senator Paul Greer has fiercely criticised as a broadcaster of “fake news”, "
     "is one of the demands.", "fake news", "Senator Paul Greer"),
    ("Premier Lena Ortiz dismissed the report as “nonsense” on Tuesday.", "nonsense", "Premier Lena Ortiz"),
])
def test_a_phrase_someone_named_or_bade_is_their_quote(text, quoted, speaker):
    q = one(text, quoted)
    assert (q.kind, q.speaker) == ("direct", speaker)


def test_who_in_a_relative_clause_speaks_for_the_name_it_hangs_on():
    text = "Thomas Pearson, who called the experience “the best thing I experienced in my entire life,” took the video."
    q = one(text, "best thing")
    assert (q.speaker, q.speaker_canonical) == ("Thomas Pearson", "Thomas Pearson")


def test_a_title_told_or_a_thing_describing_is_no_quote():
    texts = ["He told reporters about “The Kid Who Would Be King” at the premiere on Friday.",
             "Another strand of the project described it as “Facebook for Palestinians.”",
             "For a century the porters were Black, and they were sometimes referred to as “George’s boys.”",
             "For the better part of the last century, they were also Black, male, and sometimes referred to "
             "condescendingly as “George’s boys” — or, simply, “George.”"]
    for text in texts:
        assert [q.quote for q in quotes(text) if q.kind == "direct"] == []


def test_a_verb_after_all_or_both_is_still_a_verb():
    assert one("“We are united,” they all said after the vote.", "united").verb == "said"


def test_a_straight_mark_closed_by_a_curly_one_ends_there():
    text = 'The union met the minister on Tuesday.\n\n"We will not leave,” Ana Ruiz said, and walked out of the room.'
    [q] = quotes(text)
    assert q.quote.strip('"”') == "We will not leave,"
    assert q.speaker_canonical == "Ana Ruiz"


def test_a_stray_straight_mark_no_paragraph_takes_up_opens_no_quote():
    # the page lost the mark's partner: the paragraph is narration, and what the court said is reported speech
    text = ('"The Supreme Court of Canada on Friday allowed the province to keep the border post closed, but said '
            'travellers must be told of the closure a week ahead.\n\n'
            'The ruling was unanimous. Lawyers for the travellers said they would study it.')
    found = quotes(text)
    assert not any(q.quote.lstrip('"').startswith("The Supreme Court") for q in found)
    told = [q for q in found if "travellers must be told" in q.quote]
    assert [q.speaker_canonical for q in told] == ["the Supreme Court of Canada"]


def test_a_quote_left_open_runs_on_when_the_next_paragraph_takes_it_up():
    text = ('Ana Ruiz described the crossing in detail. "We walked for two nights without water or food.\n\n'
            '"Then the children could not walk any more," she said.')
    found = quotes(text)
    assert any(q.quote.lstrip('"').startswith("We walked for two nights") for q in found)


EXCHANGE = (
    "Justice Mara Quinn pressed the government’s lawyer, Solicitor General Daniel Ostrow, on the rule.\n\n"
    "“That can be true,” Ostrow said, “but the risk of doing nothing is far greater.”\n\n"
    "“But there is some risk,” Quinn interjected. “Do you dispute that?”\n\n"
    "“There can be a very small risk for some people, but the rule protects millions.”\n\n"
    "Quinn cut him off: “No, I am not making that point. Is there any other rule like it?”\n\n"
    "Ostrow: “I can’t think of one that is exactly like this, but the agency acted within its power.”"
)


def test_in_an_exchange_the_answer_to_a_question_is_the_other_partys():
    assert one(EXCHANGE, "very small risk").speaker_canonical == "Daniel Ostrow"


INTERVIEW = (
    "Senator Ray Dunmore spoke to the host, Nadia Kell, on Wednesday morning.\n\n"
    "“Twice as many people voted against the president as for him,” Kell pressed.\n\n"
    "“It depends on what you mean by that,” Dunmore began to reply.\n\n"
    "“On the man,” Kell said.\n\n"
    "“I don’t think it’s ever a matter of personality. Last night the evidence was health care.”"
)


def test_pressing_a_point_is_speaking():
    assert one(INTERVIEW, "Twice as many").speaker_canonical == "Nadia Kell"


def test_after_a_few_words_put_in_by_one_party_the_other_goes_on():
    # the interviewer's three words cut the answer short: the untagged paragraph after them is the answer
    assert one(INTERVIEW, "matter of personality").speaker_canonical == "Ray Dunmore"


def test_a_few_words_from_someone_new_are_not_an_interjection():
    text = ("Residents of the camp met on Sunday.\n\n"
            "“The council refused to meet us,” said Tom Arden, who has lived there for a decade.\n\n"
            "“It is over,” said Mary Selwyn, 54.\n\n"
            "“We have nothing left and nowhere to go.”")
    assert one(text, "nothing left").speaker_canonical == "Mary Selwyn"


def test_according_to_at_the_head_of_a_sentence_gives_its_source_whatever_verb_follows():
    text = "According to the Jordanian government, the country had admitted more than 1.4 million refugees by 2016."
    [q] = quotes(text)
    assert (q.kind, q.speaker, q.verb) == ("reported", "the Jordanian government", "according to")
    trailing = "“We will appeal,” he said, according to the Intelligencer."  # he spoke; the paper reported it
    assert [q.verb for q in quotes(trailing)] == ["said"]


def test_who_said_the_words_speaks_them_though_another_reported_them():
    text = ("Asked about the claim, Maple Telecom chief executive Randall Stiles refuted it and said “I have never "
            "offered to sell the network,” according to CNN’s Brian Stelter and Politico’s Michael Calder.")
    said = one(text, "never offered")
    assert (said.verb, said.speaker_canonical) == ("said", "Randall Stiles")
    reported = "The network was never for sale, according to CNN’s Brian Stelter and Politico’s Michael Calder."
    assert one(reported, "never for sale").speaker_canonical == "Brian Stelter and Michael Calder"


def test_a_speaker_label_or_a_lead_in_with_a_colon_names_who_speaks():
    assert one(EXCHANGE, "not making that point").speaker_canonical == "Mara Quinn"
    assert one(EXCHANGE, "think of one").speaker_canonical == "Daniel Ostrow"


def test_a_speech_that_asks_and_answers_itself_stays_with_its_speaker():
    text = ("Mayor Lena Ortiz spoke for an hour at the shelter on Monday.\n\n"
            "“What are we fighting for?” she asked.\n\n"
            "“We are fighting for the families who sleep here tonight.”")
    assert one(text, "families who sleep here").speaker_canonical == "Lena Ortiz"


def test_a_name_after_a_list_of_titles_between_the_quote_and_its_verb_speaks():
    # the parser hangs "chairman, CEO and president …" on the quote as a list and leaves "said" without a subject
    text = ("“Our results reflected broad-based growth across our business, yet sales were below our "
            "expectations,\" chairman, CEO and president Craig Menear said in the earnings release.")
    assert one(text, "broad-based growth").speaker_canonical == "Craig Menear"


def test_an_aside_in_brackets_after_a_quote_is_not_its_tag():
    text = ("“The authors are promoting a very dangerous gambit,” Mann writes. “This desperate action rests on a "
            "fallacy about how much warmer the planet will get.” (Current models say the warming will be smaller.)")
    assert one(text, "desperate action").speaker_canonical == "Mann"


def test_a_name_the_parse_gives_a_participle_after_the_quote_speaks():
    # "mentioned" is read as "Kowalski, (who was) mentioned in …": still the quote's tag
    text = ("“The fund had the largest loss in its history as a result of the turmoil in the Gulf and East Africa,” "
            "Marta Kowalski, the fund’s then-chief risk officer, mentioned in a 2014 commentary.")
    assert one(text, "largest loss").speaker_canonical == "Marta Kowalski"


def test_a_participle_of_saying_inside_a_reported_clause_goes_on_with_its_speaker():
    text = ("Mayor Lena Ortiz has said the city will keep its promise to fund ten shelters, insisting her council "
            "won't cut another bed.")
    insisted = [q for q in quotes(text) if q.verb == "insisting"]
    assert [q.speaker_canonical for q in insisted] == ["Lena Ortiz"]


def test_a_that_clause_the_parse_hangs_on_the_statement_is_what_was_said():
    text = ("Keeper of the Ruler's Seal, Syed Danial Syed Ahmad, said the Council of Rulers held a meeting Monday. "
            "He said in a statement that the new king would be sworn in on Jan. 31.\n\n"
            "He said in a statement that was released Monday that he would stay.")
    q = one(text, "new king")
    assert (q.quote, q.kind, q.speaker_canonical) == (
        "the new king would be sworn in on Jan. 31", "reported", "Syed Danial Syed Ahmad")
    assert not [x for x in quotes(text) if "released Monday" in x.quote]  # a relative clause says nothing


def test_according_to_stops_where_a_second_speaker_takes_over():
    text = ("Terry Chapman with the union spoke on Monday.\n\n"
            "According to EHS, that under nine-minute target is being met in 90 per cent of cases but Chapman says "
            "that’s not what the union is seeing.")
    ehs = one(text, "nine-minute target")
    assert (ehs.quote, ehs.speaker_canonical) == ("under nine-minute target is being met in 90 per cent of cases", "EHS")
    assert one(text, "not what the union").speaker_canonical == "Terry Chapman"


def test_as_reported_by_credits_the_sentence_to_its_agent():
    text = ("As reported by the Guardian, the minister resigned on Monday after the vote.\n\n"
            "The law, as amended by the Senate, will take effect in May.")
    q = one(text, "minister resigned")
    assert (q.quote, q.speaker, q.kind) == ("the minister resigned on Monday after the vote", "the Guardian", "reported")
    assert not [x for x in quotes(text) if "take effect" in x.quote]  # amending is no report


def test_according_to_after_its_verb_stops_before_the_next_clause_and_its_subject():
    text = ("Car production fell 9.1 per cent last year, according to figures released on Wednesday by the Society "
            "of Motor Manufacturers and Traders.\n\n"
            "The number of cars produced for the domestic market fell 16.3 per cent last year according to the SMMT "
            "and sales have fallen by nearly 15 per cent since 2016 when British buyers bought a record 2.7 million "
            "cars.")
    q = one(text, "domestic market")
    assert (q.quote, q.speaker, q.speaker_canonical) == (
        "The number of cars produced for the domestic market fell 16.3 per cent last year", "the SMMT",
        "the Society of Motor Manufacturers and Traders")  # not "the SMMT and sales": sales have fallen
    assert one(text, "9.1 per cent").speaker_canonical == "the Society of Motor Manufacturers and Traders"


def test_a_verb_of_saying_the_parse_hangs_below_the_clause_after_its_comma_reports_that_clause():
    text = ("CBP officials on the tour said back in December, the facility was packed with people.\n\n"
            "McCallum didn’t respond to interview requests through city staff, so CTV News caught up with him.")
    q = one(text, "packed")
    assert (q.quote, q.speaker) == ("the facility was packed with people", "CBP officials on the tour")
    assert not [x for x in quotes(text) if "caught up" in x.quote]  # a verb denied reports nothing


def test_as_someone_noted_credits_the_sentence_to_them_unless_the_clause_says_something_of_its_own():
    text = ("As another former Google Reader engineer Kevin Fox previously noted, Google could have made it so that "
            "sharing was pushed through the API.\n\n"
            "As he said he would, the minister resigned on Monday.")
    q = one(text, "sharing was pushed")
    assert (q.speaker, q.speaker_canonical) == ("another former Google Reader engineer Kevin Fox", "Kevin Fox")
    assert not [x for x in quotes(text) if "resigned" in x.quote]


def test_an_inverted_report_after_a_misread_clause_still_reports_it():
    q = one("The Chinese model of the phone differentiates itself in terms of design, reports Unwired View.", "design")
    assert (q.quote, q.speaker) == ("The Chinese model of the phone differentiates itself in terms of design",
                                    "Unwired View")


def test_a_short_clause_with_its_own_subject_is_reported_but_a_comparison_is_not():
    text = ("Gorka left his position at the White House in August. He claimed to the Associated Press that he "
            "resigned.\n\n"
            "A claim the costs are lower than TransLink says they are could make the promise more attractive.")
    assert one(text, "he resigned").quote == "he resigned"
    assert not [x for x in quotes(text) if x.quote == "they are"]  # "lower than X says": no report


def test_single_curly_marks_quote_a_phrase_and_apostrophes_quote_nothing():
    from pipeline.nlp.quotes import find_quote_spans

    text = "Agari’s chief executive calls it the ‘wild west of email.’ The Smiths’ shop plays rock ‘n’ roll, don’t it."
    assert [text[a:b] for a, b in find_quote_spans(text)] == ["‘wild west of email.’"]
    mixed = "Quinn calls them ‘dynamic representations of the business.” Then she left."
    assert [mixed[a:b] for a, b in find_quote_spans(mixed)] == ["‘dynamic representations of the business.”"]


def test_a_quote_ending_its_sentence_takes_the_verb_before_it_not_the_next_sentences():
    text = ("Merchants can add more information, which Square’s Megan Quinn calls “dynamic representations of the "
            "business.” While previously you could see the names, Square has added menus.")
    assert one(text, "dynamic representations").speaker_canonical == "Megan Quinn"


def test_what_a_cause_led_someone_to_announce_is_theirs_and_what_they_were_asked_to_confirm_is_not():
    text = ("But its cutback on orders of the jumbo jet early this year led the French manufacturer to announce it "
            "would scrap its production.")
    assert one(text, "scrap its production").speaker == "the French manufacturer"
    text = "Wallace ended by asking Trump to confirm that he did not believe his statements inflated his net worth."
    assert one(text, "inflated his net worth").speaker_canonical != "Trump"  # a request: the asker's words


def test_a_second_speaker_set_against_the_first_ends_the_first_ones_report():
    found = quotes("Diane Abbott, the shadow home secretary, said the plan was cruel for the Home Office, while "
                   "Labour MP David Lammy said it was wrong to treat innocent people like criminals.")
    assert [(q.speaker_canonical, q.quote) for q in found] == [
        ("Diane Abbott", "the plan was cruel for the Home Office"),
        ("David Lammy", "it was wrong to treat innocent people like criminals")]


def test_an_attribution_set_off_by_commas_inside_the_sentence_reports_what_follows():
    found = one("The coast guard said on Monday it had sent two boats.\n\n"
                "Since Friday, the Italian authorities said, they had rescued about 2,000 people from boats in distress.",
                "2,000")
    assert (found.speaker, found.quote) == ("the Italian authorities", "Since Friday, the Italian authorities said, "
                                           "they had rescued about 2,000 people from boats in distress")
    found = one("Many of the prisons, she said, are aging and need to be repaired.", "aging")
    assert found.quote == "Many of the prisons, she said, are aging and need to be repaired"


def test_a_cry_after_a_quote_is_speech_even_when_the_parse_makes_it_describe_its_speaker():
    found = one("Migrants pleaded with the guardsmen.\n\n"
                "“Please, let us through,” a woman in the river clamored in Spanish.", "let us through")
    assert found.speaker == "a woman in the river"


def test_a_french_verb_reports_the_clause_its_que_opens_even_when_the_parse_hangs_it_elsewhere():
    found = one("L’ONG a déclaré jeudi à l’AFP que c’était la première fois qu’elle sollicitait une aide directe "
                "des trois pays.", "première fois", "fr")
    assert found.quote.startswith("c’était la première fois")
    # a "que" after a comparison or a time clause is no report
    assert not quotes("Il est parti avant que la police arrive sur les lieux de l’accident.", "fr")


def test_a_french_subject_the_parse_hangs_on_an_adverb_still_speaks():
    found = one("Martin Coiteux a en outre affirmé que le Bureau des enquêtes indépendantes n’interviendra pas dans "
                "ce dossier.", "Bureau", "fr")
    assert found.speaker == "Martin Coiteux"


def test_how_someone_responded_is_no_report_of_what_they_said():
    from pipeline.nlp.analyze import analyze

    [result] = analyze(["Chief Dana Smith has promised to disclose how the city police service responded to the "
                        "whistleblowers after the investigation ends."], "en")
    assert not [q for q in result.quotes if "police service" in q.speaker], [(q.speaker, q.quote) for q in result.quotes]


def test_a_typographic_apostrophe_in_a_negation_keeps_the_reported_clause_and_its_characters():
    text = ("Police chief Danny Smyth spoke to reporters on Monday.\n\n"
            "Smyth said the incident didn’t warrant criminal charges.")
    [result] = analyze([text], "en")
    [quote] = [q for q in result.quotes if "warrant" in q.quote]
    assert quote.quote == "the incident didn’t warrant criminal charges"  # as the article writes it
    assert quote.speaker_canonical == "Danny Smyth"


@pytest.mark.parametrize("verb", ["underlined", "affirmed", "clarified", "elaborated", "reckoned"])
def test_more_verbs_of_saying_report_a_clause(verb):
    quote = one(f"Mayor Greg Williamson {verb} that the group would advocate on roads and energy costs.", "advocate")
    assert (quote.speaker_canonical, quote.verb) == ("Greg Williamson", verb)


@pytest.mark.parametrize("text, said", [
    ("OTTAWA — The federal government will spend $2 billion on housing, officials said Tuesday.",
     "The federal government will spend $2 billion on housing"),
    ("KYIV, Ukraine (AP) — Russian drones struck the capital overnight, officials said.",
     "Russian drones struck the capital overnight"),
])
def test_a_dateline_is_no_part_of_what_was_said(text, said):
    [quote] = quotes(text)
    assert quote.quote == said


@pytest.mark.parametrize("text, said", [
    ("Prime Minister Justin Trudeau said he would resign.", "he would resign"),
    ("President Joe Biden said he was withdrawing.", "he was withdrawing"),
])
def test_a_short_report_with_a_helper_verb_is_a_report(text, said):
    """Three words with a finite helper ("would resign") were dropped as too short: only a finite main verb counted."""
    assert [q.quote for q in quotes(text)] == [said]


def test_a_speech_verb_doing_a_thing_inside_what_was_said_attributes_nothing():
    # "declared a state of emergency" is no speech: it made "officials said" (or the sentence around it) a quote
    found = quotes("Italy had declared a state of emergency in Sicily, officials said.\n\n"
                   "Dr Muscat said, however, that it was worrying that Italy had declared a state of emergency in Sicily.")
    assert sorted((q.speaker, q.quote.split()[0]) for q in found) == [("Dr Muscat", "it"), ("officials", "Italy")]
    assert quotes("Chapman admits in this instance, there were fatalities.")[0].quote == "there were fatalities"
