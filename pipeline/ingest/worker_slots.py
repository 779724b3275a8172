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
from concurrent.futures import Executor
from typing import Any

from pipeline.ingest.workers import JobTimeout, pool_size, stop_workers

log = logging.getLogger(__name__)


class Workers:
    def __init__(self, start: Callable[[], Executor], timeout: float) -> None:
        self.start, self.timeout = start, timeout
        self.pool = start()
        self.slots = asyncio.Semaphore(pool_size(self.pool))
        self.lost = 0  # workers of the current pool held by a job past its deadline
        self.stuck = False  # some job ran past its deadline: the pool is ended at the end, not joined

    async def run(self, func: Any, *args: Any) -> Any:
        """`func(*args)` in a worker; past the deadline, JobTimeout (the worker is ended later)."""
        await self.slots.acquire()
        job = asyncio.get_running_loop().run_in_executor(self.pool, func, *args)
        try:
            result = await asyncio.wait_for(job, self.timeout)
        except TimeoutError:
            self.stuck = True
            self._lose_worker()
            raise JobTimeout(self.timeout) from None
        except asyncio.CancelledError:  # the pass deadline: a job already running cannot be cancelled, only ended
            self.stuck = True
            raise
        except BaseException:
            self.slots.release()
            raise
        self.slots.release()
        return result

    def end(self) -> None:
        """At the end of the pass: a worker still busy past its deadline is ended, not waited for."""
        if self.stuck:
            stop_workers(self.pool)

    def _lose_worker(self) -> None:
        self.lost += 1
        size = pool_size(self.pool)
        if self.lost < size:
            return
        log.warning("every parse worker is stuck past its deadline: they are ended and new ones started")
        stop_workers(self.pool)
        self.pool, self.lost = self.start(), 0
        for _ in range(size):
            self.slots.release()
