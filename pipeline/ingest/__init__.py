"""Ingest: fetch feeds and pages, parse and match items, and index new on-topic stories, text first.

Hands on `poll_feeds` and `PollReport` (in `poll`): stories searchable at once, waiting for enrichment.
"""

from pipeline import lazy_exports

_PUBLIC = {"poll_feeds": "poll", "due_feeds": "poll", "PollReport": "poll"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
