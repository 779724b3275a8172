"""What the Newswatch DAGs share: a failure notifier (the operator hears of a failed task through their
subscription), the task defaults that use it, and the `@dag` settings every DAG has.

Kept here, beside the UI plugin, because it is Airflow code; the message goes out through
`pipeline.ops.operator`, which does not know Airflow.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import BaseNotifier, dag


class OperatorNotifier(BaseNotifier):
    """`on_failure_callback=OperatorNotifier()`: names the DAG, the task, the run and the error."""

    def notify(self, context):  # type: ignore[no-untyped-def]
        from pipeline.ops.operator import notify_operator

        ti = context.get("ti") or context.get("task_instance")
        dag_id = getattr(ti, "dag_id", "?")
        task_id = getattr(ti, "task_id", "?")
        run_id = context.get("run_id", "?")
        error = context.get("exception")
        problems = notify_operator(f"{dag_id}.{task_id} failed in run {run_id}",
                                   [f"Error: {type(error).__name__}: {error}" if error else "The task failed.",
                                    "Airflow retries it; this message comes once the retries are spent."])
        for problem in problems:
            self.log.error("could not tell the operator: %s", problem)


def retried(retries: int = 3, delay: timedelta | None = None, **extra: Any) -> dict[str, Any]:
    """The Newswatch DAGs' task defaults: retried with exponential backoff, the operator told once retries are spent.

    The first delay is 30 s unless `NEWSWATCH_TASK_RETRY_DELAY` (seconds, read when the DAGs are parsed) says
    otherwise: the fault drill (pipeline.ops.drill) shortens it so a killed worker's task is retried at once."""
    if delay is None:
        delay = timedelta(seconds=float(os.environ.get("NEWSWATCH_TASK_RETRY_DELAY", "30")))
    return {"retries": retries, "retry_delay": delay, "retry_exponential_backoff": True,
            "on_failure_callback": OperatorNotifier(), **extra}


def newswatch_dag(schedule: Any, *, default_args: dict[str, Any], doc_md: str | None, tags: Iterable[str] = (),
                  **extra: Any) -> Any:
    """`@dag` with what every Newswatch DAG has: one run at a time (each run carries on from where the last
    stopped: watermarks, feed states), no catching up on the intervals before it was switched on (the feeds
    are read as they are now), and the `newswatch` tag beside its own."""
    return dag(schedule=schedule, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False,
               max_active_runs=1, default_args=default_args, tags=["newswatch", *tags], doc_md=doc_md, **extra)
