"""One settings object read from NEWSWATCH_* variables; a bad value names its variable."""

from datetime import timedelta

import pytest

from pipeline.errors import ConfigError, SettingsError
from pipeline.settings import Settings


def test_nested_variables_reach_their_group(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_FETCH__READ_TIMEOUT", "42.5")
    monkeypatch.setenv("NEWSWATCH_ALERTS__BACKOFF", "PT2M")
    monkeypatch.setenv("NEWSWATCH_POLL__SHARD_SIZE", "50")
    monkeypatch.setenv("NEWSWATCH_OPERATOR_SUBSCRIPTION", "")
    settings = Settings.from_env()
    assert settings.fetch.read_timeout == 42.5
    assert settings.alerts.backoff == timedelta(minutes=2)
    assert settings.poll.shard_size == 50
    assert settings.operator_subscription is None  # blank means unset


def test_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSWATCH_STATE_DIR", str(tmp_path))  # no local node recorded there
    monkeypatch.setenv("NEWSWATCH_ES_URL", "http://from-env:9200")
    assert Settings.from_env().es_url == "http://from-env:9200" and Settings.from_env().es_url_set
    assert Settings.from_env(es_url="http://given:9200").es_url == "http://given:9200"
    monkeypatch.delenv("NEWSWATCH_ES_URL")
    assert not Settings.from_env().es_url_set


def test_a_link_base_that_is_not_a_url_stops_nothing_but_the_command_that_needs_it(monkeypatch):
    """A wrong Kibana or feedback address breaks links; failing every task's settings stopped polling too."""
    monkeypatch.setenv("NEWSWATCH_KIBANA_URL", "kibana:5601")
    monkeypatch.setenv("NEWSWATCH_FEEDBACK__BASE_URL", "/newswatch/feedback")
    assert Settings.from_env().kibana_url == "kibana:5601"


@pytest.mark.parametrize("variable, value, problem", [
    ("NEWSWATCH_FETCH__READ_TIMEOUT", "soon", "valid number"),
    ("NEWSWATCH_SOURCE", "sometimes", "'live', 'replay' or 'auto'"),
    ("NEWSWATCH_POLL__SHARD_SIZE", "0", "greater than or equal to 1"),
    ("NEWSWATCH_FETCH__READ_TIMOUT", "3", "did you mean NEWSWATCH_FETCH__READ_TIMEOUT?"),
    ("NEWSWATCH_FETCH__SOMETHING_ELSE", "3", "Extra inputs are not permitted"),
    ("NEWSWATCH_ES_REPLICAS", "1", "did you mean NEWSWATCH_ES__REPLICAS?"),  # one underscore: silently ignored
    ("NEWSWATCH_INDEX_PREFX", "nw2", "did you mean NEWSWATCH_INDEX_PREFIX?"),
    ("NEWSWATCH_RETENTON__FEED_HEALTH_DAYS", "7", "did you mean NEWSWATCH_RETENTION__FEED_HEALTH_DAYS?"),
    ("NEWSWATCH_INDEX_PREFIX", "Has Spaces", "should match pattern"),
    ("NEWSWATCH_ES__SHARDS_BY_INDEX", "stories:2", "not valid JSON"),  # once named only "NEWSWATCH_"
    ("NEWSWATCH_ES_URL", "localhost:9200", "'localhost:9200' is not an http(s)://host[:port] URL"),  # a traceback
    ("NEWSWATCH_ES_URL", "ftp://x:1", "is not an http(s)://host[:port] URL"),  # reported as a cluster down
    ("NEWSWATCH_ES_URL", "http://es1:9200,es2:9200", "'es2:9200' is not"),  # each node of a cluster
    ("NEWSWATCH_ES_URL", "http://es1:92OO", "is not an http(s)://host[:port] URL"),
    ("NEWSWATCH_ALERTS__MAX_AGE", "-PT1H", "must be a duration longer than zero, not -3600 seconds"),
    ("NEWSWATCH_ALERTS__BACKOFF", "-PT5M", "longer than zero"),
    ("NEWSWATCH_ALERTS__CLAIM_TIMEOUT", "0", "longer than zero"),
    ("NEWSWATCH_HEALTH__SILENT_MINIMUM", "00:00:00", "longer than zero"),
    ("NEWSWATCH_ES__SHARDS_BY_INDEX", '{"storys": 2}', "unknown index storys (one of stories, quotes,"),  # never applied
    ("NEWSWATCH_ES__REPLICAS_BY_INDEX", '{"stories": 1, "quote": 1}', "unknown index quote "),
])
def test_a_bad_value_names_the_variable(monkeypatch, variable, value, problem):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as err:
        Settings.from_env()
    assert str(err.value).startswith(f"{variable}: ") and problem in str(err.value)
    assert isinstance(err.value, ConfigError)


def test_a_bad_count_for_one_index_names_the_variable_and_the_index(monkeypatch):
    """Elasticsearch refused the template ("number_of_shards must be >= 1"): every task stopped, exit 4, and
    the message named no variable."""
    for variable, value, problem in (("NEWSWATCH_ES__SHARDS_BY_INDEX", '{"stories": 0}', "STORIES: Input should be "
                                      "greater than or equal to 1"),
                                     ("NEWSWATCH_ES__REPLICAS_BY_INDEX", '{"quotes": -1}', "QUOTES: Input should be "
                                      "greater than or equal to 0")):
        monkeypatch.setenv(variable, value)
        with pytest.raises(SettingsError, match=f"^{variable}__{problem}"):
            Settings.from_env()
        monkeypatch.delenv(variable)


def test_every_variable_is_listed_with_its_default():
    variables = Settings.variables()
    assert variables["NEWSWATCH_FETCH__PER_HOST_CONCURRENCY"] == "2"
    assert variables["NEWSWATCH_INDEX_PREFIX"] == "newswatch"
    assert "NEWSWATCH_ALERTS__MAX_ATTEMPTS" in variables and "NEWSWATCH_HEALTH__SLOW_SECONDS" in variables


def test_a_scheduled_run_never_guesses_the_replay(monkeypatch):
    from pipeline.ingest.sources import production_source

    monkeypatch.setenv("NEWSWATCH_FEEDS_FILE", "/nonexistent/feeds.yaml")  # auto would fall back to the replay
    for source, expected in (("auto", "live"), ("live", "live"), ("replay", "replay")):
        monkeypatch.setenv("NEWSWATCH_SOURCE", source)
        assert production_source(Settings.from_env()) == expected


def test_the_local_node_reads_the_names_newswatch_settings_lists(monkeypatch, tmp_path):
    from pipeline.settings import local_environment

    monkeypatch.delenv("NEWSWATCH_CACHE", raising=False)
    monkeypatch.setenv("NEWSWATCH_LOCAL__CACHE_DIR", str(tmp_path))  # what the node's error message names
    assert local_environment().cache_dir == tmp_path
    assert "NEWSWATCH_LOCAL__CACHE_DIR" in Settings.names()


def test_every_listed_default_reads_back_as_itself(monkeypatch):
    """What `newswatch settings` prints, copied into a .env, must mean the defaults: a tuple's repr once read as
    patterns with quote marks in them (no channel variable expanded) and "None" as a feedback secret."""
    defaults = Settings()
    for name, value in Settings.variables().items():
        monkeypatch.setenv(name, value)
    read = Settings.from_env()
    assert read.alerts.channel_variables == defaults.alerts.channel_variables
    assert read.fetch.allow == defaults.fetch.allow and read.fetch.rewrite == defaults.fetch.rewrite
    assert read.feedback.secret is None and read.es.shards_by_index == defaults.es.shards_by_index


@pytest.mark.parametrize("secret", ["", "None", "short"])
def test_a_blank_or_weak_feedback_secret_never_signs_links(monkeypatch, secret):
    from pipeline.errors import SettingsError

    monkeypatch.setenv("NEWSWATCH_FEEDBACK__SECRET", secret)
    if secret == "":
        assert Settings.from_env().feedback.secret is None  # not set: messages carry no links
        return
    with pytest.raises(SettingsError, match="NEWSWATCH_FEEDBACK__SECRET.*at least 16 characters"):
        Settings.from_env()


def test_durations_may_be_written_in_seconds_and_an_optional_one_as_none(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_ALERTS__BACKOFF", "90")
    monkeypatch.setenv("NEWSWATCH_ALERTS__MAX_AGE", "none")
    monkeypatch.setenv("NEWSWATCH_HEALTH__SILENT_MINIMUM", "PT2H")
    settings = Settings.from_env()
    assert settings.alerts.backoff == timedelta(seconds=90) and settings.alerts.max_age is None
    assert settings.health.silent_minimum == timedelta(hours=2)


def test_a_duration_too_long_for_any_clock_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_ALERTS__BACKOFF", "600000000000000")  # a typo: a raw OverflowError traceback
    with pytest.raises(SettingsError, match="NEWSWATCH_ALERTS__BACKOFF.*longer than any duration"):
        Settings.from_env()


def test_a_cluster_of_nodes_and_known_index_kinds_are_accepted(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_ES_URL", "http://es1:9200, https://user:pw@es2:9243/prefix,")
    monkeypatch.setenv("NEWSWATCH_ES__SHARDS_BY_INDEX", '{"stories": 2, "figure-findings": 1}')
    settings = Settings.from_env()
    assert settings.es.shards_of("stories") == 2 and settings.es_url.startswith("http://es1:9200")


def test_an_option_that_is_not_a_url_names_the_option():
    with pytest.raises(SettingsError, match=r"^--es-url: .*'localhost:9200' is not an http"):
        Settings.from_env(es_url="localhost:9200")


def test_the_values_in_force_are_written_as_the_defaults_are():
    """`newswatch settings` compares the two as text: a tuple's repr never equalled its comma-joined default."""
    written = Settings().written()
    assert written == Settings.variables()
    assert Settings().replace(fetch=Settings().fetch.model_copy(update={"allow": ("a", "b")})).written()[
        "NEWSWATCH_FETCH__ALLOW"] == "a,b"


def test_the_index_kinds_settings_accept_are_the_stores():
    from pipeline.settings import INDEX_KINDS
    from pipeline.store.documents import INDEXED

    assert INDEX_KINDS == tuple(INDEXED)
