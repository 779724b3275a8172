"""Subscriptions from `config/alerts.yaml`: who wants which stories, where, and how often.

A subscription's rule combines criteria with AND (each list is an OR): topics, keywords in the topic
rule language (`any`, `near`, `context`, `all`, `exclude`), people quoted, entities mentioned,
outlets and languages. Channels are Apprise URLs; `${VARS}` in them come from the environment, so
secrets never sit in the YAML.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from pipeline.config import LanguageRules, SafeLoader
from pipeline.documents import Story
from pipeline.errors import ConfigError
from pipeline.settings import Settings, environment
from pipeline.topics import Tokens, match_rules

log = logging.getLogger(__name__)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")  # ${NAME} or ${NAME:-default}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    topics: list[str] = []
    keywords: LanguageRules | None = None  # the topic rule language: any, near, context, all, exclude
    quoted: list[str] = []  # canonical names of people quoted in the story
    mentions: list[str] = []  # canonical names of people, organisations or places in the story
    outlets: list[str] = []
    languages: list[Literal["en", "fr"]] = []


class Digest(_Strict):
    every: Literal["hourly", "daily"] = "daily"
    at: str = "08:00"  # for daily digests, local time in `timezone`
    timezone: str = "UTC"

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be a 24-hour time like 08:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/Toronto)") from None
        return value

    def period_start(self, now: datetime) -> datetime:
        """The start of the period `now` falls in; a digest covers the period before it."""
        local = now.astimezone(ZoneInfo(self.timezone))
        if self.every == "hourly":
            return local.replace(minute=0, second=0, microsecond=0)
        hour, minute = map(int, self.at.split(":"))
        boundary = datetime.combine(local.date(), time(hour, minute), tzinfo=local.tzinfo)
        return boundary if local >= boundary else boundary - timedelta(days=1)


class Subscription(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    channels: list[str] = Field(min_length=1)
    mode: Literal["immediate", "digest"] = "immediate"
    digest: Digest | None = None
    rule: Rule
    # alerts only for stories first seen after this (default: when Newswatch first saw the subscription),
    # so a new subscription does not bring every older matching story at once
    since: datetime | None = None
    _urls: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _digest_schedule(self) -> Subscription:
        if self.mode == "digest" and self.digest is None:
            object.__setattr__(self, "digest", Digest())
        return self

    def fill(self, env: Mapping[str, str]) -> list[str]:
        """The variables a channel needs and `env` lacks; the filled-in URLs are kept for `channel_urls`."""
        missing = [name for url in self.channels for name, default in _VAR.findall(url)
                   if name not in env and not default]
        self._urls = [_VAR.sub(lambda m: env.get(m.group(1), m.group(2) or ""), url) for url in self.channels]
        return missing

    def channel_urls(self) -> list[str]:
        """Channels with `${VARS}` filled in (from the environment, when the file was loaded)."""
        return self._urls or [_VAR.sub(lambda m: m.group(2) or "", url) for url in self.channels]


class AlertsFile(_Strict):
    subscriptions: list[Subscription] = []


def _channel_problems(path: Path, sub: Subscription, env: Mapping[str, str]) -> list[ConfigError]:
    import apprise

    sub.fill(env)
    problems = []
    for number, url in enumerate(sub.channels):
        missing = [name for name, default in _VAR.findall(url) if name not in env and not default]
        where = f"subscriptions[{sub.name}].channels.{number}"
        if missing:
            problems.append(ConfigError(str(path), where, f"environment variable {', '.join(missing)} is not set"))
        elif apprise.Apprise.instantiate(sub.channel_urls()[number]) is None:
            problems.append(ConfigError(str(path), where, "not a URL Apprise understands (see its list of services)"))
    return problems


def load_subscriptions(path: Path, env: Mapping[str, str] | None = None, strict: bool = True) -> list[Subscription]:
    """Subscriptions, checked: unique names, valid schedules, channels Apprise can use.

    `${VARS}` in channels come from `env` (default: the process environment, through `pipeline.settings`).
    Strict, any problem raises; otherwise a subscription with an unusable channel is left out (and
    logged), so one unset secret never stops the alerts of the others: see `subscription_problems`.
    """
    subs, problems = _load(path, env)
    if strict and problems:
        raise problems[0]
    for problem in problems:
        log.error("alerts for this subscription are off until fixed: %s", problem)
    broken = {p.key.split("]")[0].removeprefix("subscriptions[") for p in problems}
    return [s for s in subs if s.name not in broken]


def subscription_problems(path: Path, env: Mapping[str, str] | None = None) -> list[ConfigError]:
    """What is wrong with each subscription's channels (empty when all can be used)."""
    return _load(path, env)[1]


def _load(path: Path, env: Mapping[str, str] | None) -> tuple[list[Subscription], list[ConfigError]]:
    if not path.exists():
        return [], []
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "(file)", f"not valid YAML: {exc}") from None
    try:
        subs = AlertsFile.model_validate(raw).subscriptions
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if len(loc) >= 2 and loc[0] == "subscriptions" and isinstance(loc[1], int):
            name = (raw.get("subscriptions") or [{}])[loc[1]].get("name", loc[1])
            loc[1] = f"[{name}]"
        where = ".".join(str(p) for p in loc).replace(".[", "[")
        raise ConfigError(str(path), where, first["msg"]) from None
    names = [s.name for s in subs]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(str(path), f"subscriptions[{name}]", "the name is used twice")
    env = environment() if env is None else env
    return subs, [problem for sub in subs for problem in _channel_problems(path, sub, env)]


def story_tokens(story: Story) -> Tokens:
    return Tokens.of(f"{story.title}\n{story.text}")


def configured_subscriptions(settings: Settings, strict: bool = False) -> list[Subscription]:
    """The usable subscriptions of `settings.config_dir/alerts.yaml` (none when the file is absent)."""
    return load_subscriptions(settings.config_dir / "alerts.yaml", strict=strict)


def matches(sub: Subscription, story: Story, tokens: Tokens | None = None) -> bool:
    """Whether a stored story is wanted; pass `tokens` to tokenise a story once for all subscriptions."""
    rule = sub.rule
    if rule.topics and not set(rule.topics) & set(story.topics):
        return False
    if rule.outlets and story.outlet not in rule.outlets:
        return False
    if rule.languages and story.language not in rule.languages:
        return False
    if rule.quoted and not set(rule.quoted) & set(story.quoted):
        return False
    if rule.mentions:
        named = set(story.persons) | set(story.organizations) | set(story.places)
        if not set(rule.mentions) & named:
            return False
    if rule.keywords is not None:
        tokens = tokens or story_tokens(story)
        if not match_rules(tokens, rule.keywords):
            return False
    return True
