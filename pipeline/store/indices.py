"""The indices' lifecycle: templates derived from the documents, first indices behind aliases, new fields,
refresh, dropping, and expiring old records. Hands on `IndexLifecycle`, a part of `Store`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime
from typing import Any

from elasticsearch import ApiError, NotFoundError

from pipeline.errors import SettingsError, StoreError
from pipeline.redact import redact
from pipeline.store.client import StoreClient, _translated
from pipeline.store.dated import DATED, month_index
from pipeline.store.documents import INDEXED, mapping_of

log = logging.getLogger(__name__)
GENERATION = re.compile(r"-(\d{6})$")  # "newswatch-stories-000002": an index of a kind behind its alias

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

        Each template carries a hash of its mapping, so when nothing changed this costs two requests. The hash
        goes on only once every live index took its mapping: stamped first, a mapping refused part-way (a
        timeout, a killed task) was never tried again, and a strict index refused every write of the new field.
        """
        mappings, digest = self._desired()
        if self._up_to_date(digest):
            return
        refused: list[str] = []
        for kind, mapping in mappings.items():
            name = self.index(kind)
            self.put_template(kind, mapping, "")  # stamped below, once every live index took its mapping
            if not self.client.indices.exists_alias(name=name):
                if self.client.indices.exists(index=name):
                    raise StoreError("creating the indices", f"{name} is an index, not an alias (made before "
                                     f"aliases): move it behind one once with `newswatch reindex {kind}`")
                if kind not in DATED and self._behind_lost_alias(name):
                    self.client.indices.put_mapping(index=name, properties=mapping["properties"])
                    continue
                first = month_index(name, self.now()) if kind in DATED else f"{name}-000001"
                try:
                    self.client.indices.create(index=first, aliases={} if kind in DATED else
                                               {name: {"is_write_index": True}})
                except ApiError as exc:
                    if exc.meta.status != 400 or "resource_already_exists" not in str(exc):
                        raise  # another task created it first: fine
            else:
                if kind in DATED:
                    self._map_months(kind, mapping)
                else:
                    refused += self._map_live(kind, name, mapping)
                self.client.indices.put_settings(index=name, settings={  # shards: only new indices
                    "number_of_replicas": self.index_settings(kind)["number_of_replicas"]})
        for kind, mapping in mappings.items():  # a mapping refused part-way is tried again by the next open
            self.put_template(kind, mapping, digest)
        if refused:  # said once, by this open; the next ones go on (stamped: not tried again by every task)
            raise StoreError("checking the indices", "; ".join(refused))

    def _map_live(self, kind: str, name: str, mapping: dict[str, Any]) -> list[str]:
        """New fields into the live index; what it refuses for good (a field's type changed), with the way out.
        A timeout or a killed task raises: the template stays unstamped and the next open tries again."""
        try:
            self.client.indices.put_mapping(index=name, properties=mapping["properties"])
        except ApiError as exc:
            if exc.meta.status != 400:
                raise
            return [f"{name} cannot take the current mapping ({redact(str(exc))[:500]}): move it once with "
                    f"`newswatch reindex {kind}`; tasks opening the store go on meanwhile"]
        return []

    def _behind_lost_alias(self, name: str) -> bool:
        """Put the alias back on the one index of the kind left without it (removed by hand, or a move stopped
        at its swap); False when there is none. A first index made beside it would have hidden every document
        stored, and a reindex of the stray index writes made then would have deleted them."""
        found = sorted(n for n in self.client.indices.get(index=f"{name}-*", allow_no_indices=True,
                                                          expand_wildcards="all").body
                       if GENERATION.fullmatch(n.removeprefix(name)))
        if len(found) > 1:
            raise StoreError("creating the indices", f"{name} names no index, but {', '.join(found)} exist: point it at "
                             "the one holding the kind's documents (POST _aliases, is_write_index) and delete the other")
        if found:
            log.warning("%s named no index: put back on %s, which holds the kind's documents", name, found[0])
            self.client.indices.update_aliases(actions=[{"add": {"index": found[0], "alias": name, "is_write_index": True}}])
        return bool(found)

    def _map_months(self, kind: str, mapping: dict[str, Any]) -> None:
        """New fields into each month's index; a month that cannot take the mapping (a field's type changed)
        keeps its own, with a warning: next month's index takes the new one from the template, and until then
        every task opening the store must still run (`newswatch reindex` cannot help while this one fails)."""
        writing = month_index(self.index(kind), self.now())
        for month in sorted(self.client.indices.get_alias(name=self.index(kind)).body):
            try:
                self.client.indices.put_mapping(index=month, properties=mapping["properties"])
                continue
            except ApiError as exc:
                if exc.meta.status != 400:
                    raise
                refused = redact(str(exc))[:300]
            have = self.client.indices.get_mapping(index=month).body[month]["mappings"].get("properties", {})
            new = {k: v for k, v in mapping["properties"].items() if k not in have}
            if new:  # the new fields at least (put_mapping is all or nothing): this month's records carry them
                self.client.indices.put_mapping(index=month, properties=new)
            if month >= writing:  # the month written to now: its records may be refused until it ends
                log.error("%s (written to now) cannot take the changed mapping (%s): its new fields were added; "
                          "a record whose changed field it cannot hold is refused until next month's index", month,
                          refused)
            else:
                log.warning("%s keeps its mapping (%s); the indices of later months take the new one", month, refused)

    def _desired(self) -> tuple[dict[str, dict[str, Any]], str]:
        """Every kind's mapping, and the hash of the mappings and index settings the templates carry."""
        mappings = {kind: mapping_of(model) for kind, model in INDEXED.items()}
        if self.language_analyzers():
            mappings = {kind: with_language_fields(kind, mapping) for kind, mapping in mappings.items()}
        layout = {kind: self.index_settings(kind) for kind in mappings}
        return mappings, hashlib.sha256(json.dumps([mappings, layout], sort_keys=True).encode()).hexdigest()[:16]

    @_translated("writing an index template")
    def put_template(self, kind: str, mapping: dict[str, Any] | None = None, digest: str | None = None) -> None:
        """The template new indices of `kind` are made from: the current mapping and index settings."""
        if mapping is None or digest is None:
            mappings, digest = self._desired()
            mapping = mappings[kind]
        name = self.index(kind)
        template: dict[str, Any] = {"settings": self.index_settings(kind), "mappings": mapping}
        if kind in DATED:  # every month's index joins the alias readers use
            template["aliases"] = {name: {}}
        self.client.indices.put_index_template(name=name, index_patterns=[f"{name}-*"], priority=100,
                                               template=template,
                                               meta={"managed_by": "newswatch", "mapping_hash": digest})

    def index_settings(self, kind: str) -> dict[str, Any]:
        """Shards, replicas and refresh of a kind's new indices, from `NEWSWATCH_ES__*`."""
        for variable, given in (("SHARDS_BY_INDEX", self.layout.shards_by_index),
                                ("REPLICAS_BY_INDEX", self.layout.replicas_by_index)):
            if unknown := set(given) - set(INDEXED):
                raise SettingsError(f"NEWSWATCH_ES__{variable}", f"unknown index {', '.join(sorted(unknown))} "
                                                                 f"(one of {', '.join(INDEXED)})")
        return {"number_of_shards": self.layout.shards_of(kind), "number_of_replicas": self.layout.replicas_of(kind),
                "refresh_interval": "1s" if kind in ("stories", "quotes") else "5s"}

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
            ok = self.delete_hits(kind, hits, refresh=True).ok
            deleted += ok
            if ok == 0:
                return deleted
