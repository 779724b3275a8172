"""
### Newswatch: feed health

Daily: judges every feed from its own poll history — `failing` (its last polls failed), `silent`
(it answers but has brought nothing new for much longer than its usual gap), `slow`, or `ok` —
prints the listing in the task log, and sends it to the operator subscription named by
`NEWSWATCH_OPERATOR_SUBSCRIPTION` (a subscription in `config/alerts.yaml`) when a feed needs a look.
The same verdicts are on the Newswatch page of the Airflow UI.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

from airflow.sdk import dag, task


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["newswatch", "operations"],
    doc_md=__doc__,
)
def newswatch_feed_health():
    @task
    def check_feeds() -> dict:
        """Classify every configured feed and tell the operator about failing and silent ones."""
        import os

        from pipeline.alert_messages import Message
        from pipeline.alerts import send
        from pipeline.feed_health import feed_health, report
        from pipeline.index import connect, ensure_indices
        from pipeline.config import load_feeds
        from pipeline.replay import feeds_file
        from pipeline.settings import Settings
        from pipeline.subscriptions import configured_subscriptions

        settings = Settings.from_env()
        feed_ids = [f.id for f in load_feeds(feeds_file(settings))]
        es = connect(settings.es_url)
        ensure_indices(es, settings.index_prefix)
        rows = feed_health(es, settings.index_prefix, feed_ids)
        listing = report(rows)
        print(listing)
        trouble = [r for r in rows if r.status in ("failing", "silent")]
        operator = os.environ.get("NEWSWATCH_OPERATOR_SUBSCRIPTION")
        if trouble and operator:
            subs = {s.name: s for s in configured_subscriptions(settings)}
            if operator not in subs:
                raise ValueError(f"NEWSWATCH_OPERATOR_SUBSCRIPTION={operator!r} is not in config/alerts.yaml")
            import html

            message = Message(f"[Newswatch] {len(trouble)} feeds need a look",
                              f"<pre>{html.escape(listing)}</pre>")
            for url in subs[operator].channel_urls():
                error = send(url, message)
                if error:
                    print(f"could not tell the operator: {error}")
        return {status: sum(r.status == status for r in rows) for status in ("ok", "failing", "silent", "slow", "new")}

    check_feeds()


newswatch_feed_health()
