"""The errors Newswatch raises, each carrying what an operator needs to fix it.

    NewswatchError
    ├── ConfigError        a YAML file is invalid (file, key, problem)
    ├── FeedError          one feed could not be fetched or parsed (feed id, URL, reason)
    ├── ArticleError       one article page could not be fetched or extracted (URL, reason)
    └── LocalNodeError     the embedded Elasticsearch could not be fetched or started
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base class: catch this to handle any failure the pipeline reports on purpose."""


class ConfigError(NewswatchError):
    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        super().__init__(f"{path}: {key}: {problem}")


class FeedError(NewswatchError):
    def __init__(self, feed_id: str, url: str, kind: str, reason: str, status: int | None = None) -> None:
        self.feed_id, self.url, self.kind, self.reason, self.status = feed_id, url, kind, reason, status
        super().__init__(f"feed {feed_id} ({url}): {kind}: {reason}")


class ArticleError(NewswatchError):
    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"article {url}: {reason}")


class LocalNodeError(NewswatchError):
    pass
