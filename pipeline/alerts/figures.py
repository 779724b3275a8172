"""Figure alerts: a revision ("figure revised") or a disagreement ("outlets disagree") recorded within an event
(`pipeline.events.findings`) becomes one alert per subscription that wants it, exactly once.

A finding gains sources after it is recorded (a third outlet repeating "53"), but its alert id is
(subscription, finding id), written create-only: the first sight makes the alert, later sources do not
make another. The flood guard holds back changes reported before the subscription began; delivery claims,
retries, the hourly rate and digests are the story alerts' (`delivery`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pipeline.alerts.messages import Message
from pipeline.alerts.records import AlertReport, alert_each
from pipeline.alerts.rendering import render
from pipeline.alerts.subscriptions import Subscription, wants_figure
from pipeline.settings import AlertSettings
from pipeline.store import Store
from pipeline.store.documents import FigureFinding

WATERMARK = "figure-alerts-watermark"
LOOK_BACK = timedelta(days=14)  # the first run reads this far back
CONDITIONS = {"revised": "Figure revised", "disagree": "Outlets disagree"}


def headline(finding: FigureFinding) -> str:
    """"Figure revised: died in San Antonio, 46 → 53" — what changed, in one line."""
    values = " → ".join(f"{v:,.0f}" for v in finding.values) if finding.condition == "revised" \
        else " vs ".join(f"{v:,.0f}" for v in finding.values)
    where = f" in {finding.place}" if finding.place else ""
    return f"{CONDITIONS[finding.condition]}: {finding.kind}{where}, {values}"


def find_figure_alerts(store: Store, subs: list[Subscription], config: AlertSettings) -> AlertReport:
    """Alert records for the figure findings recorded or grown since the last run; safe to run twice."""
    def fields(finding: FigureFinding) -> tuple[str, dict[str, Any]]:
        return finding.finding_id, {"finding_id": finding.finding_id, "story_ids": list(finding.story_ids),
                                    "story_id": finding.story_ids[-1], "outlet": finding.sources[-1].get("outlet"),
                                    "other_outlets": finding.outlets, "title": headline(finding),
                                    "published": finding.at}

    return alert_each(store, "figure", subs, WATERMARK, LOOK_BACK, store.findings_since, lambda f: f.updated,
                      lambda sub, f: wants_figure(sub, f.condition, f.kind, f.place, f.topics), lambda f: f.at, fields,
                      lambda f: f.at, config.max_age)


def sources(store: Store, finding: FigureFinding) -> list[dict[str, Any]]:
    """Each report behind the finding with its story's title and link (when the story is still stored)."""
    stories = store.stories(finding.story_ids)
    out = []
    for source in finding.sources:
        story = stories.get(source["story_id"])
        out.append({**source, "published": str(source["published"])[:16].replace("T", " "),
                    "title": story.title if story else source["story_id"], "url": story.url if story else None,
                    "value": f"{source['value']:,.0f}"})
    return out


def figure_message(store: Store, finding: FigureFinding, subscription: str) -> Message:
    """What changed, and every report of each value: outlet, time, the sentence and who said it."""
    event = store.get("events", finding.event_id)
    body = render("figure.html", finding=finding, headline=headline(finding), sources=sources(store, finding),
                  event=event.title if event else finding.event_id, subscription=subscription)
    return Message(f"[Newswatch] {headline(finding)}", body)
