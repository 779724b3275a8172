"""The poll pass's parse workers when one of them dies, and a mistake in topics.yaml before any starts."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from contextlib import ExitStack

import pytest

from pipeline.errors import ConfigError
from pipeline.ingest.worker_slots import Workers
from pipeline.ingest.workers import WorkerDied, worker_pool
from pipeline.settings import PROJECT_ROOT, FeedLimits


def die() -> None:
    """What the system does to a worker out of memory, or a crash in a C parser."""
    os.kill(os.getpid(), signal.SIGKILL)


def square(x: int) -> int:
    time.sleep(0.3)
    return x * x


def slow(x: int) -> int:
    time.sleep(1.0)
    return x * x


def test_a_dead_worker_costs_its_own_job_only():
    topics = PROJECT_ROOT / "config" / "topics.yaml"
    with ExitStack() as pools:
        workers = Workers(lambda: pools.enter_context(worker_pool(2, topics, FeedLimits())), timeout=30)

        async def run() -> None:  # one event loop, as one poll pass has
            first, killed, second = await asyncio.gather(workers.run(square, 3), workers.run(die), workers.run(square, 4),
                                                         return_exceptions=True)
            assert (first, second) == (9, 16)  # the jobs of the broken pool went through in the fresh one
            assert isinstance(killed, WorkerDied) and "died" in killed.reason("parsing the feed")
            for _ in range(3):  # a job still running when the killer runs again, in the fresh pool, is not lost
                slow_one, killer = await asyncio.gather(workers.run(slow, 6), workers.run(die), return_exceptions=True)
                assert slow_one == 36 and isinstance(killer, WorkerDied)
            assert await workers.run(square, 5) == 25  # and every later job too

        asyncio.run(run())
        workers.end()


def hang() -> None:
    time.sleep(30)


def test_a_page_past_its_deadline_beside_a_dead_worker_holds_nothing_up():
    """A retry once gathered every slot one by one: holding one, it waited for the slot of a job stuck past its
    deadline, which never came back, and the whole pass waited with it."""
    topics = PROJECT_ROOT / "config" / "topics.yaml"
    with ExitStack() as pools:
        workers = Workers(lambda: pools.enter_context(worker_pool(2, topics, FeedLimits())), timeout=2)

        async def run() -> list[object]:
            async def later(delay: float, func, *args):
                await asyncio.sleep(delay)
                return await workers.run(func, *args)

            jobs = [workers.run(die), workers.run(slow, 2), workers.run(hang), *(later(0.6, square, n) for n in range(3))]
            return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), 30)

        killer, innocent, stuck, *rest = asyncio.run(run())
        assert type(killer).__name__ == "WorkerDied" and innocent == 4, (killer, innocent)
        assert rest == [0, 1, 4] and type(stuck).__name__ == "JobTimeout", (stuck, rest)
        workers.stuck = True
        workers.end()


def test_a_job_running_alone_after_its_pool_broke_is_ended_with_the_pass_not_waited_for():
    """Cancelled by the pass deadline while it ran in the pool of a broken pool's jobs, a hung job was waited
    for when the pools closed: the pass hung until Airflow killed it."""
    topics = PROJECT_ROOT / "config" / "topics.yaml"
    started = time.monotonic()
    with ExitStack() as pools:
        workers = Workers(lambda: pools.enter_context(worker_pool(2, topics, FeedLimits())), timeout=60)

        async def run() -> None:
            jobs = asyncio.gather(workers.run(hang), workers.run(die), return_exceptions=True)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(jobs, 3)  # the pass deadline

        asyncio.run(run())
        assert workers.stuck and workers.quarantine is not None  # the hung job was re-run alone, and is still running
        workers.end()
        assert workers.quarantine is None
    assert time.monotonic() - started < 20  # not the 30 s the hung job would take


def test_a_mistake_in_topics_yaml_is_one_error_naming_file_and_key(tmp_path):
    (tmp_path / "topics.yaml").write_text("topics:\n  - name: asylum\n    languages:\n      francais: {}\n")
    with pytest.raises(ConfigError, match="topics.yaml"):
        with worker_pool(2, tmp_path / "topics.yaml", FeedLimits()):
            pass
