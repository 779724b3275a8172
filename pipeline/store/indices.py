"""The indices' lifecycle: templates derived from the documents, first indices behind aliases, new fields,
refresh, dropping, and expiring old records. Hands on `IndexLifecycle`, a part of `Store`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from elasticsearch import ApiError, NotFoundError, helpers

from pipeline.store.client import StoreClient, _translated
from pipeline.store.documents import INDEXED, mapping_of

LANGUAGE_FIELDS = {"stories": ("title", "summary", "text"), "quotes": ("quote",)}


def with_language_fields(kind: str, mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping with stemmed English and French sub-fields (`text.en`, `text.fr`) on its prose fields."""
    properties = dict(mapping["properties"])
    for name in LANGUAGE_FIELDS.get(kind, ()):
        properties[name] = {**properties[name], "fields": {
            **properties[name].get("fields", {}),
            "en": {"type": "text", "analyzer": "english"}, "fr": {"type": "text", "analyzer": "french"}}}
    return {**mapping, "properties": properties}


class IndexLifecycle(StoreClient):
    @_translated("checking the indices")
    def ensure(self) -> None:
        """Templates, then a first index behind each alias, then new fields into existing indices; idempotent.

        Each template carries a hash of its mapping, so when nothing changed this costs two requests.
        """
        mappings = {kind: mapping_of(model) for kind, model in INDEXED.items()}
        if self.language_analyzers():
            mappings = {kind: with_language_fields(kind, mapping) for kind, mapping in mappings.items()}
        digest = hashlib.sha256(json.dumps(mappings, sort_keys=True).encode()).hexdigest()[:16]
        if self._up_to_date(digest):
            return
        for kind, mapping in mappings.items():
            name = self.index(kind)
            self.client.indices.put_index_template(
                name=name, index_patterns=[f"{name}-*"], priority=100,
                template={"settings": {"number_of_shards": 1, "number_of_replicas": 0,
                                       "refresh_interval": "1s" if kind in ("stories", "quotes") else "5s"},
                          "mappings": mapping},
                meta={"managed_by": "newswatch", "mapping_hash": digest})
            if not self.client.indices.exists_alias(name=name):
                try:
                    self.client.indices.create(index=f"{name}-000001", aliases={name: {"is_write_index": True}})
                except ApiError as exc:
                    if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
                        raise  # another task created it first: fine
            else:
                self.client.indices.put_mapping(index=name, properties=mapping["properties"])

    def language_analyzers(self) -> bool:
        """Whether the node has the English and French analyzers (the full distribution, not integ-test-zip)."""
        if self._analyzers is None:
            try:
                for analyzer in ("english", "french"):
                    self.client.indices.analyze(analyzer=analyzer, text="réfugiés")
                self._analyzers = True
            except ApiError as exc:
                if exc.meta.status != 400:
                    raise
                self._analyzers = False
        return self._analyzers

    def _up_to_date(self, digest: str) -> bool:
        names = [self.index(kind) for kind in INDEXED]
        try:
            templates = self.client.indices.get_index_template(name=f"{self.prefix}-*")["index_templates"]
        except NotFoundError:
            return False
        hashes = {t["name"]: t["index_template"].get("_meta", {}).get("mapping_hash") for t in templates}
        if any(hashes.get(name) != digest for name in names):
            return False
        try:
            aliases = self.client.indices.get_alias(name=",".join(names)).body
        except NotFoundError:  # some alias is missing
            return False
        present = {alias for index in aliases.values() for alias in index.get("aliases", {})}
        return set(names) <= present

    @_translated("deleting the indices")
    def drop(self) -> None:
        """Delete every index and template of this prefix (tests and `newswatch reset`)."""
        self.client.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True, allow_no_indices=True)
        for kind in INDEXED:
            self.client.options(ignore_status=404).indices.delete_index_template(name=self.index(kind))

    @_translated("checking the mapping")
    def live_mapping(self, kind: str) -> dict[str, Any]:
        body = self.client.indices.get_mapping(index=self.index(kind)).body
        return dict(next(iter(body.values()))["mappings"])

    @_translated("expiring old records")
    def expire(self, kind: str, time_field: str, before: datetime, page: int = 1000) -> int:
        """Delete documents older than `before` (the node has no delete-by-query: ids are read, then deleted)."""
        deleted = 0
        self.client.indices.refresh(index=self.index(kind))
        query = {"range": {time_field: {"lt": before.isoformat()}}}
        while True:
            hits = self.client.search(index=self.index(kind), query=query, size=page, source=False)["hits"]["hits"]
            if not hits:
                return deleted
            actions = ({"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits)
            ok, _ = helpers.bulk(self.client, actions, raise_on_error=False, refresh=True)
            deleted += ok
            if ok == 0:
                return deleted
