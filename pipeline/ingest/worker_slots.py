"""The poll pass's parse workers, one job per worker at a time, so that a job's deadline is its own.

A job waits for a free worker before its deadline starts: queued behind stuck ones, every later page would
time out too (two hanging pages once timed out every page behind them, and those stories kept only their feed
summary for good). A job past its deadline keeps its worker's slot; once every worker of the pool is stuck,
the pool is ended and a fresh one takes the rest of the pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from typing import Any

from pipeline.ingest.workers import JobTimeout, WorkerDied, pool_size, stop_workers

log = logging.getLogger(__name__)


class Workers:
    def __init__(self, start: Callable[[], Executor], timeout: float) -> None:
        self.start, self.timeout = start, timeout
        self.pool = start()
        self.slots = asyncio.Semaphore(pool_size(self.pool))
        self.lost = 0  # workers of the current pool held by a job past its deadline
        self.stuck = False  # some job ran past its deadline: the pool is ended at the end, not joined
        self.alone = asyncio.Lock()  # a job tried again after its pool broke runs with no other job beside it

    async def run(self, func: Any, *args: Any) -> Any:
        """`func(*args)` in a worker; past the deadline, JobTimeout (the worker is ended later).

        A worker process that dies breaks its whole pool: every job in it, and every later one, would fail.
        The pool is replaced and each job of the broken one is tried once more there, alone (holding every
        worker slot), so a job that kills its worker again is the one that did: WorkerDied for it, and the
        others of the broken pool go through."""
        for attempt in (1, 2):
            held = await self._exclusive() if attempt == 2 else await self._one()
            pool = self.pool
            try:
                result = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(pool, func, *args),
                                                self.timeout)
            except TimeoutError:
                self.stuck = True
                self._release(held - 1)  # the stuck job keeps one worker's slot, as any does
                self._lose_worker()
                raise JobTimeout(self.timeout) from None
            except asyncio.CancelledError:  # the pass deadline: a job already running cannot be cancelled, only ended
                self.stuck = True
                raise
            except BrokenExecutor:
                self._release(held)
                self._replace(pool, "a parse worker died: its pool is replaced")
                if attempt == 2:
                    raise WorkerDied() from None
                continue
            except BaseException:
                self._release(held)
                raise
            self._release(held)
            return result
        raise AssertionError("unreachable")

    async def _one(self) -> int:
        await self.slots.acquire()
        return 1

    async def _exclusive(self) -> int:
        """Every slot a live worker could take, one retry at a time (two gathering slots at once would deadlock)."""
        async with self.alone:
            wanted = max(1, pool_size(self.pool) - self.lost)
            for _ in range(wanted):
                await self.slots.acquire()
            return wanted

    def _release(self, held: int) -> None:
        for _ in range(held):
            self.slots.release()

    def end(self) -> None:
        """At the end of the pass: a worker still busy past its deadline is ended, not waited for."""
        if self.stuck:
            stop_workers(self.pool)

    def _lose_worker(self) -> None:
        self.lost += 1
        if self.lost >= pool_size(self.pool):
            self._replace(self.pool, "every parse worker is stuck past its deadline: they are ended and new ones started")

    def _replace(self, pool: Executor, why: str) -> None:
        """A fresh pool for the rest of the pass (once per pool, however many of its jobs notice); the slots
        stuck jobs held in the old one are free again."""
        if pool is not self.pool:
            return
        log.warning(why)
        stop_workers(pool)
        self.pool, lost, self.lost = self.start(), self.lost, 0
        for _ in range(lost):
            self.slots.release()
