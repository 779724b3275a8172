"""Elasticsearch as an operator needs to see it: cluster status, nodes, unassigned shards, disk, and whether
writes are at risk (a red cluster, a read-only block on one of our indices after a disk watermark).

Hands on `ClusterHealth` and `cluster_health(store)`; the health page shows it above the feeds, and
`newswatch cluster` prints it. Three requests, all cheap: cluster health, the blocks of the cluster
state (kept for this prefix's indices) and disk allocation per node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from pipeline.errors import StoreUnavailable
from pipeline.store.client import StoreClient, _translated

DISK_WARNING = 85.0  # percent used: Elasticsearch's default low watermark (no new shards on the node)
BLOCK_NAMES = {"read-only-allow-delete": "read-only (disk flood-stage watermark)", "index read-only": "read-only",
               "index write": "write-blocked (a reindex swapping, or an operator)", "no master": "no master node",
               "cluster read-only": "cluster read-only"}


@dataclass(frozen=True)
class ClusterHealth:
    status: str  # green | yellow | red | unreachable
    cluster: str = ""
    nodes: int = 0
    data_nodes: int = 0
    unassigned_shards: int = 0
    blocked: dict[str, str] = field(default_factory=dict)  # index (or "cluster") → what the block is
    disk_percent: dict[str, float] = field(default_factory=dict)  # node → disk used
    problems: list[str] = field(default_factory=list)  # plain sentences, the worst first

    @property
    def writes_at_risk(self) -> bool:
        """Writes will fail now (red, a block) or soon (a data node's disk past the low watermark)."""
        return self.status in ("red", "unreachable") or bool(self.blocked) or any(
            p >= DISK_WARNING for p in self.disk_percent.values())


def _block_name(description: str) -> str:
    for key, name in BLOCK_NAMES.items():
        if key in description:
            return name
    return description


@_translated("reading cluster health")
def _read(store: StoreClient) -> ClusterHealth:
    health = store.client.cluster.health()
    blocks = store.client.cluster.state(metric="blocks").get("blocks", {})  # (it ignores an index filter)
    whole = sorted({_block_name(b.get("description", "")) for b in blocks.get("global", {}).values()})
    blocked = {"the cluster": ", ".join(whole)} if whole else {}
    for index, found in blocks.get("indices", {}).items():
        if not index.startswith(f"{store.prefix}-"):
            continue
        blocked[index] = ", ".join(sorted({_block_name(b.get("description", "")) for b in found.values()}))
    rows = cast(list[dict[str, Any]], store.client.cat.allocation(format="json").body)
    disk = {row["node"]: float(row["disk.percent"]) for row in rows
            if row.get("disk.percent") not in (None, "") and row.get("node") != "UNASSIGNED"}
    status, unassigned = str(health["status"]), int(health["unassigned_shards"])
    problems = []
    if status == "red":
        problems.append(f"Cluster RED: {int(health.get('unassigned_primary_shards', unassigned))} primary shards "
                        "have no node; writes to them fail, so polls fail and are retried until a node is back.")
    for index, block in sorted(blocked.items()):
        problems.append(f"{index} is {block}: every write to it is refused; polls fail and are retried until "
                        "the block is lifted." + (" Free disk space; Elasticsearch lifts this block itself once "
                                                 "usage falls below the high watermark." if "disk" in block else ""))
    for node, percent in sorted(disk.items()):
        if percent >= DISK_WARNING:
            problems.append(f"Node {node} disk {percent:.0f}% used: past the low watermark (85%); at 95% (flood "
                            "stage) Elasticsearch makes its indices read-only.")
    if status == "yellow":
        problems.append(f"Cluster yellow: {unassigned} replica shards unassigned, so some data has one copy only "
                        "(normal on one node with replicas set: NEWSWATCH_ES__REPLICAS=0 there).")
    return ClusterHealth(status, str(health.get("cluster_name", "")), int(health["number_of_nodes"]),
                         int(health["number_of_data_nodes"]), unassigned, blocked, disk, problems)


def cluster_health(store: StoreClient) -> ClusterHealth:
    """The cluster as seen now; an unreachable cluster is a status too, not an exception."""
    try:
        return _read(store)
    except StoreUnavailable as exc:
        return ClusterHealth("unreachable", problems=[f"{exc}: nothing can be written or read."])
