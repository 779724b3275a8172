"""The clustering stage's queries: recent stories sharing MinHash bands, and a cluster's members.
Hands on `ClusterQueries`, a part of `Store`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any

from pipeline.store.client import StoreClient


class ClusterQueries(StoreClient):
    def stories_sharing_bands(self, bands: list[str], since: datetime, limit: int = 2000) -> list[dict[str, Any]]:
        """Recent stories with any of these LSH band keys, the newest `limit`: the candidates for being the same story.

        A whole batch's bands are asked at once, and a busy window (a wire story carried everywhere, a band many
        texts share) passes the limit. Read oldest first, the cut fell on the newest, the copies a new story is
        most likely one of, and it started its own cluster (an alert of its own). Newest first, what is cut is
        the oldest, whose clusters their later members carry; the limit stays, since reading every match would
        hold every signature a busy window shares a band with, for each batch."""
        if not bands:
            return []
        query = {"bool": {"filter": [{"terms": {"minhash_bands": bands}},
                                     {"range": {"ingested": {"gte": since.isoformat()}}}]}}
        fields = ["story_id", "cluster_id", "minhash", "minhash_bands", "ingested"]
        out = []
        for hit in self.scan("stories", query, [{"ingested": "desc"}, {"story_id": "asc"}], page=500, source=fields):
            out.append(hit)
            if len(out) >= limit:
                break
        return out

    def cluster_members(self, cluster_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The first `limit` stories of one cluster (the syndicated copies of a wire story), id and outlet only:
        a wire story carried by a thousand outlets is read one page deep, not whole for each of its copies."""
        found = self.scan("stories", {"term": {"cluster_id": cluster_id}}, [{"ingested": "asc"}, {"story_id": "asc"}],
                          page=limit, source=["story_id", "outlet"])
        return list(islice(found, limit))
