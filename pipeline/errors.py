"""The errors Newswatch raises on purpose, each carrying what an operator needs to fix it.

    NewswatchError
    ├── ConfigError           a YAML file is invalid (file, key, problem)
    │   └── SettingsError     an environment variable is invalid (variable, problem)
    ├── FetchError            one URL could not be fetched (URL, kind, reason, status, Retry-After)
    ├── FeedError             one feed could not be fetched or parsed (feed id, URL, kind, reason)
    ├── FeedsFailed           too many feeds of a pass failed, per the operator's policy
    ├── StoreError            Elasticsearch could not do what was asked (operation, reason)
    │   ├── StoreUnavailable  it did not answer
    │   │   └── LocalNodeDown the checkout's local node is not running
    │   ├── WriteRejected     it refused some documents of a bulk write (kind, ids and reasons)
    │   └── WritesBlocked     an index or the cluster refuses every write (a read-only block after a disk
    │                         watermark, a red cluster): the task fails and is retried, nothing is written
    ├── DeliveryError         an alert could not be delivered to a channel (subscription, channel, reason)
    ├── KibanaError           Kibana refused or did not answer an import
    └── LocalNodeError        the embedded Elasticsearch could not be fetched or started

Expected rejects (an off-topic item, a duplicate story) are not errors: they are logged and skipped.
Messages, reasons and problems pass through `pipeline.redact`, since they end up in logs, pages and
alerts; the URLs an error carries as data (`url`) stay as given, for the code that acts on them.
"""

from __future__ import annotations

from datetime import datetime

from pipeline.redact import redact


class NewswatchError(Exception):
    """Base class: catch this to handle any failure the pipeline reports on purpose."""

    def __init__(self, *args: object) -> None:
        """The message never shows a URL's password or a secret parameter, whoever prints it."""
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class LabelsError(NewswatchError, ValueError):
    """A labelled file for evaluation or training that cannot be read as given (named in the message)."""


class ConfigError(NewswatchError):
    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, redact(problem)
        super().__init__(f"{path}: {key}: {problem}")


class SettingsError(ConfigError):
    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        NewswatchError.__init__(self, f"{variable}: {problem}")
        self.path, self.key, self.problem = "(environment)", variable, redact(problem)


class FetchError(NewswatchError):
    """`kind` is short and stable (timeout, refused, too_large, http_404, deferred …): reports group by it."""

    def __init__(self, url: str, kind: str, reason: str, status: int | None = None,
                 retry_after: datetime | None = None) -> None:
        self.url, self.kind, self.reason, self.status, self.retry_after = url, kind, redact(reason), status, retry_after
        super().__init__(f"{url}: {kind}: {reason}")


class FeedError(NewswatchError):
    """`kind` is short and stable (timeout, http_404, not_a_feed, malformed_xml …): health pages group by it."""

    def __init__(self, feed_id: str, url: str, kind: str, reason: str, status: int | None = None) -> None:
        self.feed_id, self.url, self.kind, self.reason, self.status = feed_id, url, kind, redact(reason), status
        super().__init__(f"feed {feed_id} ({url}): {kind}: {reason}")


class FeedsFailed(NewswatchError):
    def __init__(self, failed: int, polled: int, samples: list[str]) -> None:
        self.failed, self.polled = failed, polled
        super().__init__(f"{failed} of {polled} feeds failed: {'; '.join(samples)}")


class AnalysisFailed(NewswatchError):
    """The extractors failed on many texts of one chunk: a fault of the code or its data, not of the texts."""

    def __init__(self, failed: int, total: int, sample: str) -> None:
        self.failed, self.total = failed, total
        super().__init__(f"analysis failed on {failed} of {total} stories (e.g. {sample}); none was set aside: "
                         "they wait for a fixed version")


class StoreError(NewswatchError):
    def __init__(self, operation: str, reason: str) -> None:
        self.operation, self.reason = operation, redact(reason)
        super().__init__(f"Elasticsearch {operation}: {reason}")


class StoreUnavailable(StoreError):
    pass


class LocalNodeDown(StoreUnavailable):
    """The checkout's own node (found through its state file, or the default URL) is not answering."""

    def __init__(self, url: str, where: str) -> None:
        self.operation, self.reason = "connecting", f"{url} did not answer"
        NewswatchError.__init__(self, f"the local Elasticsearch is not running: start it with scripts/run.sh "
                                      f"({where}; or set NEWSWATCH_ES_URL)")


class WriteRejected(StoreError):
    def __init__(self, kind: str, rejected: dict[str, str]) -> None:
        self.kind, self.rejected = kind, rejected
        sample = "; ".join(f"{doc_id}: {reason}" for doc_id, reason in list(rejected.items())[:3])
        super().__init__(f"bulk write of {kind}", f"{len(rejected)} documents rejected ({sample})")


class WritesBlocked(StoreError):
    """Elasticsearch refuses writes to an index (`cluster_block_exception`): writing on would lose documents.

    `operation` is what was being written (`bulk write of stories`); `index` the index that refused (empty
    when unknown); `block` Elasticsearch's own text, which names the index and the block.
    """

    def __init__(self, operation: str, index: str, block: str) -> None:
        self.index, self.block = index, block
        hint = (" (the disk passed the flood-stage watermark: free disk space; Elasticsearch lifts the block"
                " itself once usage is below the high watermark)" if "read-only-allow-delete" in block else "")
        super().__init__(operation, f"writes refused{f' by {index}' if index else ''}: {block}{hint}")


class DeliveryError(NewswatchError):
    def __init__(self, subscription: str, channel: str, reason: str) -> None:
        self.subscription, self.channel, self.reason = subscription, channel, redact(reason)
        super().__init__(f"subscription {subscription}, channel {channel}: {reason}")


class KibanaError(NewswatchError):
    pass


class LocalNodeError(NewswatchError):
    pass
