"""Enrichment: spaCy over stored stories, handing on entities with canonical names and attributed quotes.

Hands on `enrich_stories` (in `enrich`) and `analyze` (in `analyze`).
"""
