"""What the alerts DAG decides from the counts its triggering enrichment runs handed on."""

from pipeline.ops.tasks import nothing_to_alert


def test_an_alerts_run_skips_only_when_the_enrichment_left_nothing_and_failed_no_batch():
    quiet = {"stories_enriched": 0, "quotes_indexed": 0, "surges_raised": 0, "figure_findings_written": 0,
             "batches_failed": 0}
    assert nothing_to_alert([quiet, dict(quiet)])
    assert not nothing_to_alert([quiet, quiet | {"stories_enriched": 3}])
    assert not nothing_to_alert([quiet | {"surges_raised": 1}])
    # a batch that failed after enriching 199 of its 200 stories reports no counts of its own
    assert not nothing_to_alert([quiet | {"batches_failed": 1}])
    assert not nothing_to_alert([])  # started by hand: no triggering event, look anyway
