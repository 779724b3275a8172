"""
### Newswatch: weekly relevance retraining

Refits the asylum-and-border relevance model on the labelled files it was trained on plus the analysts'
verdicts (`newswatch feedback`, the signed links in alerts), judges both the model in use and the
candidate on the same held-out items, and ships the candidate only when it makes fewer mistakes there
(the log says by how much). Rule terms whose feedback precision is low get a proposed exclusion in the
log, for a person to accept in `config/topics.yaml`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import task
from newswatch_notifier import newswatch_dag, retried


@newswatch_dag(
    schedule="@weekly",
    default_args=retried(1, timedelta(minutes=10), execution_timeout=timedelta(hours=2)),  # a stuck fit ends
    tags=["relevance"],
    doc_md=__doc__,
)
def newswatch_retrain():
    @task
    def retrain_relevance() -> dict:
        """Refit on labels + feedback; ship only when better on held-out items; propose exclusions."""
        from pipeline.ops.retrain import retrain
        from pipeline.ops.tasks import printed_counts, with_store

        return printed_counts(with_store(lambda store, settings: retrain(store, settings)))

    retrain_relevance()


newswatch_retrain()
