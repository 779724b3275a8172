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
        self.quarantine: Executor | None = None  # the pool those jobs run in, one at a time

    async def run(self, func: Any, *args: Any) -> Any:
        """`func(*args)` in a worker; past the deadline, JobTimeout (the worker is ended later).

        A worker process that dies breaks its whole pool: every job in it, and every later one, would fail.
        The pool is replaced, and each job of the broken one is tried once more by itself in a pool of its own
        (`_alone`), beside the others' work: a job whose worker dies there is the one that killed it
        (WorkerDied), and the others of the broken pool go through."""
        await self.slots.acquire()
        pool = self.pool
        try:
            result = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(pool, func, *args), self.timeout)
        except TimeoutError:
            self.stuck = True
            self._lose_worker()
            raise JobTimeout(self.timeout) from None
        except asyncio.CancelledError:  # the pass deadline: a job already running cannot be cancelled, only ended
            self.stuck = True
            raise
        except BrokenExecutor:
            self.slots.release()
            self._replace(pool, "a parse worker died: its pool is replaced")
            return await self._alone(func, *args)
        except BaseException:
            self.slots.release()
            raise
        self.slots.release()
        return result

    async def _alone(self, func: Any, *args: Any) -> Any:
        """A job of a broken pool, once more, with no other job in its pool (one at a time): it holds no slot
        of the main pool, so nothing waits on it there."""
        async with self.alone:
            self.quarantine = self.quarantine or self.start()
            pool = self.quarantine
            try:
                return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(pool, func, *args),
                                              self.timeout)
            except TimeoutError:
                stop_workers(pool)  # only this job was in it
                self.quarantine = None
                raise JobTimeout(self.timeout) from None
            except BrokenExecutor:
                stop_workers(pool)
                self.quarantine = None
                raise WorkerDied() from None
            except asyncio.CancelledError:  # the pass ends with it running: `end` stops it, not waits for it
                self.stuck = True
                raise

    def end(self) -> None:
        """At the end of the pass: a worker still busy past its deadline is ended, not waited for (in the main
        pool, or in the one a job of a broken pool runs alone in)."""
        if self.stuck:
            stop_workers(self.pool)
            if self.quarantine is not None:
                stop_workers(self.quarantine)
                self.quarantine = None

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
