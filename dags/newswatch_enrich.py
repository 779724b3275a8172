"""
### Newswatch: enrich stories

Runs whenever `newswatch_poll` has indexed stories (the `newswatch://stories` Asset): finds the
stories that are searchable but not yet enriched, splits them into batches, and runs spaCy over
each batch in a mapped task (entities with canonical names, direct and reported quotes with their
speakers). Quotes are written before a story is marked enriched, so a crash loses nothing: the next
run finds the same stories still waiting. Then the enriched stories are placed in events and
storylines and the surge series are updated (`place_events`), so a surge is raised in the run that
enriched the story that crossed the line. When it is done it triggers `newswatch_alerts` through
the `newswatch://enriched` Asset.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, get_current_context, task
from newswatch_notifier import newswatch_dag, retried

STORIES = Asset("newswatch://stories")
ENRICHED = Asset("newswatch://enriched")
BATCH = 200  # stories per mapped task


@newswatch_dag(
    schedule=[STORIES],
    default_args=retried(execution_timeout=timedelta(minutes=30)),
    doc_md=__doc__,
)
def newswatch_enrich():
    @task
    def plan_batches() -> list[list[str]]:
        """Ids of the stories waiting for enrichment, oldest first, in batches."""
        from pipeline.nlp.enrich import waiting_ids
        from pipeline.ops.tasks import with_store

        ids = with_store(lambda store, _: waiting_ids(store, limit=50 * BATCH))
        print(f"{len(ids)} stories waiting for enrichment")
        return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]

    @task(max_active_tis_per_dag=2)
    def enrich_batch(story_ids: list[str]) -> dict:
        """Entities and quotes for a batch of stories.

        Stories Elasticsearch refuses for good, or the extractors fail on, are set aside (`enrich_error`) and
        fail the task without retries:
        a retry would pass (they are no longer waiting) and the run would end green with them lost from view.
        Other refusals (a busy node) are retried as usual."""
        from airflow.sdk.exceptions import AirflowFailException

        from pipeline.errors import WriteRejected
        from pipeline.nlp.enrich import enrich_stories
        from pipeline.ops.tasks import printed_counts, with_store

        report = with_store(lambda store, settings: enrich_stories(store, settings, story_ids))
        counts = printed_counts(report)
        if report.set_aside:
            raise AirflowFailException(f"enrichment: {len(report.set_aside)} stories refused for good or failing analysis, set aside "
                                       "(enrich_error): " + "; ".join(f"{k}: {v}" for k, v in list(report.set_aside.items())[:5]))
        if report.rejected:
            raise WriteRejected("enrichment", report.rejected)
        return counts

    @task(trigger_rule="all_done")
    def place_events(counts: list[dict]) -> dict:
        """Events, storylines and surges for the stories enriched and not yet placed (one run at a time:
        max_active_runs=1). Runs whatever the batches did: one failed batch must not hold back the stories the
        others enriched, and a run with nothing to enrich still finishes what a run that died left."""
        from pipeline.events.live import track_events
        from pipeline.ops.tasks import printed_counts, with_store

        ti = get_current_context()["ti"]  # the lease's holder: a retry takes it over from its earlier attempt
        holder = f"{ti.dag_id}/{ti.run_id}/{ti.task_id}#{ti.try_number}"
        return printed_counts(with_store(lambda store, settings: track_events(store, settings, holder=holder)))

    @task(outlets=[ENRICHED], trigger_rule="all_done")
    def summarize(counts: list[dict]) -> dict:
        """Add up the batches; the `newswatch://enriched` event carries the counts to the alerts DAG.

        Runs whatever failed before it: the stories a batch did enrich, and the surges of any run, still get
        their alerts when another batch or `place_events` failed (the watcher fails the run for operators)."""
        events = get_current_context()["ti"].xcom_pull(task_ids="place_events") or {}
        planned = get_current_context()["ti"].xcom_pull(task_ids="plan_batches") or []
        done = [c for c in counts if c]  # a failed batch pushed nothing: it is missing here, not None
        totals = {"stories_enriched": sum(c["stories_enriched"] for c in done),
                  "quotes_indexed": sum(c["quotes_indexed"] for c in done),
                  "surges_raised": events.get("surges_raised", 0),
                  "figure_findings_written": events.get("figure_findings_written", 0),
                  # a failed batch returns no counts though it may have enriched most of its stories: the alerts
                  # run must look rather than skip (their alerts would wait for the next run, past max_age)
                  "batches_failed": max(0, len(planned) - len(done))}
        get_current_context()["outlet_events"][ENRICHED].extra = totals
        print(totals)
        return totals

    @task(trigger_rule="one_failed", on_failure_callback=None)  # the failed task told the operator already
    def watcher() -> None:
        """Fails the run when any task failed, although `summarize` ran: the operator sees the run red."""
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException("a task of this run failed (see its log); what it did not finish waits for the next run")

    counts = enrich_batch.expand(story_ids=plan_batches())
    events = place_events(counts)
    total = summarize(counts)
    events >> total
    [counts, events, total] >> watcher()

newswatch_enrich()
