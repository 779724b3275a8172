"""
### Newswatch: poll feeds

Every five minutes: find the feeds that are due (each feed's next poll time is learned from its
own rhythm), group them by host into shards of a few hundred feeds, and poll each shard in a mapped
task: fetch → topic filter → article text → Elasticsearch, each story searchable within seconds.
Entities and quotes are added by `newswatch_enrich`, which this run triggers through the
`newswatch://stories` Asset. A run triggered with the conf `{"force": true}` polls every feed, due or
not (as `newswatch poll --force`).

Only feed ids and counts cross XCom; stories and per-feed state live in Elasticsearch
(`NEWSWATCH_ES_URL`). A shard whose stories Elasticsearch rejected fails after writing the rest, and
its retry writes them; re-running never duplicates a story, because every document id is derived
from the story's canonical URL. The run's stories are tagged with its `run_id`, which the
"Stories of this run" link uses. The feed source is decided once per run: `live` unless
`NEWSWATCH_SOURCE=replay` asks for the bundled demo feeds.

A run you trigger by hand polls every feed now, due or not (the `poll_now` parameter of the trigger
form; untick it to poll only the feeds that are due); scheduled runs poll the due feeds.
`NEWSWATCH_POLL_SCHEDULE` replaces the five-minute cron (`none`: only triggered runs, as the fault drill
of `scripts/cluster.sh test` wants, so that no scheduled pass lands in the middle of what it counts).
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import Asset, DeadlineAlert, DeadlineReference, Param, SyncCallback, get_current_context, task
from newswatch_notifier import newswatch_dag, retried

STORIES = Asset("newswatch://stories")
SCHEDULE = os.environ.get("NEWSWATCH_POLL_SCHEDULE", "*/5 * * * *")


@newswatch_dag(
    schedule=None if SCHEDULE == "none" else SCHEDULE,
    dagrun_timeout=timedelta(minutes=30),
    # a run still going after ten minutes is overrunning its five-minute schedule: the operator hears of it
    deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=timedelta(minutes=10),
                           callback=SyncCallback("pipeline.ops.operator.deadline_missed")),
    default_args=retried(max_retry_delay=timedelta(minutes=5), execution_timeout=timedelta(minutes=20)),
    params={"poll_now": Param(True, type="boolean", title="Poll every feed now",
                              description="A manual run polls every feed, due or not; scheduled runs ignore this.")},
    doc_md=__doc__,
)
def newswatch_poll():
    @task
    def plan_shards() -> list[dict]:
        """Feeds due now, grouped by host into shards; the feed source is decided here, once for the run."""
        from pipeline.config import load_feeds
        from pipeline.ingest.poll import due_feeds, plan_shards
        from pipeline.ingest.sources import feeds_file, production_source
        from pipeline.ops.tasks import with_store
        from pipeline.settings import Settings

        context = get_current_context()
        now = bool(context["params"].get("poll_now")) and context["dag_run"].run_type == "manual"
        settings = Settings.from_env()
        source = production_source(settings)
        settings = settings.replace(source=source)
        now = now or bool((context["dag_run"].conf or {}).get("force"))  # conf {"force": true}: every feed
        due = with_store(lambda store, s: due_feeds(store, s, force=now), settings)
        shards = plan_shards(load_feeds(feeds_file(settings)), due, settings.poll.shard_size)
        print(f"{len(due)} feeds {'to poll now (manual run)' if now else 'due'} ({source}) in {len(shards)} shards")
        return [{"feeds": shard, "source": source, "name": f"{shard[0]} +{len(shard) - 1}" if len(shard) > 1
                 else shard[0]} for shard in shards]

    @task(max_active_tis_per_dag=4, map_index_template="{{ shard_name }}")  # shards polled at once
    def poll_shard(shard: dict) -> dict:
        """Poll a shard of feeds and index their new on-topic stories; returns counts only."""
        from pipeline.ingest.poll import poll_feeds, raise_for_feed_errors, raise_for_rejected
        from pipeline.ops.tasks import printed_counts, with_store
        from pipeline.redact import install_log_redaction, redact
        from pipeline.settings import Settings

        install_log_redaction()  # the fetch warnings name feed URLs, which may carry credentials
        context = get_current_context()
        context["shard_name"] = shard["name"]  # type: ignore[typeddict-unknown-key]
        settings = Settings.from_env().replace(source=shard["source"])
        report = with_store(lambda store, s: poll_feeds(store, s, shard["feeds"], run_id=context["run_id"],
                                                            unknown_ids="skip"), settings)
        for feed in report.feeds:
            print(redact(f"{feed.feed_id}: {feed.outcome}, {feed.items} items, {feed.matched} matched, {feed.new} new"
                         + (f" — {feed.error}" if feed.error else "")
                         + (f" (next poll {feed.next_due})" if feed.next_due else "")))
        counts = printed_counts(report)
        raise_for_rejected(report)  # rejected stories: fail after writing the rest, the retry writes them
        raise_for_feed_errors(report, settings.poll.fail_on_feed_errors)
        return counts

    @task(outlets=[STORIES], trigger_rule="all_done")
    def summarize(shard_counts: list[dict]) -> dict:
        """Add up the shards and show the run's summary in the task log.

        Runs whatever the shards did: the stories the healthy shards indexed go on to enrichment now, not after
        the next all-green run (a failed shard pushes no counts; the watcher fails the run for operators)."""
        from airflow.sdk.exceptions import AirflowSkipException

        keys = ("feeds_polled", "feeds_failed", "feeds_deferred", "items_seen", "stories_matched",
                "stories_indexed", "stories_postponed", "stories_set_aside")
        shard_counts = [c for c in shard_counts or [] if c]
        if not shard_counts:  # every shard failed (the index down?): no asset event, no enrichment run to fail too
            raise AirflowSkipException("no shard of this run finished")
        totals = {key: sum(c.get(key, 0) for c in shard_counts) for key in keys}
        errors = {k: v for c in shard_counts for k, v in c["errors"].items()}
        context = get_current_context()
        run_id = context["run_id"]
        context["outlet_events"][STORIES].extra = totals  # the enrich DAG reads the counts, and skips an empty run
        print(f"run {run_id}: {totals}")
        delays = [c.get("searchable_delay_p95") for c in shard_counts if c.get("searchable_delay_p95") is not None]
        if delays:
            print(f"feed → searchable, p95 of the slowest shard: {max(delays)} s")
        for feed_id, error in sorted(errors.items()):
            print(f"feed {feed_id} failed: {error}")
        return {**totals, "failed_feeds": sorted(errors)}

    @task(trigger_rule="one_failed", on_failure_callback=None)  # the failed shard told the operator already
    def watcher() -> None:
        """Fails the run when a shard failed, although `summarize` ran: the operator sees the run red."""
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException("a shard of this run failed (see its log); its feeds are polled again next run")

    counts = poll_shard.expand(shard=plan_shards())
    total = summarize(counts)
    [counts, total] >> watcher()


newswatch_poll()
