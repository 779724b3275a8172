"""
### Newswatch: digests and retries

Every fifteen minutes: sends the digests whose period has ended (each subscription has its own
schedule and time zone in `config/alerts.yaml`: hourly, or daily at a time), and retries immediate
alerts that are due again after a failed delivery, even when no new story arrives.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import task
from newswatch_notifier import newswatch_dag, retried


@newswatch_dag(
    schedule="*/15 * * * *",
    # through `retried`, as every DAG: written by hand, the defaults had no OperatorNotifier, and a run whose
    # digests failed after its retries told no one
    default_args=retried(2, timedelta(minutes=1)),
    tags=["alerts"],
    doc_md=__doc__,
)
def newswatch_digests():
    @task
    def send_digests() -> dict:
        """One message per subscription and period, stories grouped by topic."""
        from pipeline.alerts.delivery import run_digests
        from pipeline.ops.tasks import for_subscriptions, printed_counts, with_store

        return printed_counts(with_store(for_subscriptions(run_digests)))

    @task
    def retry_alerts() -> dict:
        """Immediate alerts whose backoff has expired."""
        from pipeline.ops.tasks import deliver_due, printed_counts, with_store

        return printed_counts(with_store(deliver_due))

    send_digests()
    retry_alerts()


newswatch_digests()
