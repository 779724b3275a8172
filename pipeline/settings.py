"""Tunables in one place, with the defaults documented, handed down as keyword arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "Newswatch/0.1 (+https://github.com/newswatch/newswatch; news monitoring for asylum and border coverage)"


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how defensively we talk to publishers."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_body_bytes: int = 5_000_000  # a feed or page larger than this is refused, not truncated
    per_host_concurrency: int = 2
    user_agent: str = USER_AGENT
    retries: int = 2  # network errors and 5xx are retried with backoff; 4xx never are
    rewrite: tuple[tuple[str, str], ...] = ()  # (url prefix, replacement): how the offline replay is reached


@dataclass(frozen=True)
class Settings:
    """Everything a poll pass needs; `from_env` is the only place that reads the environment."""

    es_url: str = "http://127.0.0.1:9200"
    index_prefix: str = "newswatch"
    config_dir: Path = PROJECT_ROOT / "config"
    feeds_file: Path | None = None  # default: config_dir / feeds.yaml
    source: str = "auto"  # live | replay | auto (replay when feed hosts do not resolve)
    fetch_pages: str = "always"  # always | never
    nlp_batch_size: int = 16
    fetch: FetchSettings = field(default_factory=FetchSettings)

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        values: dict = {}
        if url := os.environ.get("NEWSWATCH_ES_URL"):
            values["es_url"] = url
        if prefix := os.environ.get("NEWSWATCH_INDEX_PREFIX"):
            values["index_prefix"] = prefix
        if conf := os.environ.get("NEWSWATCH_CONFIG_DIR"):
            values["config_dir"] = Path(conf)
        if feeds := os.environ.get("NEWSWATCH_FEEDS_FILE"):
            values["feeds_file"] = Path(feeds)
        if source := os.environ.get("NEWSWATCH_SOURCE"):
            values["source"] = source
        if pages := os.environ.get("NEWSWATCH_FETCH_PAGES"):
            values["fetch_pages"] = pages
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def feeds_path(self) -> Path:
        return self.feeds_file or self.config_dir / "feeds.yaml"
