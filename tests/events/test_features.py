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
    stats.add("c", when, ["rwanda", "appeal", "ruling"])  # six words: those seen once go
    assert stats.df == {"rwanda": 3, "flight": 2}
    assert stats.idf("court") == stats.idf("never-seen") > stats.idf("flight")
