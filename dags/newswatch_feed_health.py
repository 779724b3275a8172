"""
### Newswatch: feed health

Daily: deletes poll and alert records past their retention (`NEWSWATCH_RETENTION__*`), and judges
every feed from its own poll history — `failing` (its last polls failed), `silent`
(it answers but has brought nothing new for much longer than its usual gap), `slow`, or `ok` —
prints the listing in the task log, and sends it to the operator subscription named by
`NEWSWATCH_OPERATOR_SUBSCRIPTION` (a subscription in `config/alerts.yaml`) when a feed needs a look.
The same verdicts are on the Newswatch page of the Airflow UI.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import task
from newswatch_notifier import newswatch_dag, retried


@newswatch_dag(
    schedule="@daily",
    default_args=retried(2, timedelta(minutes=5)),
    tags=["operations"],
    doc_md=__doc__,
)
def newswatch_feed_health():
    @task
    def check_feeds() -> dict:
        """Classify every configured feed and tell the operator about failing and silent ones."""
        from pipeline.ops.feed_health import check_and_report
        from pipeline.ops.tasks import with_store

        result = with_store(check_and_report)
        print(result.listing)
        for problem in result.problems:
            print(f"could not tell the operator: {problem}")
        return result.counts

    @task
    def expire_old_records() -> dict:
        """Poll records and alert delivery records past their retention are deleted; stories are kept."""
        from pipeline.ops.tasks import with_store
        from pipeline.store.retention import expire_records

        deleted = with_store(lambda store, settings: expire_records(store, settings.retention))
        print(f"deleted: {deleted}")
        return deleted

    check_feeds()
    expire_old_records()


newswatch_feed_health()
