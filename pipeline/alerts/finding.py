"""One pass of the alerts stage's first half: story alerts (`records`), surge alerts (`surges`), figure alerts
(`figures`: revised figures, outlets that disagree)."""

from __future__ import annotations

from pipeline.alerts.figures import find_figure_alerts
from pipeline.alerts.records import AlertReport, find_new_alerts
from pipeline.alerts.subscriptions import Subscription
from pipeline.alerts.surges import find_surge_alerts
from pipeline.settings import AlertSettings
from pipeline.store import Store


def find_alerts(store: Store, subs: list[Subscription], config: AlertSettings) -> AlertReport:
    """Alert records for the stories enriched and the surges raised and the figure findings recorded since the last run; safe to run twice."""
    report = find_new_alerts(store, subs, config)
    surges = find_surge_alerts(store, subs, config)
    report.created += surges.created
    report.too_old += surges.too_old
    report.surges = surges.created
    figures = find_figure_alerts(store, subs, config)
    report.created += figures.created
    report.too_old += figures.too_old
    report.figures = figures.created
    return report
