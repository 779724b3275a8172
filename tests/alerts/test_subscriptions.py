"""Which stories a subscription wants: people are matched by the key the index files their names under."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.alerts.subscriptions import Rule, Subscription, matches
from pipeline.store.documents import Story


def story(**fields: object) -> Story:
    now = datetime.now(UTC)
    return Story(story_id="s", title="Roxham Road", url="https://news.example.org/s", feed_id="f", outlet="Outlet",
                 canonical_url="https://news.example.org/s", language="fr", country="CA", published=now,
                 ingested=now, run_id="r", topics=["asylum-border"], **fields)


def test_quoted_and_mentioned_names_match_any_spelling_of_their_key():
    sub = Subscription(name="legault", channels=["json://h.example.org/"],
                       rule=Rule(quoted=["Francois Legault"], mentions=["the United Nations"]))
    for spelling in ("François Legault", "FRANÇOIS LEGAULT", "François-Legault", "Francois Legault"):
        assert matches(sub, story(quoted=[spelling], organizations=["United Nations"])), spelling
    assert not matches(sub, story(quoted=["Justin Trudeau"], organizations=["United Nations"]))
    assert not matches(sub, story(quoted=["François Legault"], organizations=["UNHCR"]))


def test_a_since_without_a_zone_is_utc_and_compares_with_story_times():
    sub = Subscription.model_validate({"name": "desk", "channels": ["json://localhost"], "since": "2026-03-01",
                                       "rule": {"keywords": {"any": ["asylum"]}}})
    assert sub.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert sub.since < datetime(2026, 3, 2, tzinfo=UTC)  # a naive time would raise TypeError here


def test_surge_names_alone_narrow_to_those_series_and_kinds_widen_them():
    from pipeline.alerts.subscriptions import wants_surge

    def sub(watch: dict) -> Subscription:
        return Subscription.model_validate({"name": "desk", "channels": ["json://localhost"], "stories": False,
                                            "surges": watch})

    names_only = sub({"names": ["Rwanda"]})
    assert wants_surge(names_only, "asylum", "place", "Rwanda", 3.0)
    assert not wants_surge(names_only, "asylum", "person", "Boris Johnson", 3.0)
    both = sub({"names": ["Rwanda"], "kinds": ["person"]})
    assert wants_surge(both, "asylum", "person", "Boris Johnson", 3.0)
    assert wants_surge(both, "asylum", "place", "Rwanda", 3.0)
    assert not wants_surge(both, "asylum", "topic", "asylum", 3.0)
    assert wants_surge(sub({}), "asylum", "topic", "asylum", 3.0)  # neither: every series


def test_feedback_from_a_message_is_about_the_topic_the_subscription_asked_for():
    from pipeline.alerts.delivery import feedback_topic

    climate = Subscription.model_validate({"name": "desk", "channels": ["json://localhost"],
                                           "rule": {"topics": ["climate"]}})
    assert feedback_topic(climate, ["asylum-border", "climate"]) == "climate"
    assert feedback_topic(climate, ["asylum-border"]) == "asylum-border"  # matched by keywords alone
    assert feedback_topic(climate, []) == ""


def test_the_kibana_link_of_a_surge_quotes_its_key_for_rison_and_kql():
    from types import SimpleNamespace
    from urllib.parse import unquote

    from pipeline.alerts.surges import surges_link

    link = unquote(surges_link("http://kibana.example:5601", SimpleNamespace(key='person:o\'brien! "x"')))
    assert "query:'key:\"person:o!'brien!! \\\"x\\\"\"'" in link


def test_a_topic_no_rule_defines_is_an_error_naming_the_subscription(tmp_path):
    import pytest

    from pipeline.alerts.subscriptions import load_subscriptions, subscription_problems
    from pipeline.errors import ConfigError

    path = tmp_path / "alerts.yaml"
    path.write_text("subscriptions:\n  - name: desk\n    channels: ['json://127.0.0.1/hook']\n"
                    "    rule: {topics: [asylum-bordr]}\n")
    with pytest.raises(ConfigError, match=r"subscriptions\[desk\].rule.topics: no topic 'asylum-bordr'.*asylum-border"):
        load_subscriptions(path)
    assert len(subscription_problems(path)) == 1


def test_apprise_never_writes_a_refused_token_to_the_log(tmp_path, caplog):
    import logging

    from pipeline.alerts.subscriptions import subscription_problems

    path = tmp_path / "alerts.yaml"
    path.write_text("subscriptions:\n  - name: desk\n    channels: ['slack://T1234ABCD/B5678EFGH/s3cr3tW3bh00kT0k3nXYZ-']\n"
                    "    rule: {topics: [asylum-border]}\n")
    with caplog.at_level(logging.DEBUG):
        problems = subscription_problems(path)
    assert problems and "not a URL Apprise understands" in str(problems[0])
    assert "s3cr3tW3bh00kT0k3nXYZ" not in caplog.text


def test_a_region_for_a_zone_and_an_unquoted_time_are_errors_naming_the_subscription(tmp_path):
    """"timezone: America" raised IsADirectoryError through every alerts task; "at: 18:30" unquoted is read by
    YAML as the number 1110 and was refused as "a valid string"."""
    from pipeline.alerts.subscriptions import load_subscriptions, subscription_problems

    path = tmp_path / "alerts.yaml"
    path.write_text("subscriptions:\n"
                    "  - {name: east, channels: ['json://127.0.0.1/hook'], rule: {}, digest: {timezone: America}}\n"
                    "  - {name: late, channels: ['json://127.0.0.1/hook'], rule: {}, digest: {at: 18:30}}\n"
                    "  - {name: fine, channels: ['json://127.0.0.1/hook'], rule: {}}\n")
    assert [s.name for s in load_subscriptions(path, strict=False)] == ["fine"]  # the others keep theirs
    problems = [str(p) for p in subscription_problems(path)]
    assert any("subscriptions[east].digest.timezone" in p and "unknown time zone 'America'" in p for p in problems)
    assert any("subscriptions[late].digest.at" in p and 'quote the time, like at: "18:30"' in p for p in problems)
