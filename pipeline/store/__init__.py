"""The store: Elasticsearch indices, the documents kept in them, and the queries each stage asks.

Hands on `Store` (open it with `Store.open(settings)`): the client (`client`), the index lifecycle
(`indices`) and one module of queries per stage (`stories`, `clusters`, `feeds`, `events`, `alerts`, `search`);
the stored shapes are in `documents`. It imports only base modules, so every stage may use it.
For a cluster: time-based records in monthly indices (`dated`, expired by `retention`), moving a
kind to a new mapping while writers go on (`reindex`), and the cluster as operators see it
(`cluster_health`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline.errors import LocalNodeDown, StoreUnavailable
from pipeline.settings import Settings
from pipeline.store.alerts import AlertQueries
from pipeline.store.client import BulkResult
from pipeline.store.clusters import ClusterQueries
from pipeline.store.events import EventQueries
from pipeline.store.feeds import FeedQueries
from pipeline.store.indices import IndexLifecycle
from pipeline.store.search import Page, SearchQueries
from pipeline.store.stories import StoryQueries
from pipeline.timing import utcnow

__all__ = ["BulkResult", "Page", "Store"]


class Store(SearchQueries, IndexLifecycle, StoryQueries, ClusterQueries, FeedQueries, AlertQueries, EventQueries):
    """One Elasticsearch, one index prefix; build it once per task or command with `Store.open`."""

    @classmethod
    def open(cls, settings: Settings, ensure: bool = True, clock: Callable[[], datetime] = utcnow) -> Store:
        """Connect and make sure the indices exist."""
        store = cls.connect(settings, clock)
        if ensure:
            try:
                store.ensure()
            except StoreUnavailable:
                if settings.es_url_origin == "given":
                    raise
                store.close()  # no URL was given: the local node was meant, and a hint to start it helps most
                where = f"{settings.es_url} from {settings.local_node_file}" \
                    if settings.es_url_origin == "local node" else f"none recorded in {settings.local_node_file}"
                raise LocalNodeDown(settings.es_url, where) from None
        return store
