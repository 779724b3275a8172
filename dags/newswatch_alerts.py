"""
### Newswatch: alerts

Runs whenever `newswatch_enrich` has enriched stories (the `newswatch://enriched` Asset), so a slow
mail server never holds up polling, and alerts can name who is quoted. It writes an alert record for each new (subscription, story cluster)
pair — create-only, with a deterministic id — and then delivers the due immediate alerts. Records
whose channel was down are retried with backoff on later runs; a re-run never sends a second copy.
Subscriptions live in `config/alerts.yaml`.
"""

from __future__ import annotations

from airflow.sdk import Asset, get_current_context, task
from newswatch_notifier import newswatch_dag, retried

ENRICHED = Asset("newswatch://enriched")


@newswatch_dag(
    schedule=[ENRICHED],
    default_args=retried(),
    tags=["alerts"],
    doc_md=__doc__,
)
def newswatch_alerts():
    @task
    def find_alerts() -> dict:
        """Alert records for the stories enriched and the surges raised since the last run."""
        from airflow.sdk.exceptions import AirflowSkipException

        from pipeline.alerts.finding import find_alerts as find
        from pipeline.ops.tasks import for_matching, nothing_to_alert, printed_counts, with_store

        events = get_current_context().get("triggering_asset_events") or {}
        if nothing_to_alert([dict(e.extra or {}) for evs in events.values() for e in evs]):
            raise AirflowSkipException("the enrichment run that triggered this one enriched no story, raised "
                                       "no surge or figure finding and had no failed batch")
        return printed_counts(with_store(for_matching(find)))

    @task
    def deliver_alerts(found: dict) -> dict:
        """Send every due immediate alert; failures stay pending for the next run."""
        from pipeline.ops.tasks import deliver_due, printed_counts, with_store

        report = with_store(deliver_due)
        for error in report.errors:
            print(f"delivery error: {error}")
        return printed_counts(report)

    deliver_alerts(find_alerts())


newswatch_alerts()
