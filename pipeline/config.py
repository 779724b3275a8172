"""Load the YAML configuration (feeds, topics) and validate it, naming file, key and problem."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from pipeline.errors import ConfigError
from pipeline.text import in_capitals, term_words

# libyaml's loader when present: a list of a thousand feeds loads in milliseconds, not a second
_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_FastLoader):  # type: ignore[misc,valid-type]
    """YAML's safe loader that refuses a key given twice in one mapping: a second `any:` under a topic's
    language would otherwise replace the first list without a word."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *defaults": merged keys may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                seen = key in first
            except TypeError:  # an unhashable key: the constructor below says what is wrong with it
                continue
            line = first.setdefault(key, key_node.start_mark.line)
            if seen:  # on another line or the same one: "{any: [a], any: [b]}"
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice (first on line {line + 1})",
                                                        key_node.start_mark)
        return super().construct_mapping(node, deep)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Feed(_Strict):
    """One RSS/Atom feed to poll."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    url: str
    outlet: str
    language: Literal["en", "fr"]
    country: str
    poll_interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    fetch_pages: Literal["always", "never"] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            host = urlsplit(value).hostname if re.match(r"https?://[^/?#\s]+", value) else None
        except ValueError:  # "http://[::1/rss": a bracket never closed
            host = None
        if not host:  # "http://:80/rss" has a port and no host
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("poll_interval_minutes", mode="before")
    @classmethod
    def _minutes(cls, value: object) -> object:
        if isinstance(value, bool):  # YAML's yes/no/on/off would be 1 or 0 minutes
            raise ValueError(f"reads as {str(value).lower()}: give a number of minutes")
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _country_code(cls, value: object) -> object:
        if isinstance(value, bool):  # YAML reads NO (Norway) as false
            raise ValueError("reads as true/false: quote the country code (country: \"NO\")")
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError("must be a two-letter country code in capitals (ISO 3166: GB, CA, FR)")
        return value


class FeedsFile(_Strict):
    feeds: list[Feed] = Field(min_length=1)

    @field_validator("feeds")
    @classmethod
    def _unique_ids(cls, feeds: list[Feed]) -> list[Feed]:
        seen: dict[str, int] = {}
        urls: dict[str, int] = {}
        for n, feed in enumerate(feeds):
            if feed.id in seen:
                raise ValueError(f"feed id {feed.id!r} is used twice: feeds.{seen[feed.id]}.id and feeds.{n}.id")
            if feed.url in urls:  # polled twice a pass, its stories claimed by whichever came first
                raise ValueError(f"feed URL {feed.url!r} is used twice: feeds.{urls[feed.url]}.url and feeds.{n}.url")
            seen[feed.id], urls[feed.url] = n, n
        return feeds


class Exclusion(_Strict):
    """A false friend: hits of `drops` terms are ignored where `phrases` match or `near` terms are close."""

    why: str = Field(min_length=3)
    phrases: list[str] = []
    near: list[str] = []
    within: int = Field(default=8, ge=1, le=50)
    drops: list[str] = []  # empty: drop every hit overlapping the phrase or near the `near` terms

    @model_validator(mode="after")
    def _has_trigger(self) -> Exclusion:
        if not self.phrases and not self.near:
            raise ValueError("an exclusion needs `phrases` or `near`")
        if self.near and not self.drops:
            raise ValueError("a `near` exclusion must say which terms it `drops`")
        return self


class Proximity(_Strict):
    """`terms` count when one of `with` occurs within `within` words."""

    terms: list[str] = Field(min_length=1)
    with_: list[str] = Field(alias="with", min_length=1)
    within: int = Field(default=6, ge=1, le=50)


class Context(_Strict):
    """Weak terms: they count only when at least `min` different ones occur together, each on words of its own."""

    terms: list[str] = Field(min_length=1)
    min: int = Field(default=2, ge=2)

    @model_validator(mode="after")
    def _can_fire(self) -> Context:
        # terms told apart as the matcher tells them (accents folded, capitals kept for an acronym): "frontière*"
        # and "frontiere*" passed a casefold check as two terms, and are one
        distinct = {(term_words(t), in_capitals(t)) for t in self.terms}
        if self.min > len(distinct):
            raise ValueError(f"min {self.min} is more than its {len(distinct)} different terms: it can never fire")
        return self


_TERM = re.compile(r"[^\W\d_]|\d")  # a term holds a word character
_MISPLACED_STAR = re.compile(r"\*(?=\S)|(?:^|\s)\*")  # `*` ends a word (a prefix), nowhere else


class LanguageRules(_Strict):
    any: list[str] = []
    near: list[Proximity] = []
    context: list[Context] = []
    all: list[list[str]] = []  # every group must hit (each group is an any-list)
    exclude: list[Exclusion] = []

    @model_validator(mode="after")
    def _not_empty(self) -> LanguageRules:
        if not (self.any or self.near or self.context or self.all):
            raise ValueError("a language needs at least one of any, near, context, all")
        terms = {t.casefold() for t in [*self.any, *(t for n in self.near for t in [*n.terms, *n.with_]),
                                        *(t for c in self.context for t in c.terms), *(t for g in self.all for t in g)]}
        for term in sorted(terms):
            if not _TERM.search(term):
                raise ValueError(f"term {term!r} holds no word: it can never match")
            if _MISPLACED_STAR.search(term):
                raise ValueError(f"term {term!r}: `*` may only end a word (a prefix: deport*), it matches nothing elsewhere")
        for n, ex in enumerate(self.exclude):
            unknown = [d for d in ex.drops if d.casefold() not in terms]
            if unknown:  # a drop that names no rule term would never apply, silently
                raise ValueError(f"exclude.{n}.drops: {', '.join(map(repr, unknown))} is no term of these rules")
            whole = [ph for ph in ex.phrases if ph.casefold() in terms and (not ex.drops or ph.casefold() in
                                                                          {d.casefold() for d in ex.drops})]
            if whole:  # the phrase is the term itself: every hit of it would be dropped, the term cancelled
                raise ValueError(f"exclude.{n}.phrases: {whole[0]!r} is itself a rule term: the exclusion would "
                                 "drop every hit of it (name the longer phrase that makes it a false friend)")
        return self


class LongText(_Strict):
    """A full article passes only with evidence in its lead or enough of it overall.

    One passing mention deep in a long story (a parolee "deported" in paragraph twelve) is not
    what the topic is about.
    """

    words: int = Field(default=200, ge=1)
    lead_words: int = Field(default=120, ge=1)
    min_hits: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _lead_within_long(self) -> LongText:
        if self.lead_words > self.words:  # a text between the two would have no lead to read
            raise ValueError(f"lead_words ({self.lead_words}) must not exceed words ({self.words})")
        return self


class Topic(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    long_text: LongText = LongText()
    languages: dict[Literal["en", "fr"], LanguageRules] = Field(min_length=1)


class TopicsFile(_Strict):
    topics: list[Topic] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _unique_names(cls, topics: list[Topic]) -> list[Topic]:
        names = [t.name for t in topics]
        for n, name in enumerate(names):
            if name in names[:n]:
                raise ValueError(f"topic name {name!r} is used twice: topics.{names.index(name)} and topics.{n}")
        return topics


def _location(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(top level)"


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a true/false value"
    names = {list: "a list", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def read_yaml(path: Path) -> Any:
    """A YAML file's content; a file that is missing, unreadable, not UTF-8 or not YAML is a ConfigError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "does not exist") from None
    except OSError as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")  # a UTF-8 byte-order mark is fine
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError(str(path), f"line {line}", f"not UTF-8 text (byte 0x{data[exc.start]:02x}): "
                          "save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def read_mapping(path: Path, empty_ok: bool = False) -> dict[str, Any]:
    """A YAML file whose top level must be a mapping (`key: value` lines); `empty_ok` reads an empty file as {}."""
    raw = read_yaml(path)
    if raw is None and empty_ok:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "(top level)", f"must be a mapping (key: value), not {_kind(raw)}")
    return raw


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    raw = read_mapping(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ConfigError(str(path), _location(first), first["msg"] + more) from None


def load_feeds(path: Path) -> list[Feed]:
    """The feeds of a file, validated; read again only when the file changes."""
    stat = path.stat() if path.exists() else None
    return list(_cached_feeds(path, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0))


@lru_cache(maxsize=8)
def _cached_feeds(path: Path, mtime: int, size: int) -> tuple[Feed, ...]:
    return tuple(_load(path, FeedsFile).feeds)  # type: ignore[attr-defined]


def load_topics(path: Path) -> list[Topic]:
    return list(_load(path, TopicsFile).topics)  # type: ignore[attr-defined]
