"""Story clusters: syndicated copies and near-duplicates share one `cluster_id`.

Each story gets a MinHash signature of its word 5-grams (datasketch) and LSH band keys; the band
keys are indexed, so Elasticsearch is the LSH index: a new story's candidates are the recent
stories sharing a band, and it joins the cluster of the most similar one whose estimated Jaccard
similarity reaches the threshold; otherwise it starts its own (its story id). Search collapses on
the cluster id, Kibana counts distinct stories with it, and alerts go once per cluster.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipeline.store import Store
from pipeline.store.documents import Story

NUM_PERM = 64
# LSH: a pair of Jaccard s shares a band with probability 1 - (1 - s**ROWS) ** BANDS. 32 bands of 2 rows miss
# a pair at the 0.5 threshold once in 10,000 (16 of 4 missed one in three: such a copy started its own
# cluster, and had an alert of its own); pairs down to about 0.2 become candidates, which the similarity
# then decides (on the 2022 stream: 105 candidate pairs in 1.7 million within three days, against 17).
BANDS, ROWS = 32, 2
LEGACY_BANDS, LEGACY_ROWS = 16, 4  # the keys stories indexed before carry: asked for too, so their copies are found
SHINGLE = 5
_WORD = re.compile(r"\w+")


@dataclass
class Signature:
    hashvalues: list[int]
    bands: list[str]


def prepare() -> None:
    """Import what signing needs ahead of the first story, in a thread while pages are fetched.

    datasketch's package import pulls in scipy and numpy (a third of a second): a pass with nothing
    new must not pay for it, and a pass with new stories should not pay for it on the way to the
    first searchable story."""
    import numpy  # noqa: F401
    from datasketch import MinHash  # noqa: F401


def signature(text: str) -> Signature:
    import numpy as np  # see prepare()
    from datasketch import MinHash

    words = [w.lower() for w in _WORD.findall(text)]
    shingles = {" ".join(words[i: i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=7)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    values = minhash.hashvalues.astype(np.uint64)
    return Signature([int(v) for v in values], _bands(values, BANDS, ROWS, "b") + _bands(values, LEGACY_BANDS, LEGACY_ROWS))


def _bands(values: Any, bands: int, rows: int, prefix: str = "") -> list[str]:
    return [f"{prefix}{b:02d}" + hashlib.blake2b(values[b * rows:(b + 1) * rows].tobytes(), digest_size=8).hexdigest()
            for b in range(bands)]


def similarity(a: list[int], b: list[int]) -> float:
    """The share of equal MinHash values: an estimate of the Jaccard similarity of the two shingle sets."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def assign_clusters(store: Store, stories: list[Story], threshold: float = 0.5, days: int = 3) -> list[Story]:
    """The stories with signature, band keys and cluster id set, against recent stories and each other."""
    signed = []
    for story in stories:
        sig = signature(f"{story.title}\n{story.text}")
        signed.append(story.model_copy(update={"minhash": sig.hashvalues, "minhash_bands": sig.bands}))
    if not signed:
        return []
    since = min(s.ingested for s in signed) - timedelta(days=days)
    known = [Neighbour(d["story_id"], d.get("cluster_id") or d["story_id"], d.get("minhash") or [],
                       set(d.get("minhash_bands") or []), d["ingested"])
             for d in store.stories_sharing_bands(sorted({b for s in signed for b in s.minhash_bands}), since)]
    out: list[Story] = []
    for story in signed:
        bands = set(story.minhash_bands)
        pool = [k for k in known if k.story_id != story.story_id and bands & k.bands]
        pool += [Neighbour(o.story_id, o.cluster_id or o.story_id, o.minhash, set(o.minhash_bands),
                           o.ingested.isoformat()) for o in out if bands & set(o.minhash_bands)]
        scored = [(similarity(story.minhash, other.minhash), other) for other in pool]
        best = max(scored, key=lambda pair: (pair[0], pair[1].ingested), default=None)
        cluster = best[1].cluster_id if best and best[0] >= threshold else story.story_id
        out.append(story.model_copy(update={"cluster_id": cluster}))
    return out


def settled_cluster(store: Store, story: Story, threshold: float = 0.5, days: int = 3) -> str:
    """The cluster of a story asked again once its copies are indexed: of the clusters it and its copies are in,
    the one founded first.

    Two copies flushed at the same moment by parallel poll shards each looked for the other before it was
    written, found nothing and started their own cluster. Asked now, each names the clusters around it and
    keeps the oldest by its founding story (the cluster id is that story's id), so both settle in the same
    one even when one of them had also joined an older cluster the other is not similar enough to."""
    own = story.cluster_id or story.story_id
    if not story.minhash or not story.minhash_bands:
        return own
    window = timedelta(days=days)
    seen = {own: story.ingested}  # cluster → the earliest of its members met here
    for doc in store.stories_sharing_bands(story.minhash_bands, story.ingested - window):
        ingested = datetime.fromisoformat(str(doc["ingested"]))
        if (doc["story_id"] == story.story_id or ingested > story.ingested + window
                or similarity(story.minhash, doc.get("minhash") or []) < threshold):
            continue
        cluster = doc.get("cluster_id") or doc["story_id"]
        seen[cluster] = min(seen.get(cluster, ingested), ingested)
    if len(seen) == 1:
        return own
    founders = store.get_many("stories", list(seen))
    return min(seen, key=lambda c: (founders[c].ingested if c in founders else seen[c], c))


@dataclass
class Neighbour:
    story_id: str
    cluster_id: str
    minhash: list[int]
    bands: set[str]
    ingested: str
