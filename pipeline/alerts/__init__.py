"""Alerts: subscriptions matched against enriched stories, claimed as records, rendered and delivered.

Hands on alert records (`records.find_new_alerts`) to `delivery` (`deliver_immediate`, `run_digests`),
which sends them through `channels`.
"""
