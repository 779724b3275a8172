"""`newswatch alerts list|test|run`: the subscriptions, a test message, one alerts pass."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.cli.common import settings_from
from pipeline.redact import redact
from pipeline.store import Store


def cmd_alerts(args: argparse.Namespace) -> int:
    from pipeline.alerts import delivery
    from pipeline.alerts import records as alerts
    from pipeline.alerts.finding import find_alerts
    from pipeline.alerts.subscriptions import configured_subscriptions, load_subscriptions, subscription_problems

    settings = settings_from(args)
    path = args.file or settings.config_dir / "alerts.yaml"
    if args.action == "list":  # every usable subscription, and what is wrong with the others
        subs = load_subscriptions(path, strict=False)
        problems = [str(p) for p in subscription_problems(path)]
        with Store.open(settings) as store:
            rows = alerts.subscription_status(store, subs)
        if args.json:
            print(json.dumps({"subscriptions": rows, "problems": problems}, ensure_ascii=False, indent=1))
            return 0
        for row in rows:
            print(f"{row['name']:<24} {row['mode']:<9} channels {row['channels']}  sent {row['sent']:>4}  "
                  f"pending {row['pending']:>3}  failed {row['failed']:>3}  last delivery {row['last_delivery'] or '—'}"
                  + (f"\n    last error: {row['last_error']}" if row["last_error"] else ""))
        for problem in problems:
            print(f"NOT SENT: {problem}")
        return 0
    subs = configured_subscriptions(settings, strict=args.action == "test") if args.file is None else \
        load_subscriptions(args.file, strict=args.action == "test")
    if args.action == "test":
        chosen = [s for s in subs if s.name == args.name]
        if not chosen:
            print(f"no subscription named {args.name!r} (have: {', '.join(s.name for s in subs)})", file=sys.stderr)
            return 2
        results = delivery.send_test(chosen[0])
        for channel, error in results.items():
            print(f"{'FAILED' if error else 'sent  '} {redact(channel.split('?')[0])}" + (f": {error}" if error else ""))
        return 1 if any(results.values()) else 0
    store = Store.open(settings)
    found = find_alerts(store, subs, settings.alerts)
    delivered = delivery.deliver_immediate(store, subs, settings.alerts)
    digests = delivery.run_digests(store, subs, settings.alerts)
    print(json.dumps({"new": found.counts(), "immediate": delivered.counts(), "digests": digests.counts()}))
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("alerts", "alert subscriptions: list, test NAME, run")
    p.add_argument("action", choices=["list", "test", "run"])
    p.add_argument("name", nargs="?")
    p.add_argument("--file", type=Path, help="subscriptions file (default: config/alerts.yaml)")
    p.add_argument("--json", action="store_true", help="with list: JSON instead of text")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_alerts)
