"""Alerts: subscriptions matched against enriched stories, claimed as records, rendered and delivered.

Hands on alert records (`finding.find_alerts`: stories in `records`, surges in `surges`) to `delivery`
(`deliver_immediate`, `run_digests`), which sends them through `channels`.
"""

from pipeline import lazy_exports

_PUBLIC = {"find_alerts": "finding", "deliver_immediate": "delivery", "run_digests": "delivery",
           "Subscription": "subscriptions", "configured_subscriptions": "subscriptions", "AlertReport": "records"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
