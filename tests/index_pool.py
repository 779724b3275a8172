"""Index sets reused between tests: creating a store's eleven indices costs seconds on a busy node, emptying
them costs a fraction of that.

A test that asks for `store` gets an index prefix whose indices are already made (as the `store` fixture would
make them) and hold no document. After the test its set goes back to the pool only when it is exactly as it was
handed out — the same indices, settings, mappings, aliases and templates (no write block left on, no month
index added, no mapping changed) — and once every document is deleted; anything else is dropped, as before.
So a test still starts from what a fresh `Store.open` makes, and still cannot see another test's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.settings import Settings
from pipeline.store import Store
from pipeline.timing import utcnow


def shape(client: Elasticsearch, prefix: str) -> dict[str, Any]:
    """Everything about a prefix's indices except their documents."""
    pattern = f"{prefix}-*"
    return {"settings": client.indices.get_settings(index=pattern).body,
            "mappings": client.indices.get_mapping(index=pattern).body,
            "aliases": client.indices.get_alias(index=pattern).body,
            "templates": client.indices.get_index_template(name=pattern).body}


def layout_key(store: Store) -> tuple[str, str]:
    """What a set is made for: the mappings and index settings (their hash, as the templates carry it) and the
    month (the first index of a dated kind is the current month's)."""
    return store._desired()[1], utcnow().strftime("%Y-%m")  # the same hash `ensure` compares


def empty(client: Elasticsearch, prefix: str) -> bool:
    """Delete every document under the prefix (the test node has no delete-by-query); True when none is left."""
    pattern = f"{prefix}-*"
    client.indices.refresh(index=pattern)
    hits = helpers.scan(client, index=pattern, query={"query": {"match_all": {}}}, _source=False)
    helpers.bulk(client, ({"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits),
                 refresh=True)
    return client.count(index=pattern)["count"] == 0


@dataclass
class IndexPool:
    es_url: str
    free: list[str] = field(default_factory=list)
    handed: dict[str, tuple[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)  # prefix → key, shape
    pooled: dict[str, tuple[str, str]] = field(default_factory=dict)  # free or taken from the pool → its key

    def take(self) -> str | None:
        return self.free.pop() if self.free else None

    def open(self, settings: Settings) -> Store:
        """`Store.open` for the `store` fixture; a pooled set made for other settings is dropped first."""
        prefix = settings.index_prefix
        with Store.open(settings, ensure=False) as probe:
            if prefix in self.pooled and self.pooled.pop(prefix) != layout_key(probe):
                probe.drop()
        store = Store.open(settings)
        if store.client.count(index=f"{prefix}-*")["count"] == 0:  # only a set that starts empty is reused
            self.handed[prefix] = (layout_key(store), shape(store.client, prefix))
        return store

    def give_back(self, prefix: str) -> None:
        """After the test: the set back into the pool, emptied, when it is as handed out; else dropped."""
        self.pooled.pop(prefix, None)
        settings = Settings(es_url=self.es_url, index_prefix=prefix)
        with Store.open(settings, ensure=False) as store:
            key, handed = self.handed.pop(prefix, (None, None))
            try:
                reusable = key is not None and shape(store.client, prefix) == handed and empty(store.client, prefix)
            except Exception:  # noqa: BLE001 — whatever went wrong, the set is dropped as before
                reusable = False
            if reusable and key is not None:
                self.free.append(prefix)
                self.pooled[prefix] = key
            else:
                store.drop()

    def drop_all(self) -> None:
        for prefix in self.free:
            with Store.open(Settings(es_url=self.es_url, index_prefix=prefix), ensure=False) as store:
                store.drop()
        self.free.clear()
