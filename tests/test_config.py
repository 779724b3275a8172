from pathlib import Path

import pytest

from pipeline.config import load_feeds, load_topics
from pipeline.errors import ConfigError
from pipeline.settings import PROJECT_ROOT


def test_shipped_config_loads():
    feeds = load_feeds(PROJECT_ROOT / "config" / "feeds.yaml")
    topics = load_topics(PROJECT_ROOT / "config" / "topics.yaml")
    assert any(f.language == "fr" and f.country == "CA" for f in feeds)
    assert feeds[0].country == "CA"  # Canadian outlets first
    assert {"en", "fr"} <= set(next(t for t in topics if t.name == "asylum-border").languages)


def test_bundled_replay_feeds_load():
    feeds = load_feeds(PROJECT_ROOT / "replay" / "feeds.yaml")
    assert all(f.url.startswith("http://replay.newswatch.invalid/") for f in feeds)


@pytest.mark.parametrize("body, key, problem", [
    ("feeds:\n  - {id: a, url: ftp://x, outlet: X, language: en, country: CA}\n", "feeds.0.url", "http"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: de, country: CA}\n", "feeds.0.language", "'en' or 'fr'"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: CA, colour: red}\n", "feeds.0.colour", "Extra"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: CA}\n"
     "  - {id: a, url: http://y, outlet: Y, language: en, country: CA}\n", "feeds: ", "used twice: feeds.0.id and feeds.1.id"),
    ("feeds: [\n", "line", "not valid YAML"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: CA}\n"
     "  - {id: b, url: http://x, outlet: Y, language: en, country: CA}\n", "feeds: ", "URL 'http://x' is used twice"),
    ("feeds:\n  - {id: a, url: 'https://', outlet: X, language: en, country: CA}\n", "feeds.0.url", "with a host"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: NO}\n", "feeds.0.country", 'quote the country'),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: gb}\n", "feeds.0.country", "in capitals"),
    ("feeds:\n  - {id: a, url: 'http://:80/rss', outlet: X, language: en, country: CA}\n", "feeds.0.url", "with a host"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, language: en, country: CA, poll_interval_minutes: yes}\n",
     "feeds.0.poll_interval_minutes", "reads as true"),
    ("feeds:\n  - {id: a, url: http://x, outlet: X, id: b, language: en, country: CA}\n", "line 2",
     "key 'id' given twice (first on line 2)"),  # one line, a flow mapping: the second id replaced the first
])
def test_bad_feeds_file_names_file_key_and_problem(tmp_path: Path, body: str, key: str, problem: str):
    path = tmp_path / "feeds.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    message = str(err.value)
    assert str(path) in message and key in message and problem in message


def test_exclusion_without_trigger_is_refused(tmp_path: Path):
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  - name: t\n    title: T\n    languages:\n      en:\n        any: [x]\n"
                    "        exclude:\n          - why: nothing\n")
    with pytest.raises(ConfigError, match=r"topics\.0\.languages\.en\.exclude\.0.*phrases"):
        load_topics(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_feeds(tmp_path / "nope.yaml")


FEED = "feeds:\n  - {id: a, url: http://x, outlet: Montréal Matin, language: fr, country: CA}\n"


@pytest.mark.parametrize("data, problem", [
    (FEED.encode("latin-1"), "not UTF-8 text"),
    (FEED.encode("utf-16"), "not UTF-8 text"),
    (FEED.encode("utf-8")[:-3] + b"\xff\xfe\n", "not UTF-8 text"),
    (b"- a\n- b\n", "must be a mapping (key: value), not a list"),
    (b"just words\n", "must be a mapping (key: value), not a string"),
    (b"42\n", "must be a mapping (key: value), not a number"),
])
def test_config_in_a_wrong_encoding_or_shape_names_file_and_problem(tmp_path: Path, data: bytes, problem: str):
    from pipeline.alerts.subscriptions import load_subscriptions

    for name, load in (("feeds.yaml", load_feeds), ("topics.yaml", load_topics),
                       ("alerts.yaml", lambda path: load_subscriptions(path, env={}))):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ConfigError) as err:
            load(path)
        assert str(err.value).startswith(f"{path}: ") and problem in str(err.value), (name, str(err.value))


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path):
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + FEED.encode("utf-8"))
    assert load_feeds(path)[0].outlet == "Montréal Matin"


@pytest.mark.parametrize("body, key, problem", [
    ("subscriptions: [1, 2]\n", "subscriptions[0]", "valid dictionary"),
    ("subscriptions: [{name: a, channels: ['json://localhost'], rule: {}}, desk]\n", "subscriptions[1]",
     "valid dictionary"),
    ("subscriptions: nope\n", "subscriptions", "valid list"),
    ("subscriptions:\n  - {name: a, channels: [x], rule: {}}\n  - {name: b, channels: x, rule: {}}\n",
     "subscriptions[b].channels", "valid list"),
])
def test_subscriptions_of_a_wrong_shape_name_file_and_key(tmp_path: Path, body: str, key: str, problem: str):
    from pipeline.alerts.subscriptions import load_subscriptions

    path = tmp_path / "alerts.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as err:
        load_subscriptions(path, env={})
    assert str(err.value).startswith(f"{path}: {key}: ") and problem in str(err.value), str(err.value)


def test_a_directory_where_a_file_is_expected(tmp_path: Path):
    (tmp_path / "feeds.yaml").mkdir()
    with pytest.raises(ConfigError, match="cannot be read"):
        load_feeds(tmp_path / "feeds.yaml")


TOPIC = "topics:\n  - name: t\n    title: T\n{extra}    languages:\n      en:\n        any: [asylum*, Migrant*]\n{rules}"


@pytest.mark.parametrize("extra, rules, where, problem", [
    ("", "        near: []\n        any: [deport*]\n", "line 8", "key 'any' given twice (first on line 6)"),
    ("    long_text: {words: 50, lead_words: 120}\n", "", "topics.0.long_text", "lead_words (120) must not exceed words (50)"),
    ("", "        exclude:\n          - {why: birds, near: [bird*], drops: [migra*]}\n", "topics.0.languages.en",
     "'migra*' is no term of these rules"),
    ("", "        near: [{terms: [deport*ation], with: [order*]}]\n", "topics.0.languages.en", "`*` may only end a word"),
    ("", "        context: [{terms: [visa*, sponsor*], min: 3}]\n", "context.0", "it can never fire"),
    # one term to the matcher, which folds accents: two to a casefold, and the rule could never fire
    ("", "        context: [{terms: [frontière*, Frontiere*], min: 2}]\n", "context.0", "its 1 different terms"),
    ("", "        all: [['-']]\n", "topics.0.languages.en", "holds no word"),
    ("", "        exclude:\n          - {why: old sense, phrases: [asylum*]}\n", "topics.0.languages.en",
     "is itself a rule term"),
    ("", "  - name: t\n    title: T again\n    languages: {en: {any: [x]}}\n", "topics", "topic name 't' is used twice"),
])
def test_a_topic_rule_that_would_fail_or_never_apply_is_refused(tmp_path: Path, extra, rules, where, problem):
    path = tmp_path / "topics.yaml"
    path.write_text(TOPIC.format(extra=extra, rules=rules))
    with pytest.raises(ConfigError) as err:
        load_topics(path)
    assert str(path) in str(err.value) and where in str(err.value) and problem in str(err.value)


def test_an_exclusions_drops_ignore_case_as_matching_does(tmp_path: Path):
    from pipeline.topics.rules import match_topics

    path = tmp_path / "topics.yaml"
    path.write_text(TOPIC.format(extra="", rules="        exclude:\n          - {why: birds, near: [bird*], drops: [migrant*]}\n"))
    [topic] = load_topics(path)
    assert not match_topics("Migrant birds return to the lake", [topic])
    assert match_topics("Migrant workers return to the farms", [topic])
