"""What every DAG task body does around its one step: settings from the environment, an open store,
the step's counts printed to the task log and handed on as the task's XCom.

DAG files import this inside their task functions, so the scheduler's parse stays free of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from pipeline.alerts.delivery import deliver_immediate
from pipeline.alerts.records import AlertReport
from pipeline.alerts.subscriptions import Subscription, configured_subscriptions
from pipeline.settings import AlertSettings, Settings
from pipeline.store import Store

R = TypeVar("R")


class Counted(Protocol):
    def counts(self) -> dict[str, Any]: ...


def with_store(step: Callable[[Store, Settings], R], settings: Settings | None = None) -> R:
    """Run one step with the settings from the environment (unless given) and a store opened on them."""
    settings = settings or Settings.from_env()
    with Store.open(settings) as store:
        return step(store, settings)


def for_subscriptions(step: Callable[[Store, list[Subscription], AlertSettings], R]) -> Callable[[Store, Settings], R]:
    """An alerts step (find, deliver, digests) over the configured subscriptions."""
    return lambda store, settings: step(store, configured_subscriptions(settings), settings.alerts)


def for_matching(step: Callable[[Store, list[Subscription], AlertSettings], R]) -> Callable[[Store, Settings], R]:
    """The finding step over every subscription whose rules are sound, its channels usable or not yet: a
    subscription left out while a secret is unset would never be matched against that time's stories (the
    watermark moves on); its alerts wait for the channel instead."""
    return lambda store, settings: step(store, configured_subscriptions(settings, matching=True), settings.alerts)


def deliver_due(store: Store, settings: Settings) -> AlertReport:
    """Every due immediate alert, with signed feedback links when a secret is set: the alerts DAG, the retry
    pass and `newswatch alerts` send the same messages."""
    return deliver_immediate(store, configured_subscriptions(settings), settings.alerts, feedback=settings.feedback)


def printed_counts(report: Counted) -> dict[str, Any]:
    """The report's counts, printed to the task log: what the task returns, never article text."""
    counts = report.counts()
    print(counts)
    return counts


def nothing_to_alert(enriched: list[dict[str, Any]]) -> bool:
    """Whether the enrichment runs that triggered an alerts run left nothing to look at: no story enriched, no
    surge or figure finding, and no batch failed (a failed batch reports no counts, yet may have enriched most of
    its stories; skipping would leave their alerts for a later run, perhaps past their maximum age)."""
    keys = ("stories_enriched", "surges_raised", "figure_findings_written", "batches_failed")
    return bool(enriched) and not any(extra.get(key) for extra in enriched for key in keys)
