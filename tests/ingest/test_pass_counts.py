"""What a poll pass hands Airflow's XCom: numbers, ids and kinds of error, never article text or a secret."""

import json

from pipeline.ingest.feed_work import FeedReport
from pipeline.ingest.poll import PollReport


def test_the_counts_carry_no_article_text_and_no_feed_credentials():
    report = PollReport(
        feeds=[FeedReport("f1", "error", error="https://user:s3cret-pw@host.example/rss?apikey=K3Y123 - bad port")],
        rejected={"s1": "document_parsing_exception: [1:42] failed to parse field [title] of type [text]. "
                        "Preview of field's value: 'Asylum seekers held at Manston, a leaked report says'"})
    counts = json.dumps(report.counts())
    assert "Manston" not in counts and "s3cret-pw" not in counts and "K3Y123" not in counts
    assert report.counts()["rejected"] == {"s1": "document_parsing_exception"}
    assert report.counts()["errors"]["f1"].startswith("https://") and report.counts()["stories_rejected"] == 1
