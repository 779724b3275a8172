"""
### Newswatch: poll feeds

Every five minutes: find the feeds that are due (each has its own poll interval), split them into
shards, poll each shard in a mapped task (fetch → topic filter → article text → entities and
quotes → Elasticsearch), then log a summary of the run.

Only feed ids and counts cross XCom; stories, quotes and per-feed state live in Elasticsearch
(`NEWSWATCH_ES_URL`). A failed shard is retried with exponential backoff; re-running it never
duplicates a story, because every document id is derived from the story's canonical URL.
The run's stories are tagged with its `run_id`, which the "Stories of this run" link uses.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

STORIES = Asset("newswatch://stories")


@dag(
    schedule="*/5 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args={
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(minutes=20),
    },
    tags=["newswatch"],
    doc_md=__doc__,
)
def newswatch_poll():
    @task
    def plan_shards() -> list[list[str]]:
        """Feeds due now, in shards of a few feeds each."""
        from pipeline.poll import due_feeds
        from pipeline.settings import Settings
        from pipeline.store import Store

        settings = Settings.from_env()
        with Store.open(settings) as store:
            due = due_feeds(store, settings)
        size = settings.poll.shard_size
        print(f"{len(due)} feeds due: {', '.join(due) or 'none'}")
        return [due[i : i + size] for i in range(0, len(due), size)]

    @task(max_active_tis_per_dag=2)
    def poll_shard(feed_ids: list[str]) -> dict:
        """Poll a few feeds and index their new on-topic stories; returns counts only."""
        from pipeline.poll import poll_feeds
        from pipeline.settings import Settings
        from pipeline.store import Store

        settings = Settings.from_env()
        run_id = get_current_context()["run_id"]
        with Store.open(settings) as store:
            report = poll_feeds(store, settings, feed_ids, run_id=run_id)
        counts = report.counts()
        for feed in report.feeds:
            print(f"{feed.feed_id}: {feed.outcome}, {feed.items} items, {feed.matched} matched, {feed.new} new"
                  + (f" — {feed.error}" if feed.error else ""))
        return counts

    @task(outlets=[STORIES])
    def summarize(shard_counts: list[dict]) -> dict:
        """Add up the shards and show the run's summary in the task log."""
        from pipeline.poll import top_quoted
        from pipeline.settings import Settings
        from pipeline.store import Store

        totals = {key: sum(c[key] for c in shard_counts) for key in
                  ("feeds_polled", "feeds_failed", "items_seen", "stories_matched", "stories_indexed", "quotes_indexed")}
        errors = {k: v for c in shard_counts for k, v in c["errors"].items()}
        run_id = get_current_context()["run_id"]
        settings = Settings.from_env()
        with Store.open(settings) as store:
            people = top_quoted(store, settings.search.top_people, run_id=run_id)
        print(f"run {run_id}: {totals}")
        print("top people quoted this run: " + (", ".join(f"{n} ({c})" for n, c in people) or "none"))
        for feed_id, error in sorted(errors.items()):
            print(f"feed {feed_id} failed: {error}")
        return {**totals, "failed_feeds": sorted(errors)}

    summarize(poll_shard.expand(feed_ids=plan_shards()))


newswatch_poll()
