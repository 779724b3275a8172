"""The clustering stage's queries: recent stories sharing MinHash bands, and a cluster's members.
Hands on `ClusterQueries`, a part of `Store`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipeline.store.client import StoreClient
from pipeline.store.documents import Story


class ClusterQueries(StoreClient):
    def stories_sharing_bands(self, bands: list[str], since: datetime, limit: int = 2000) -> list[dict[str, Any]]:
        """Recent stories with any of these LSH band keys: the candidates for being the same story."""
        if not bands:
            return []
        query = {"bool": {"filter": [{"terms": {"minhash_bands": bands}},
                                     {"range": {"ingested": {"gte": since.isoformat()}}}]}}
        fields = ["story_id", "cluster_id", "minhash", "minhash_bands", "ingested"]
        out = []
        for hit in self.scan("stories", query, [{"ingested": "asc"}, {"story_id": "asc"}], page=500, source=fields):
            out.append(hit)
            if len(out) >= limit:
                break
        return out

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[Story]:
        """The stories of one cluster (the syndicated copies of a wire story)."""
        return list(self.scan("stories", {"term": {"cluster_id": cluster_id}}, [{"ingested": "asc"},
                                                                                {"story_id": "asc"}], page=limit))[:limit]
