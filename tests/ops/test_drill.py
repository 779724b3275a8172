"""The failover drill's own ending: a cluster still stopping is reported beside the figures, not raised over them."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage

from pipeline.alerts.messages import Message
from pipeline.errors import LocalNodeError
from pipeline.ops import drill
from pipeline.ops.drill_figures import Expected, measure


def test_a_cluster_still_stopping_is_reported_and_fails_the_drill(monkeypatch, capsys):
    def still_stopping() -> bool:
        raise LocalNodeError("still stopping after 120 s (supervisor pid 4242)")

    monkeypatch.setattr(drill.cluster, "down", still_stopping)
    assert drill.stop_cluster() is False  # the drill's exit is 1; its figures were printed, not replaced
    assert "did not stop: still stopping after 120 s (supervisor pid 4242)" in capsys.readouterr().err
    monkeypatch.setattr(drill.cluster, "down", lambda: True)
    assert drill.stop_cluster() is True


def test_a_mail_about_story_10_does_not_count_as_delivering_story_1(es, prefix, tmp_path):
    """The alert tally matched a story's URL anywhere in a message: the one mail, about `…/story-10`, counted as
    delivering `…/story-1` too, whose alert was lost."""
    site = "https://news.example.org/2026/story"
    maildir = tmp_path / "Maildir"
    alert = Message("[Newswatch] Story ten", f'<h2><a href="{site}-10?from=rss&amp;p=1">Story ten</a></h2>'
                                             f'<p>Read the story: <a href="{site}-10?from=rss&amp;p=1">'
                                             f'{site}-10?from=rss&amp;p=1</a></p>')
    mail = EmailMessage()
    mail["Subject"] = alert.title
    mail.set_content(alert.text)  # as Apprise sends it: the text part, then the HTML
    mail.add_alternative(alert.html, subtype="html")
    mailbox.Maildir(maildir, create=True).add(mail)
    expected = Expected(stories={}, urls={}, alerts=[{f"{site}-1"}, {f"{site}-10?from=rss&p=1"}])
    figures = measure(es, prefix, expected, [], datetime.now(UTC), maildir, {})  # no index of `prefix`: no stories
    alerts = figures.alerts
    assert (alerts.expected, alerts.arrived, alerts.duplicated, alerts.lost) == (2, 1, 0, 1)
    assert figures.mail_unmatched == 0
