"""Ingest: fetch feeds and pages, parse and match items, and index new on-topic stories, text first.

Hands on `poll_feeds` and `PollReport` (in `poll`): stories searchable at once, waiting for enrichment.
"""
