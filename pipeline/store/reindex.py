"""Move one kind (stories, quotes …) to a new physical index with the current mapping and settings while
writers go on, and swing its alias over: `newswatch reindex`.

The node of the tests has no `_reindex` API, so the copy is done here, and it is built so that no
document is lost or doubled while a poll pass writes:

1. The new index is made from the current template *outside* the alias: every reader and writer
   still uses the old index alone, so reads by id, partial updates and the exactly-once creates
   behave as before.
2. The copy goes shard by shard in `_seq_no` order, up to each shard's global checkpoint (every
   operation at or below it is in the index, so a refresh shows them all: a later number can never
   become visible before an earlier one is copied). Each document is written with its `_seq_no` as an
   external version, so an older copy never overwrites a newer one. Passes repeat from the
   checkpoints: a document changed after it was copied is copied again.
3. When a pass finds few changes, the old index gets a write block. Writers' requests are refused
   with `index write (api)` and sent again by the store (`StoreClient._bulk`, up to
   `NEWSWATCH_ES__WRITE_BLOCK_WAIT` seconds); the last changes are copied, documents deleted
   meanwhile are deleted from the copy, and the counts must agree.
4. One `_aliases` request moves the alias and its write index to the new index, atomically for every
   reader and writer; the held writes then land there. The old index is deleted.

Anything that fails before the swap deletes the new index and lifts the block: the kind is as it was;
a move killed outright is cleaned up by the next one (run one move of a kind at a time). A writer's
compare-and-set read from the old index (an alert claim) fails after the swap and is tried again on
its next pass, as when another pass holds the record.
A deployment older than aliases (an index named like the alias) is moved behind the alias the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from elasticsearch import helpers

from pipeline.errors import StoreError
from pipeline.store.client import _translated
from pipeline.store.dated import DATED
from pipeline.store.indices import GENERATION, IndexLifecycle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReindexReport:
    kind: str
    old_index: str
    new_index: str
    copied: int  # copies written, a document changed during the move counts once per copy
    passes: int
    documents: int  # in the new index once the alias moved: the old index's count at the swap
    seconds: float
    blocked_seconds: float  # how long writers were held


@_translated("reindexing")
def reindex(store: IndexLifecycle, kind: str, settle: int = 100, max_passes: int = 20,
            on_pass: Callable[[int, int], None] | None = None) -> ReindexReport:
    """Move `kind` to a new index made from its current template; writers may keep writing meanwhile.

    `settle`: the changes a pass may still find before writes are held for the last one.
    `on_pass(pass_number, copied)` is called after each pass (progress, and the tests' hook).
    """
    if kind in DATED:
        raise StoreError("reindexing", f"{kind} lives in monthly indices: a new month's index has the new mapping")
    started = time.monotonic()
    store.put_template(kind)  # the new mapping, even one the live index could not take
    alias = store.index(kind)
    old = _current(store, alias)
    _clean_leftovers(store, alias, old)
    new = _next_name(alias, old)
    store.client.indices.create(index=new)  # settings and mapping from the template; no alias
    copied = passes = 0
    blocked_at: float | None = None
    swapped: bool | None = False  # None: the swap's answer was lost and the alias cannot be read to tell
    try:
        checkpoints: dict[int, int] = {}
        while True:
            passes += 1
            found = _copy_changes(store, old, new, checkpoints)
            copied += found
            if on_pass:
                on_pass(passes, found)
            if found < settle or passes >= max_passes:
                break
        store.client.indices.put_settings(index=old, settings={"index.blocks.write": True})
        blocked_at = time.monotonic()
        _wait_settled(store, old)
        passes += 1
        copied += _copy_changes(store, old, new, checkpoints)
        documents = _reconcile(store, old, new)
        actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias, "is_write_index": True}}]
        actions.append({"remove_index": {"index": old}} if old == alias else {"remove": {"index": old, "alias": alias}})
        try:
            store.client.indices.update_aliases(actions=actions)
        except BaseException as exc:  # Ctrl-C too, while the cluster applies the swap
            # the swap may have taken effect with its answer lost (a timeout; a retry then finds no alias to
            # remove): cleaning up would delete the index the alias now names, with the writes sent since
            swapped = _names(store, alias, new)
            if not swapped:
                if swapped is None:
                    log.error("reindex %s: the alias swap's outcome is unknown; %s and %s are both kept and %s stays "
                              "write-blocked: check `GET _alias/%s` before anything else", kind, old, new, old, alias)
                raise
            if not isinstance(exc, Exception):
                log.warning("reindex %s: stopped after the alias swap took effect; %s, write-blocked, may be deleted",
                            kind, old)
                raise
            log.warning("reindex %s: the alias swap answered with an error but took effect", kind)
        swapped = True
        blocked = time.monotonic() - blocked_at
        if old != alias:
            store.client.indices.delete(index=old)
    finally:
        if swapped is False:
            store.client.options(ignore_status=404).indices.delete(index=new)
            if blocked_at is not None:
                store.client.indices.put_settings(index=old, settings={"index.blocks.write": None})
    log.info("reindexed %s: %s → %s, %d documents, %d copies in %d passes, writes held %.1f s", kind, old, new,
             documents, copied, passes, blocked)
    return ReindexReport(kind, old, new, copied, passes, documents, time.monotonic() - started, blocked)


def _current(store: IndexLifecycle, alias: str) -> str:
    """The physical index behind the alias (or the old index of the alias's own name)."""
    if not store.client.indices.exists_alias(name=alias):
        if store.client.indices.exists(index=alias):
            return alias
        raise StoreError("reindexing", f"{alias} does not exist: run `newswatch init` first")
    found = store.client.indices.get_alias(name=alias).body
    if len(found) != 1:
        raise StoreError("reindexing", f"{alias} points to {len(found)} indices ({', '.join(sorted(found))}): "
                                       "a move was interrupted after its swap; delete the one that is not the "
                                       "write index once its documents are checked")
    return str(next(iter(found)))


def _clean_leftovers(store: IndexLifecycle, alias: str, old: str) -> None:
    """A move that died before its swap left a half copy and perhaps the block: start again from the old index."""
    names = store.client.indices.get(index=f"{alias}-*", allow_no_indices=True, expand_wildcards="all").body
    for name in names:
        if name != old and GENERATION.search(name):
            log.warning("deleting %s, the unfinished copy of an interrupted reindex", name)
            store.client.indices.delete(index=name)
    store.client.indices.put_settings(index=old, settings={"index.blocks.write": None})


def _next_name(alias: str, old: str) -> str:
    found = GENERATION.search(old)
    return f"{alias}-{int(found.group(1)) + 1 if found else 1:06d}"


def _checkpoints(store: IndexLifecycle, index: str) -> dict[int, tuple[int, int]]:
    """Per shard of the index: (global checkpoint, max seq no) of its primary."""
    shards = store.client.indices.stats(index=index, level="shards")["indices"][index]["shards"]
    out = {}
    for number, copies in shards.items():
        primary = next(c for c in copies if c["routing"]["primary"])
        out[int(number)] = (primary["seq_no"]["global_checkpoint"], primary["seq_no"]["max_seq_no"])
    return out


def _copy_changes(store: IndexLifecycle, old: str, new: str, done: dict[int, int]) -> int:
    """Copy every document changed since the last pass (`done`: per shard, the checkpoint copied up to)."""
    limits = {shard: checkpoint for shard, (checkpoint, _) in _checkpoints(store, old).items()}
    store.client.indices.refresh(index=old)  # after the checkpoints: everything at or below them is visible
    copied = 0
    for shard, limit in limits.items():
        since = done.get(shard, -1)
        if limit <= since:
            continue
        actions = ({"_index": new, "_id": hit["_id"], "_source": hit["_source"], "version": hit["_seq_no"],
                    "version_type": "external"} for hit in _changed(store, old, shard, since, limit))
        for ok, item in helpers.streaming_bulk(store.client, actions, chunk_size=500, raise_on_error=False,
                                               max_retries=2):
            info = next(iter(item.values()))
            if ok:
                copied += 1
            elif info.get("status") != 409:  # 409: a newer copy is already there
                raise StoreError("reindexing", f"copying {info.get('_id')} into {new}: {info.get('error')}")
        done[shard] = limit
    store.client.indices.refresh(index=new)
    return copied


def _changed(store: IndexLifecycle, index: str, shard: int, since: int, limit: int) -> Iterator[dict[str, Any]]:
    after: list[Any] | None = None
    while True:
        extra: dict[str, Any] = {"search_after": after} if after else {}
        hits = store.client.search(index=index, preference=f"_shards:{shard}", size=1000, seq_no_primary_term=True,
                                   query={"range": {"_seq_no": {"gt": since, "lte": limit}}},
                                   sort=[{"_seq_no": "asc"}], **extra)["hits"]["hits"]
        yield from hits
        if len(hits) < 1000:
            return
        after = hits[-1]["sort"]


def _names(store: IndexLifecycle, alias: str, index: str) -> bool | None:
    """Whether the alias names the index now; None when that cannot be read either."""
    try:
        return index in store.client.options(ignore_status=404).indices.get_alias(name=alias).body
    except Exception:
        return None


def _wait_settled(store: IndexLifecycle, index: str, timeout: float = 30.0) -> None:
    """Once writes are blocked, wait until every operation begun before is in: checkpoint = max seq no."""
    deadline = time.monotonic() + timeout
    while any(checkpoint < top for checkpoint, top in _checkpoints(store, index).values()):
        if time.monotonic() > deadline:
            raise StoreError("reindexing", f"{index}: operations still in flight {timeout:.0f} s after the write block")
        time.sleep(0.2)


def _ids(store: IndexLifecycle, index: str) -> set[str]:
    pit = store.client.open_point_in_time(index=index, keep_alive="2m")["id"]
    out: set[str] = set()
    after: list[Any] | None = None
    try:
        while True:
            extra: dict[str, Any] = {"search_after": after} if after else {}
            hits = store.client.search(pit={"id": pit, "keep_alive": "2m"}, size=5000, source=False,
                                       sort=[{"_shard_doc": "asc"}], **extra)["hits"]["hits"]
            out |= {h["_id"] for h in hits}
            if len(hits) < 5000:
                return out
            after = hits[-1]["sort"]
    finally:
        store.client.close_point_in_time(id=pit)


def _reconcile(store: IndexLifecycle, old: str, new: str) -> int:
    """With writes held: delete from the copy what was deleted from the old index meanwhile; counts must agree."""
    store.client.indices.refresh(index=[old, new])
    want, have = store.client.count(index=old)["count"], store.client.count(index=new)["count"]
    if have > want:  # the copy holds every old document, so extra ones were deleted after being copied
        gone = _ids(store, new) - _ids(store, old)
        helpers.bulk(store.client, ({"_op_type": "delete", "_index": new, "_id": i} for i in gone), refresh=True)
        have = store.client.count(index=new)["count"]
    if have != want:
        raise StoreError("reindexing", f"{new} has {have} documents, {old} {want}: nothing was moved")
    return int(want)
