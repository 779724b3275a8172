"""Subscriptions from `config/alerts.yaml`: who wants which stories, where, and how often.

A subscription's rule combines criteria with AND (each list is an OR): topics, keywords in the topic
rule language (`any`, `near`, `context`, `all`, `exclude`), people quoted, entities mentioned,
outlets and languages. Channels are Apprise URLs; `${VARS}` in them come from the environment, so
secrets never sit in the YAML, and only the variables `NEWSWATCH_ALERTS__CHANNEL_VARIABLES` names
(`pipeline.alerts.channels`), so the YAML never reads the process's other secrets. People and entities are
compared by the key the index files names under (`pipeline.nlp.names`), so any spelling of a name matches.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from pipeline.alerts.channels import allowed_variable, instantiate, unchecked_service
from pipeline.alerts.parts import unsplittable
from pipeline.config import LanguageRules, load_topics, read_mapping
from pipeline.errors import ConfigError
from pipeline.nlp.names import name_key
from pipeline.settings import Settings, environment
from pipeline.store.documents import Story
from pipeline.topics.rules import Tokens, match_rules

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
    new_speaker: bool = False  # only stories quoting someone never quoted before on the story's topics


SeriesKind = Literal["topic", "event", "storyline", "person", "organization", "place"]


class SurgeWatch(_Strict):
    """Which surges a subscription wants (pipeline.events): of its topics, or of named people, places, storylines."""

    topics: list[str] = []  # default: the rule's topics; neither: every topic
    kinds: list[SeriesKind] = ["topic", "event", "storyline", "person", "organization", "place"]
    names: list[str] = []  # the series of these people, places, storylines; with `kinds` given too: or those kinds
    min_score: float = Field(default=0.0, ge=0.0)  # -log10 of the surprise: 2 is 1 in 100, 4 is 1 in 10,000


FigureKind = Literal["arrived", "crossed", "died", "missing", "rescued", "deported", "detained", "applied",
                     "displaced", "hosted", "other"]


class FigureWatch(_Strict):
    """Which reconciled figures a subscription wants (pipeline.events.findings): revised, disputed, of which kinds."""

    revised: bool = False  # "figure revised": a later report of one event gives another value ("46" then "53")
    disagree: bool = False  # "outlets disagree": outlets give different values the same day
    kinds: list[FigureKind] = []  # what was counted (died, missing, …); none: every kind
    topics: list[str] = []  # default: the rule's topics; neither: every topic
    places: list[str] = []  # only figures of these places; none: anywhere

    @model_validator(mode="after")
    def _something(self) -> FigureWatch:
        if not (self.revised or self.disagree):
            raise ValueError("asks for no figure change: set `revised: true`, `disagree: true` or both")
        return self


class Digest(_Strict):
    every: Literal["hourly", "daily"] = "daily"
    at: str = "08:00"  # for daily digests, local time in `timezone`
    timezone: str = "UTC"

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads an unquoted 18:30 as 1110
            raise ValueError(f"read as the number {value}: quote the time, like at: \"18:30\"")
        if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be a 24-hour time like 08:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder of zones: IsADirectoryError
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
    rule: Rule = Rule()
    stories: bool = True  # alerts for stories the rule matches; false for a subscription to surges only
    surges: SurgeWatch | None = None
    figures: FigureWatch | None = None
    # alerts only for stories first seen after this (default: when Newswatch first saw the subscription),
    # so a new subscription does not bring every older matching story at once
    since: datetime | None = None  # a date or time without a zone is UTC
    _urls: list[str] = PrivateAttr(default_factory=list)
    _secrets: list[list[str]] = PrivateAttr(default_factory=list)

    @field_validator("since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """`since: 2026-03-01` reads as a naive time, which cannot be compared with the stories' times."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _digest_schedule(self) -> Subscription:
        if self.mode == "digest" and self.digest is None:
            object.__setattr__(self, "digest", Digest())
        if not self.stories and self.surges is None and self.figures is None:
            raise ValueError("asks for neither stories nor surges nor figures: set `stories: true` or add "
                             "`surges:` or `figures:`")
        if self.stories and "rule" not in self.model_fields_set:
            raise ValueError("a subscription to stories needs a `rule:` (`stories: false` for surges or figures only)")
        return self

    def fill(self, env: Mapping[str, str]) -> list[str]:
        """The variables a channel needs and `env` lacks; the filled-in URLs are kept for `channel_urls`."""
        missing = [name for url in self.channels for name, default in _VAR.findall(url)
                   if not env.get(name) and not default]  # an empty value (compose's `${X:-}`) is no value
        self._urls = [_VAR.sub(lambda m: env.get(m.group(1)) or m.group(2) or "", url) for url in self.channels]
        self._secrets = [[env[name] for name, place, _ in _placed(url) if place != "host" and env.get(name)]
                         for url in self.channels]
        return missing

    def channel_urls(self) -> list[str]:
        """Channels with `${VARS}` filled in (from the environment, when the file was loaded)."""
        return self._urls or [_VAR.sub(lambda m: m.group(2) or "", url) for url in self.channels]

    def channel_secrets(self) -> list[list[str]]:
        """The values each channel's `${VARS}` were filled with from the environment, but a host's (it says where
        delivery failed): masked in a failure's reason, in whatever form Apprise quotes them."""
        return self._secrets or [[] for _ in self.channels]


class AlertsFile(_Strict):
    subscriptions: list[Subscription] = []


def _channel_problems(path: Path, sub: Subscription, env: Mapping[str, str],
                      variables: Sequence[str]) -> list[ConfigError]:
    sub.fill({name: value for name, value in env.items() if allowed_variable(name, variables)})
    problems = []
    for number, url in enumerate(sub.channels):
        forbidden = [name for name, _ in _VAR.findall(url) if not allowed_variable(name, variables)]
        missing = [name for name, default in _VAR.findall(url) if not env.get(name) and not default]  # unset or empty
        where = f"subscriptions[{sub.name}].channels.{number}"
        if forbidden:
            problems.append(ConfigError(str(path), where, f"a channel may not expand {', '.join(forbidden)}: only "
                                        f"the variables NEWSWATCH_ALERTS__CHANNEL_VARIABLES names ({', '.join(variables)})"))
        elif missing:
            problems.append(ConfigError(str(path), where, f"environment variable {', '.join(missing)} is not set"))
        elif raw := _raw_delimiters(url, env):
            problems.append(ConfigError(str(path), where, raw))
        elif instantiate(sub.channel_urls()[number]) is None:
            problems.append(ConfigError(str(path), where, "not a URL Apprise understands (see its list of services)"))
        elif unchecked := unchecked_service(sub.channel_urls()[number]):
            problems.append(ConfigError(str(path), where, unchecked))
        elif whole := unsplittable(sub.channel_urls()[number]):
            problems.append(ConfigError(str(path), where, whole))
    return problems


def _placed(url: str) -> list[tuple[str, str, str]]:
    """Each `${VAR}` of a channel: its name, the part of the URL it fills (userinfo, host, path, query or
    fragment), and the characters that, raw in its value, would end that part early."""
    names: list[str] = []

    def mark(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"nwvar{len(names) - 1}x"

    try:
        parts = urlsplit(_VAR.sub(mark, url))
    except ValueError:  # no URL at all: Apprise's check says so
        return []
    userinfo, _, host = parts.netloc.rpartition("@")
    places = {"userinfo": (userinfo, "@/?#" + (":" if ":" in userinfo else "")), "host": (host, ""),
              "path": (parts.path, "?#"), "query": (parts.query, "&#"), "fragment": (parts.fragment, "")}
    found = []
    for number, name in enumerate(names):
        place = next((p for p, (text, _) in places.items() if f"nwvar{number}x" in text), "host")
        found.append((name, place, places[place][1]))
    return found


def _raw_delimiters(url: str, env: Mapping[str, str]) -> str | None:
    """Why a variable's value cannot go into its channel as it is (naming the variable, never the value), or None.

    A value is filled in as written: a password "Winter@2026.example" made 2026.example the host Apprise sent the
    login to, and named it in every delivery error; a token with a "#" lost its end."""
    for name, place, ends in _placed(url):
        if raw := [c for c in ends if c in (env.get(name) or "")]:
            encoded = ", ".join(f"{c} as {quote(c, safe='')}" for c in raw)
            return (f"the value of {name} has {' '.join(raw)} in it, which would end the channel's {place} there and "
                    f"move the rest of the value elsewhere in the URL: percent-encode it in the variable ({encoded})")
    return None


def load_subscriptions(path: Path, env: Mapping[str, str] | None = None, strict: bool = True,
                       variables: Sequence[str] | None = None, matching: bool = False) -> list[Subscription]:
    """Subscriptions, checked: unique names, valid schedules, channels Apprise can use.

    `${VARS}` in channels come from `env` (default: the process environment, through `pipeline.settings`),
    and only those `variables` allows (default: NEWSWATCH_ALERTS__CHANNEL_VARIABLES).
    Strict, any problem raises; otherwise a subscription with an unusable channel is left out (and
    logged), so one unset secret never stops the alerts of the others: see `subscription_problems`.
    `matching`: for finding alerts, a subscription whose only problem is an unset channel variable is kept: its
    alerts are recorded and wait until the variable is set (a secret unset during a redeploy must not lose a day's
    stories for it); delivery, which loads without it, leaves them pending meanwhile.
    """
    subs, written_wrong, unusable = _load(path, env, variables)
    if strict and (written_wrong or unusable):
        raise [*written_wrong, *unusable][0]
    for problem in [*written_wrong, *unusable]:
        log.error("alerts for this subscription are %s until fixed: %s", "held" if matching and _unset(problem)
                  else "off", problem)
    # an entry written wrong was never loaded: it must not switch off a working subscription of the same name
    broken = {p.key.split("]")[0].removeprefix("subscriptions[") for p in unusable if not (matching and _unset(p))}
    return [s for s in subs if s.name not in broken]


def _unset(problem: ConfigError) -> bool:
    """A channel waiting for its secret (a passing state, a redeploy), not a channel that is wrong as written."""
    return ".channels." in problem.key and problem.problem.startswith("environment variable ")


def subscription_names(path: Path) -> set[str]:
    """Every subscription the file names, usable or not (written wrong, too: its alerts are not orphans)."""
    entries = read_mapping(path, empty_ok=True).get("subscriptions") if path.exists() else None
    return {e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)} \
        if isinstance(entries, list) else set()


def subscription_problems(path: Path, env: Mapping[str, str] | None = None,
                          variables: Sequence[str] | None = None) -> list[ConfigError]:
    """What is wrong with each subscription, as written or its channels and topics (empty when all can be used)."""
    _, written_wrong, unusable = _load(path, env, variables)
    return [*written_wrong, *unusable]


def _load(path: Path, env: Mapping[str, str] | None,
          variables: Sequence[str] | None) -> tuple[list[Subscription], list[ConfigError], list[ConfigError]]:
    """The subscriptions loaded, the entries written wrong (left out), and the problems of loaded ones' channels
    and topics. Each subscription is checked on its own: one written wrong ("at: 7:30", a name used twice) is a problem
    that leaves it out, not an error that stops every subscriber's alerts and the operator's failure mail."""
    if not path.exists():
        return [], [], []
    raw = read_mapping(path, empty_ok=True)
    entries = raw.get("subscriptions")
    try:  # the file's own keys, and a list where the subscriptions go
        AlertsFile.model_validate({**raw, "subscriptions": []} if isinstance(entries, list) else raw)
    except ValidationError as exc:
        raise _entry_error(path, exc, ()) from None
    subs, problems = [], []
    for number, entry in enumerate(entries or []):
        try:
            subs.append(Subscription.model_validate(entry))
        except ValidationError as exc:
            problems.append(_entry_error(path, exc, ("subscriptions", number), entry))
    first: dict[str, Subscription] = {}
    for sub in subs:  # a copied entry not yet renamed: the later one is left out, the subscriber keeps theirs
        if sub.name in first:
            problems.append(ConfigError(str(path), f"subscriptions[{sub.name}]", "the name is used twice: "
                                        "this later entry is left out until it has a name of its own"))
        first.setdefault(sub.name, sub)
    subs = list(first.values())
    env = environment() if env is None else env
    settings = Settings.from_env()
    variables = settings.alerts.channel_variables if variables is None else variables
    return subs, problems, [*_topic_problems(path, subs, settings.config_dir / "topics.yaml"),
                            *(problem for sub in subs for problem in _channel_problems(path, sub, env, variables))]


def _entry_error(path: Path, exc: ValidationError, prefix: tuple[str | int, ...], entry: object = None) -> ConfigError:
    """The first thing wrong, where it is: `subscriptions[desk].digest.at` (by name where the entry has one)."""
    first = exc.errors()[0]
    loc: list[object] = [*prefix, *first["loc"]]
    if len(loc) >= 2 and loc[0] == "subscriptions" and isinstance(loc[1], int):
        name = entry.get("name") if isinstance(entry, dict) else None
        loc[1] = f"[{name if isinstance(name, str) and name else loc[1]}]"
    where = ".".join(str(p) for p in loc).replace(".[", "[") or "(top level)"
    return ConfigError(str(path), where, first["msg"])


def _topic_problems(path: Path, subs: list[Subscription], topics_file: Path) -> list[ConfigError]:
    """A topic no rule defines matches nothing, ever: "asylum-bordr" must be an error, not a quiet subscription."""
    named = [t for sub in subs for t in [*sub.rule.topics, *(sub.surges.topics if sub.surges else []),
                                         *(sub.figures.topics if sub.figures else [])]]
    if not named or not topics_file.exists():
        return []
    try:
        known = {t.name for t in load_topics(topics_file)}
    except ConfigError:  # topics.yaml's own mistake is reported where it is read; alerts (the operator's) still go
        return []
    problems = []
    for sub in subs:
        for where, named in (("rule.topics", sub.rule.topics), ("surges.topics", sub.surges.topics if sub.surges else []),
                             ("figures.topics", sub.figures.topics if sub.figures else [])):
            if unknown := [t for t in named if t not in known]:
                guess = next(iter(difflib.get_close_matches(unknown[0], sorted(known), n=1)), None)
                problems.append(ConfigError(str(path), f"subscriptions[{sub.name}].{where}", f"no topic {unknown[0]!r} in "
                                            f"{topics_file}" + (f": did you mean {guess!r}?" if guess else "")))
    return problems


def story_tokens(story: Story) -> Tokens:
    return Tokens.of(f"{story.title}\n{story.text}")


def configured_subscriptions(settings: Settings, strict: bool = False, matching: bool = False) -> list[Subscription]:
    """The usable subscriptions of `settings.config_dir/alerts.yaml` (none when the file is absent); `matching`:
    also those whose channels cannot be used yet (see `load_subscriptions`)."""
    return load_subscriptions(settings.config_dir / "alerts.yaml", strict=strict,
                              variables=settings.alerts.channel_variables, matching=matching)


def operator_subscription(settings: Settings) -> Subscription | None:
    """The subscription NEWSWATCH_OPERATOR_SUBSCRIPTION names (None when it names none); a name that is not
    a usable subscription is a ConfigError."""
    name = settings.operator_subscription
    if not name:
        return None
    subs = {s.name: s for s in configured_subscriptions(settings)}
    if name not in subs:
        raise ConfigError(str(settings.config_dir / "alerts.yaml"), "subscriptions",
                          f"NEWSWATCH_OPERATOR_SUBSCRIPTION names {name!r}, which is not there or cannot be used")
    return subs[name]


def _keys(names: Iterable[str]) -> set[str]:
    """Names as the index keys them: the index keeps one spelling per key, a subscriber may write another."""
    return {name_key(name) for name in names}


def wants_surge(sub: Subscription, topic: str, kind: str, label: str, score: float) -> bool:
    """Whether a surge of a series (its topic, kind and readable label) is wanted by a subscription."""
    watch = sub.surges
    if watch is None or score < watch.min_score:
        return False
    topics = watch.topics or sub.rule.topics
    if topics and topic not in topics:
        return False
    # `names` alone narrows to those series; the default of every kind applies only when `kinds` is written
    kinds = watch.kinds if "kinds" in watch.model_fields_set or not watch.names else []
    return kind in kinds or bool(watch.names and name_key(label) in _keys(watch.names))


def wants_figure(sub: Subscription, condition: str, kind: str, place: str | None, topics: Iterable[str]) -> bool:
    """Whether a figure finding (a revision or a disagreement of one count of an event) is wanted."""
    watch = sub.figures
    if watch is None or not (watch.revised if condition == "revised" else watch.disagree):
        return False
    if watch.kinds and kind not in watch.kinds:
        return False
    wanted_topics = watch.topics or sub.rule.topics
    if wanted_topics and not set(wanted_topics) & set(topics):
        return False
    return not watch.places or name_key(place or "") in _keys(watch.places)


def matches(sub: Subscription, story: Story, tokens: Tokens | None = None) -> bool:
    """Whether a stored story is wanted; pass `tokens` to tokenise a story once for all subscriptions."""
    rule = sub.rule
    if not sub.stories:
        return False
    if rule.topics and not set(rule.topics) & set(story.topics):
        return False
    if rule.outlets and story.outlet not in rule.outlets:
        return False
    if rule.languages and story.language not in rule.languages:
        return False
    if rule.quoted and not _keys(rule.quoted) & _keys(story.quoted):
        return False
    if rule.mentions and not _keys(rule.mentions) & _keys([*story.persons, *story.organizations, *story.places]):
        return False
    if rule.keywords is not None:
        tokens = tokens or story_tokens(story)
        if not match_rules(tokens, rule.keywords):
            return False
    return True
