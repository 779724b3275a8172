from datetime import UTC, datetime

from pipeline.events.features import TermStats, content_words, entity_key, story_features, story_terms


def test_content_words_fold_case_accents_and_plurals():
    assert content_words("Refugees flee the cities of Kyïv") == ["refugee", "flee", "city", "kyiv"]


def test_title_words_weigh_more():
    terms = story_terms("Deal signed", "The deal was signed today")
    assert terms["deal"] == 3.0


def test_people_go_by_surname_and_places_by_one_name():
    assert entity_key("Priti Patel", "person") == entity_key("Patel", "person")
    assert entity_key("the UK's", "place") == entity_key("Britain", "place") == "united kingdom"


def test_the_outlet_is_not_an_entity_of_its_stories():
    story = story_features({"id": "a", "published": "2023-01-01T00:00:00+00:00", "outlet": "World Wire",
                            "title": "x"}, [("organization", "World Wire"), ("place", "Zorland")])
    assert set(story.entities) == {"zorland"}


def test_term_stats_count_an_item_once():
    stats = TermStats()
    when = datetime(2023, 1, 1, tzinfo=UTC)
    assert stats.add("a", when, ["deal", "deal", "zorland"])
    assert not stats.add("a", when, ["deal"])
    assert stats.docs == 1 and stats.df == {"deal": 1, "zorland": 1}
    assert stats.idf("never-seen") > stats.idf("deal")
    assert TermStats.from_dict(stats.to_dict()) == stats


def test_word_counts_forget_words_seen_once_when_the_vocabulary_outgrows_its_cap(monkeypatch):
    from datetime import UTC, datetime

    import pipeline.events.features as features

    monkeypatch.setattr(features, "MAX_TERMS", 5)
    stats = features.TermStats()
    when = datetime(2023, 5, 1, tzinfo=UTC)
    stats.add("a", when, ["rwanda", "flight", "court"])
    stats.add("b", when, ["rwanda", "flight", "judge"])
    assert len(stats.df) == 4
    stats.add("c", when, ["rwanda", "appeal", "ruling"])  # six words: the rarest go, down to three quarters
    assert stats.df == {"rwanda": 3, "flight": 2, "appeal": 1}
    assert stats.idf("court") == stats.idf("never-seen") > stats.idf("flight")


def test_past_the_cap_new_words_are_still_counted(monkeypatch):
    """Once the words seen twice alone filled the cap, every new word was dropped at its first count, so a new
    name never became common (and the whole table was rebuilt for each story)."""
    import pipeline.events.features as features

    monkeypatch.setattr(features, "MAX_TERMS", 8)
    stats = features.TermStats()
    when = datetime(2023, 5, 1, tzinfo=UTC)
    for item in range(6):  # words in pairs of items, four at a time: eight seen twice fill the cap
        stats.add(f"old{item}", when, [f"w{4 * (item // 2) + k}" for k in range(4)])
    for item in range(4):
        stats.add(f"new{item}", when, ["zorland"])
    assert stats.df.get("zorland") == 4 and len(stats.df) <= 8
