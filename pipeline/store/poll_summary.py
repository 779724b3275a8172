"""Sum up a feed's poll records into what its health is judged from, a bounded summary however long the history.

`Store.poll_summaries` has Elasticsearch compute it with aggregations (counts by outcome, the last
records by top hits, new items per day by a date histogram), so the health page reads a few dozen
values per feed instead of a month of records; `summarize` computes the same from records in hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.store.documents import PollRecord

RECENT_SUCCESSES = 10  # the latencies a feed's response time is judged from
NEW_ITEM_TIMES = 100  # the latest polls that brought new items, whose gaps give the feed's usual rhythm


@dataclass(frozen=True)
class PollSummary:
    """A feed's polls over a window: the last one, counts, and the latest times that matter."""

    last: PollRecord | None = None  # None: never polled in the window
    first_poll: datetime | None = None
    successes: int = 0  # polls that did not fail
    last_success: datetime | None = None
    latencies: list[float] = field(default_factory=list)  # of the latest successes, oldest first
    with_new: int = 0  # polls that brought new items
    new_item_times: list[datetime] = field(default_factory=list)  # the latest NEW_ITEM_TIMES of them, oldest first
    new_per_day: dict[str, int] = field(default_factory=dict)  # ISO day (UTC) → new items

    @property
    def last_new_item(self) -> datetime | None:
        return self.new_item_times[-1] if self.new_item_times else None


def summarize(polls: Sequence[PollRecord]) -> PollSummary:
    """The summary of poll records in hand (oldest first)."""
    if not polls:
        return PollSummary()
    successes = [p for p in polls if p.outcome != "error"]
    new = [p.time for p in polls if p.new_items > 0]
    per_day: dict[str, int] = {}
    for p in polls:
        if p.new_items:
            day = p.time.date().isoformat()
            per_day[day] = per_day.get(day, 0) + p.new_items
    return PollSummary(polls[-1], polls[0].time, len(successes), successes[-1].time if successes else None,
                       [p.latency for p in successes[-RECENT_SUCCESSES:]], len(new), new[-NEW_ITEM_TIMES:], per_day)
