"""Tell the operator when a run fails or overruns, through the subscription NEWSWATCH_OPERATOR_SUBSCRIPTION names.

Airflow calls these from its failure callback and its deadline alert (`plugins/newswatch_notifier.py`
and the DAGs); they need only the settings and the subscriptions, never Airflow.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.alerts.delivery import send_to
from pipeline.alerts.messages import Message
from pipeline.alerts.rendering import render
from pipeline.alerts.subscriptions import operator_subscription
from pipeline.errors import DeliveryError
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def notify_operator(title: str, lines: list[str], link: str | None = None,
                    settings: Settings | None = None) -> list[DeliveryError]:
    """Send one short message to the operator subscription; nothing when none is configured."""
    settings = settings or Settings.from_env()
    operator = operator_subscription(settings)
    if operator is None:
        log.warning("%s (no NEWSWATCH_OPERATOR_SUBSCRIPTION to tell)", title)
        return []
    message = Message(f"[Newswatch] {title}", render("operator.html", title=title, lines=lines, link=link))
    return send_to(operator, message)


def deadline_missed(**context: Any) -> None:
    """The deadline alert's callback: a poll run still going after its deadline."""
    dag_run = context.get("dag_run")
    run_id = getattr(dag_run, "run_id", None) or context.get("run_id", "?")
    dag_id = getattr(dag_run, "dag_id", None) or context.get("dag_id", "newswatch_poll")
    problems = notify_operator(f"{dag_id} run {run_id} is overrunning",
                               ["The run has not finished within its deadline: a slow feed host, a stuck",
                                "task or an Elasticsearch that does not answer. Its task logs say which."])
    for problem in problems:
        log.error("could not tell the operator: %s", problem)
