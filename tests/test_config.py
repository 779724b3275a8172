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
     "  - {id: a, url: http://y, outlet: Y, language: en, country: CA}\n", "feeds", "used twice"),
    ("feeds: [\n", "line", "not valid YAML"),
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
