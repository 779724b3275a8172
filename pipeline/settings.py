"""Every tunable in one settings object, read from `NEWSWATCH_*` variables once and handed down.

This is the only module that reads the environment. Nested groups are set with a double
underscore: `NEWSWATCH_FETCH__READ_TIMEOUT=20`, `NEWSWATCH_ALERTS__MAX_ATTEMPTS=3`. A bad value is
reported naming the variable (`NEWSWATCH_FETCH__READ_TIMEOUT: Input should be a valid number`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPLAY_FEEDS = PROJECT_ROOT / "replay" / "feeds.yaml"  # the bundled offline replay's feeds
USER_AGENT = "Newswatch/0.1 (+https://github.com/newswatch/newswatch; news monitoring for asylum and border coverage)"
ENV_PREFIX = "NEWSWATCH_"


def http_url(value: str) -> str:
    """`value` if it is an http(s)://host[:port] URL (a path allowed), else a ValueError saying what it is not:
    "localhost:9200" was a traceback from the client, "ftp://x:1" a cluster reported unreachable."""
    try:
        parts = urlsplit(value.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number, or past 65535
        ok = False
    if not ok:
        raise ValueError(f"{value!r} is not an http(s)://host[:port] URL")
    return value


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _durations_in_seconds(cls, value: object, info: ValidationInfo) -> object:
        """A duration may be written in seconds (`NEWSWATCH_ALERTS__BACKOFF=90`), as HH:MM:SS or ISO 8601
        (PT2H); an optional one (`MAX_AGE`) may be `none` for none."""
        field = cls.model_fields.get(info.field_name or "")
        if field is None or not isinstance(value, str) or "timedelta" not in str(field.annotation):
            return value
        text = value.strip()
        if text.lower() in {"none", "null"} and "None" in str(field.annotation):
            return None
        if not re.fullmatch(r"\d+(\.\d+)?", text):
            return value
        try:
            return timedelta(seconds=float(text))
        except OverflowError:  # past 2.7 million years: a typo, to be named like any other bad value
            raise ValueError(f"{text} seconds is longer than any duration can be") from None

    @field_validator("*")
    @classmethod
    def _durations_positive(cls, value: object) -> object:
        """`-PT1H` or 0 parse as durations, and a negative backoff or age limit makes no sense to any reader."""
        if isinstance(value, timedelta) and value <= timedelta(0):
            raise ValueError(f"must be a duration longer than zero, not {value.total_seconds():g} seconds")
        return value


class FetchSettings(_Group):
    """How politely and how defensively we talk to publishers."""

    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(15.0, gt=0)
    total_timeout: float = Field(30.0, gt=0)  # connect + headers + body of one request, whatever the server does
    max_body_bytes: int = Field(5_000_000, gt=0)  # a feed or page larger than this is refused, not truncated
    concurrency: int = Field(200, ge=1)  # requests in flight in one pass, all hosts together
    per_host_concurrency: int = Field(2, ge=1)
    user_agent: str = USER_AGENT
    retries: int = Field(2, ge=0)  # network errors and 5xx are retried with backoff; 4xx and timeouts never are
    max_redirects: int = Field(5, ge=0)
    # hosts or networks besides public addresses that may be fetched, e.g. "feeds.intranet,10.1.0.0/16"
    allow: Annotated[tuple[str, ...], NoDecode] = ()
    rewrite: tuple[tuple[str, str], ...] = ()  # (url prefix, replacement): how the offline replay is reached

    @field_validator("allow", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value


class PollSettings(_Group):
    """How feeds are scheduled and split into Airflow tasks."""

    min_interval_minutes: float = Field(5.0, gt=0)
    max_interval_minutes: float = Field(360.0, gt=0)
    shard_size: int = Field(250, ge=1)  # feeds per mapped task (a host's feeds always share one)
    parse_workers: int = Field(2, ge=0)  # processes that parse feeds and extract pages (0: threads in-process)
    write_chunk: int = Field(200, ge=1)  # documents per bulk request
    job_timeout: float = Field(60.0, gt=0)  # seconds one feed parse or page extraction may take in a worker
    pass_deadline: float = Field(900.0, gt=0)  # seconds a whole pass may take; unfinished feeds are recorded (below
    # the poll DAG's 20-minute task timeout: a task Airflow kills records nothing)
    # when a poll task fails because of feed errors: all of its feeds failed (the network is down), any, never
    fail_on_feed_errors: Literal["all", "any", "never"] = "all"


class FeedLimits(_Group):
    """Bounded work per feed, per pass and per document: each cap reached is a warning on the feed."""

    max_items: int = Field(500, ge=1)  # items read from one feed
    max_new_per_pass: int = Field(10_000, ge=1)  # new on-topic stories fetched in one pass; the rest wait
    max_title: int = Field(1_000, ge=10)  # characters
    max_summary: int = Field(10_000, ge=10)
    max_text: int = Field(200_000, ge=100)  # article text kept
    max_hits: int = Field(200, ge=1)  # topic evidence kept per story


class NlpSettings(_Group):
    batch_size: int = Field(16, ge=1)
    processes: int = Field(1, ge=1)


# The variables an alert channel may expand by default: those named for alerts, and the ones the shipped
# config/alerts.yaml, the README and .env.example use.
CHANNEL_VARIABLES = ("NEWSWATCH_CHANNEL_*", "ALERT_*", "NEWSWATCH_SMTP_*", "NEWSWATCH_ALERT_TO", "NEWSWATCH_DIGEST_TO",
                     "SMTP_*", "SLACK_*")


def _comma_list(value: object) -> object:
    """`a, b,c` from the environment as a tuple; anything else as given."""
    return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value


class AlertSettings(_Group):
    """Delivery retries, how syndicated copies are recognised, and what a channel URL may use."""

    max_attempts: int = Field(5, ge=1)
    backoff: timedelta = timedelta(minutes=1)  # doubled after each failed attempt
    cluster_days: int = Field(3, ge=0)  # how far back a syndicated copy is looked for
    similarity: float = Field(0.5, gt=0, le=1)  # Jaccard similarity of word 5-grams that makes two stories one
    batch: int = Field(500, ge=1)  # stories and alert records read per request
    max_age: timedelta | None = timedelta(hours=48)  # stories published longer ago are never alerted
    rate_per_hour: int = Field(10, ge=1)  # immediate alerts per subscription and hour; a burst beyond is one digest
    # the only variables `${VAR}` in a channel may expand (names, or prefixes ending in `*`), so alerts.yaml
    # can never read the rest of the environment (the Airflow JWT secret, the Elasticsearch password)
    channel_variables: Annotated[tuple[str, ...], NoDecode] = CHANNEL_VARIABLES
    claim_timeout: timedelta = timedelta(minutes=10)  # a delivery pass that died holds its alerts this long

    @field_validator("channel_variables", mode="before")
    @classmethod
    def _variables_list(cls, value: object) -> object:
        return _comma_list(value)


class HealthSettings(_Group):
    """When a feed is called failing, silent or slow."""

    failing_after: int = Field(2, ge=1)  # consecutive failed polls
    slow_seconds: float = Field(8.0, gt=0)  # median latency of recent polls
    silent_factor: float = Field(4.0, gt=0)  # silent when the time since the last new item exceeds this × usual gap
    silent_minimum: timedelta = timedelta(hours=6)
    history_days: int = Field(30, ge=1)
    min_history: int = Field(3, ge=1)  # gaps needed to learn a feed's usual rhythm
    default_silence: timedelta = timedelta(hours=48)  # the limit while the rhythm is still unknown


class RetentionSettings(_Group):
    """How long records are kept; stories and quotes are kept for good."""

    feed_health_days: int = Field(30, ge=1)  # one record per feed per poll (monthly indices: whole months go at once)
    alerts_days: int = Field(180, ge=1)  # delivery records (older stories are never alerted again: see max_age)
    surges_days: int = Field(365, ge=1)  # surge records (a few a week: one index, expired record by record)


# the store's index kinds (its INDEXED; a test keeps the two equal): the settings come first, never import the store
INDEX_KINDS = ("stories", "quotes", "feeds", "feed-health", "alerts", "state", "names", "events", "surges",
               "figure-findings", "monitor", "feedback")


class IndexSettings(_Group):
    """How the indices are laid out on the cluster (`NEWSWATCH_ES__SHARDS=1`); see the README's cluster table.

    Replicas may change on live indices (`newswatch init` applies them); shards only on new ones: poll records
    get them at the next month's index, stories and quotes with `newswatch reindex`.
    """

    shards: int = Field(1, ge=1)  # primary shards per index: one holds tens of millions of stories
    replicas: int = Field(0, ge=0)  # copies of each shard on other nodes: 0 on one node, 1 on a three-node cluster
    # per-kind overrides as JSON, e.g. NEWSWATCH_ES__SHARDS_BY_INDEX='{"stories": 2}'
    shards_by_index: dict[str, Annotated[int, Field(ge=1)]] = {}  # checked here: Elasticsearch's own refusal
    replicas_by_index: dict[str, Annotated[int, Field(ge=0)]] = {}  # stopped every task, naming no variable
    write_block_wait: float = Field(30.0, ge=0)  # seconds a write waits out the write block of a reindex's swap

    def shards_of(self, kind: str) -> int:
        return self.shards_by_index.get(kind, self.shards)

    def replicas_of(self, kind: str) -> int:
        return self.replicas_by_index.get(kind, self.replicas)


def _drop_blank(values: object) -> object:
    if isinstance(values, dict):
        return {k: _drop_blank(v) for k, v in values.items() if v != ""}
    return values


def _as_written(default: object, comma_list: bool) -> str:
    """A default as one would write it in the environment, so that it reads back as itself (a Python tuple's
    repr read back as one odd string): comma lists for the settings split on commas, JSON for other lists and
    maps, nothing for None."""
    if default is None:
        return ""
    if isinstance(default, (list, tuple)) and comma_list:
        return ",".join(map(str, default))
    if isinstance(default, (list, tuple, dict)):
        return json.dumps(default, default=str)
    return str(default)


class FeedbackSettings(_Group):
    """Analysts' "relevant / not relevant" links in alert messages (`pipeline.alerts.signing`)."""

    secret: SecretStr | None = None  # signs the links; without it, messages carry no feedback links
    link_days: int = Field(14, ge=1)  # a link older than this is refused
    base_url: str = "http://localhost:8080/newswatch/feedback"  # the Airflow plugin's feedback page (not checked here:
    # a wrong one breaks the links, and must not stop polling and enrichment as an unreadable setting does)

    @field_validator("secret")
    @classmethod
    def _strong_enough(cls, value: SecretStr | None) -> SecretStr | None:
        """A guessable key signs links anyone could forge, and forged verdicts teach the weekly retrain."""
        if value is not None and (len(value.get_secret_value()) < 16 or value.get_secret_value().lower() == "none"):
            raise ValueError("too short to sign feedback links: at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value


class SearchSettings(_Group):
    size: int = Field(10, ge=1, le=1000)
    top_people: int = Field(5, ge=1)


class LocalSettings(_Group):
    """Only for the embedded node of the local run and the tests (`pipeline.local`)."""

    cache_dir: Path | None = None  # default: /var/cache/newswatch as root, ~/.cache/newswatch otherwise
    java_home: Path | None = None
    heap: str = "512m"
    path: str = "/usr/local/bin:/usr/bin:/bin"


class Settings(BaseSettings):
    """Everything Newswatch needs, with documented defaults; `from_env` reads it."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", frozen=True,
                                      extra="ignore", populate_by_name=True)

    es_url: str = "http://127.0.0.1:9200"  # several nodes of one cluster: comma-separated
    es_api_key: str | None = None
    es_username: str | None = None
    es_password: str | None = None
    es_ca_certs: Path | None = None
    index_prefix: str = Field("newswatch", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    config_dir: Path = PROJECT_ROOT / "config"
    feeds_file: Path | None = None  # default: config_dir / feeds.yaml
    source: Literal["live", "replay", "auto"] = "auto"  # auto: replay when feed hosts do not resolve
    fetch_pages: Literal["always", "never"] = "always"
    kibana_url: str = "http://localhost:5601"  # checked by kibana-setup, which needs it; links merely break
    operator_subscription: str | None = None  # the subscription that receives the daily feed-health report
    fetch: FetchSettings = FetchSettings()
    poll: PollSettings = PollSettings()
    limits: FeedLimits = FeedLimits()
    nlp: NlpSettings = NlpSettings()
    alerts: AlertSettings = AlertSettings()
    health: HealthSettings = HealthSettings()
    search: SearchSettings = SearchSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    retention: RetentionSettings = RetentionSettings()
    es: IndexSettings = IndexSettings()
    local: LocalSettings = Field(default_factory=lambda: local_environment())
    # the checkout's local state: the node `scripts/run.sh` starts records its URL in es.json here
    state_dir: Path = PROJECT_ROOT / ".newswatch"
    _es_url_origin: Literal["default", "local node"] = PrivateAttr("default")

    @field_validator("es_url")
    @classmethod
    def _node_urls(cls, value: str) -> str:
        for url in [url for url in value.split(",") if url.strip()] or [value]:  # several nodes: each one alone
            http_url(url)
        return value

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: object) -> object:
        """`NEWSWATCH_OPERATOR_SUBSCRIPTION=` in a compose file means "not set", not an empty name; so does
        `NEWSWATCH_FEEDBACK__SECRET=` inside a group (an empty secret signed links anyone could forge)."""
        return _drop_blank(values)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; `overrides` that are not None win. Bad values raise SettingsError."""
        slip = misspelt_variable(os.environ)
        if slip:
            raise SettingsError(slip[0], f"no setting has this name (did you mean {slip[1]}?); unset or rename it")
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            settings = cls.model_validate(given)
        except ValidationError as exc:
            first = exc.errors()[0]
            variable = ENV_PREFIX + "__".join(str(p) for p in first["loc"]).upper()
            if first["loc"] and first["loc"][0] in given:  # the command's option (`--es-url`), not the variable
                variable = "--" + str(first["loc"][0]).replace("_", "-")
            group = re.search(r'parsing value for field "(\w+)"', first["msg"])
            if not first["loc"] and group:  # a list or map that is not JSON: the error names only its group
                prefix = f"{ENV_PREFIX}{group.group(1)}__".upper()
                variable = ", ".join(sorted(k for k in os.environ if k.upper().startswith(prefix))) or prefix + "*"
                raise SettingsError(variable, "not valid JSON: lists and maps are written as JSON "
                                              '(NEWSWATCH_ES__SHARDS_BY_INDEX={"stories": 2})') from None
            more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
            raise SettingsError(variable, first["msg"] + more) from None
        # a misspelt kind ("storys") was kept and never applied; an IndexSettings built in code the store checks
        for name in ("shards_by_index", "replicas_by_index"):
            if unknown := sorted(set(getattr(settings.es, name)) - set(INDEX_KINDS)):
                raise SettingsError(f"{ENV_PREFIX}ES__{name.upper()}",
                                    f"unknown index {', '.join(unknown)} (one of {', '.join(INDEX_KINDS)})")
        if settings.es_url_set:
            return settings
        recorded = recorded_node_url(settings.local_node_file)  # whatever folder the command runs from
        if recorded:
            settings = settings.model_copy(update={"es_url": recorded})
            settings._es_url_origin = "local node"
        return settings

    def replace(self, **changes: object) -> Settings:
        """A copy with some fields changed (the tests and the replay use it)."""
        return self.model_copy(update=changes)

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Every environment variable the settings read, with its default, for docs and the compose check."""
        return cls._written(None)

    def written(self) -> dict[str, str]:
        """Every variable of `variables` with the value in force, written the same way: the two compare as text."""
        return self._written(self)

    @classmethod
    def _written(cls, current: Settings | None) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            if name == "local":
                continue
            default = info.get_default(call_default_factory=True)
            value = default if current is None else getattr(current, name)
            if isinstance(default, BaseModel):
                for sub, sub_info in type(default).model_fields.items():
                    out[f"{ENV_PREFIX}{name}__{sub}".upper()] = _as_written(
                        sub_info.get_default(call_default_factory=True) if current is None else getattr(value, sub),
                        NoDecode in sub_info.metadata)
            else:
                out[f"{ENV_PREFIX}{name}".upper()] = _as_written(value, NoDecode in info.metadata)
        return out

    @classmethod
    def names(cls) -> set[str]:
        """Every variable name a setting reads, the local node's included."""
        local = {f"{ENV_PREFIX}LOCAL__{sub}".upper() for sub in LocalSettings.model_fields}
        return set(cls.variables()) | local

    @property
    def feeds_path(self) -> Path:
        return self.feeds_file or self.config_dir / "feeds.yaml"

    @property
    def es_url_set(self) -> bool:
        """Whether the Elasticsearch URL was given (environment, argument or the local node's state file)."""
        return "es_url" in self.model_fields_set

    @property
    def es_url_origin(self) -> str:
        """Where the URL came from: "given" (NEWSWATCH_ES_URL, --es-url, the constructor), "local node" (its state
        file) or "default"."""
        if self._es_url_origin == "local node":
            return "local node"
        return "given" if self.es_url_set else "default"

    @property
    def local_node_file(self) -> Path:
        return self.state_dir / "es.json"


def recorded_node_url(state_file: Path) -> str | None:
    """The URL the local node (`pipeline.local.es_node`) recorded when it started, running or not."""
    import json

    try:
        return str(json.loads(state_file.read_text())["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def local_environment() -> LocalSettings:
    """Settings for the embedded node, from NEWSWATCH_LOCAL__CACHE_DIR (or NEWSWATCH_CACHE),
    NEWSWATCH_LOCAL__JAVA_HOME (or JAVA_HOME) and PATH: the names `newswatch settings` lists are the ones read."""

    class _Local(BaseSettings):
        model_config = SettingsConfigDict(extra="ignore")
        cache_dir: Path | None = Field(None, validation_alias=AliasChoices("NEWSWATCH_LOCAL__CACHE_DIR", "NEWSWATCH_CACHE"))
        java_home: Path | None = Field(None, validation_alias=AliasChoices("NEWSWATCH_LOCAL__JAVA_HOME", "JAVA_HOME"))
        path: str = Field("/usr/local/bin:/usr/bin:/bin", validation_alias=AliasChoices("PATH"))

    found = _Local()
    return LocalSettings(cache_dir=found.cache_dir, java_home=found.java_home, path=found.path)


def environment() -> Mapping[str, str]:
    """The process environment, for `${VAR}` in channel URLs of alerts.yaml (secrets never sit in the YAML)."""
    return dict(os.environ)


def misspelt_variable(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """A NEWSWATCH_ variable no setting reads, one slip away from one that does, and that one.

    "NEWSWATCH_ES_REPLICAS" for NEWSWATCH_ES__REPLICAS, "NEWSWATCH_INDEX_PREFX": left alone, the default would
    be used without a word (no replicas on a three-node cluster). Variables that only resemble nothing
    (a channel's `${NEWSWATCH_CHANNEL_HOOK}`, the scripts' own) pass."""
    known = Settings.names()
    for name in sorted(environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.9)
            if close:
                return name, close[0]
    return None
