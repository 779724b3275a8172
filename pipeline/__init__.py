"""Newswatch: RSS/Atom feeds → topics → entities and quotes → Elasticsearch → alerts.

The stages, in the order they import one another: base modules at this root (settings, errors, config,
text, timing, redact, bounds), then `local` (development only), `store`, `topics`, `ingest`, `nlp`,
`alerts`, `ops` and `cli`. A stage imports only base modules and earlier stages.
"""
