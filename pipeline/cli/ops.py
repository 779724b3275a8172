"""`newswatch feed-health`, `kibana-setup`, `init`, `expire`, `reindex`, `cluster` and `settings`: running Newswatch."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pipeline.cli.common import settings_from
from pipeline.cli.parsing import print_lines
from pipeline.errors import SettingsError
from pipeline.redact import redact
from pipeline.settings import Settings, http_url
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.ops.feed_health import FeedHealth


def iso_time(value: str) -> datetime:
    """An ISO time for an option; without an offset it is UTC (a one-line usage error otherwise)."""
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO time: {value!r} (e.g. 2026-12-01T08:00:00+00:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def cmd_feed_health(args: argparse.Namespace) -> int:
    from pipeline.config import load_feeds
    from pipeline.ingest.sources import feeds_file
    from pipeline.ops.feed_health import NEEDS_A_LOOK, feed_health, report

    settings = settings_from(args)
    feed_ids = [f.id for f in load_feeds(feeds_file(settings))]
    at = args.at
    with Store.open(settings) as store:
        rows = feed_health(store, feed_ids, at=at, config=settings.health)
    if args.json:
        print_lines(asdict(r) for r in rows)
    elif sys.stdout.isatty():
        print_table(rows)
    else:
        print(report(rows))  # plain columns for pipes and logs
    return 1 if any(r.status in NEEDS_A_LOOK for r in rows) and args.strict else 0


def print_table(rows: list[FeedHealth]) -> None:
    """The feed listing as a rich table on a terminal, statuses that need a look in colour."""
    from rich.console import Console
    from rich.table import Table

    colour = {"failing": "red", "silent": "yellow", "slow": "yellow", "new": "cyan", "ok": "green"}
    table = Table("feed", "status", "last success", "last new item", "next due", "7-day new", "why", box=None)
    for h in rows:
        table.add_row(h.feed_id, f"[{colour.get(h.status, 'white')}]{h.status}[/]", (h.last_success or "—")[:16],
                      (h.last_new_item or "—")[:16], (h.next_due or "—")[:16], str(sum(n for _, n in h.new_per_day)),
                      h.reason)
    Console().print(table)


def cmd_kibana_setup(args: argparse.Namespace) -> int:
    from pipeline.ops.kibana import import_objects

    settings = Settings.from_env(kibana_url=args.kibana_url)
    try:
        http_url(settings.kibana_url)
    except ValueError as exc:
        raise SettingsError("--kibana-url" if args.kibana_url else "NEWSWATCH_KIBANA_URL", str(exc)) from None
    result = import_objects(settings.kibana_url, wait=args.wait, prefix=settings.index_prefix)
    print(f"imported {result.get('successCount', 0)} saved objects into Kibana")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create or update the index templates and indices (idempotent): the Docker stack's first step."""
    settings = settings_from(args)
    with Store.open(settings) as store:
        names = ", ".join(store.index(kind) for kind in ("stories", "quotes", "feeds", "feed-health", "alerts", "state"))
    print(f"indices ready in {settings.index_prefix}: {names}")
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    from pipeline.store.retention import expire_records

    settings = settings_from(args)
    with Store.open(settings) as store:
        deleted = expire_records(store, settings.retention)
    print(f"deleted {deleted['feed_health']} poll records older than {settings.retention.feed_health_days} days, "
          f"{deleted['alerts']} alert records older than {settings.retention.alerts_days} days")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """Move stories or quotes to a new index with the current mapping and settings, polling or not."""
    from pipeline.store.reindex import reindex

    settings = settings_from(args)
    with Store.open(settings, ensure=False) as store:
        for kind in args.kinds:
            done = reindex(store, kind, on_pass=_progress(kind))
            print(f"{kind}: {done.old_index} → {done.new_index}, {done.documents} documents, {done.copied} copies in "
                  f"{done.passes} passes, {done.seconds:.1f} s (writes held {done.blocked_seconds:.1f} s)")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    """Elasticsearch as the health page shows it; exit 1 when writes are at risk (for scripts and checks)."""
    from pipeline.store.cluster_health import cluster_health

    with Store.open(settings_from(args), ensure=False) as store:
        health = cluster_health(store)
    if args.json:
        print_lines([{**asdict(health), "writes_at_risk": health.writes_at_risk}])
    else:
        disks = ", ".join(f"{node} disk {percent:.0f}%" for node, percent in health.disk_percent.items())
        print(f"cluster {health.cluster or '?'}: {health.status}, {health.nodes} nodes ({health.data_nodes} data), "
              f"{health.unassigned_shards} unassigned shards{', ' + disks if disks else ''}; "
              f"writes {'AT RISK' if health.writes_at_risk else 'ok'}")
        for problem in health.problems:
            print(f"  - {problem}")
    return 1 if health.writes_at_risk else 0


def _progress(kind: str) -> Callable[[int, int], None]:
    return lambda number, copied: print(f"{kind}: pass {number}, {copied} copied", flush=True)


def cmd_settings(args: argparse.Namespace) -> int:
    """Every NEWSWATCH_* variable with its default and, where set, the value in force."""
    current = Settings.from_env()
    written = current.written()  # as the defaults are written: a tuple's repr never equals "a,b"
    for variable, default in Settings.variables().items():
        shown = redact(written[variable])  # a password inside a URL too
        if "password" in variable.lower() or "api_key" in variable.lower():
            shown = "***" if shown else ""
        marker = "" if written[variable] == default else f"   (now: {shown})"
        if variable == "NEWSWATCH_ES_URL" and current.es_url_origin == "local node":
            marker = f"   (now: {shown}, the local node recorded in {current.local_node_file})"
        print(f"{variable}={default}{marker}")
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("feed-health", "per-feed status: ok, failing, silent, slow, new")
    p.add_argument("--at", type=iso_time, help="judge as of this ISO time (default: now)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a feed is failing or silent")
    p.add_argument("--json", action="store_true", help="JSON Lines: one object per feed")
    p.add_argument("--source", choices=["auto", "live", "replay"])
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_feed_health)
    p = command("kibana-setup", "import the data views, searches and dashboard into Kibana")
    p.add_argument("--kibana-url", help="default: NEWSWATCH_KIBANA_URL or http://localhost:5601")
    p.add_argument("--wait", type=float, default=0, help="seconds to wait for Kibana to come up")
    p.set_defaults(func=cmd_kibana_setup)
    p = command("init", "create or update the Elasticsearch index templates and indices")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_init)
    p = command("expire", "delete poll and alert records past their retention (stories are kept)")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_expire)
    p = command("reindex", "move stories or quotes to a new index with the current mapping (polling may go on)")
    p.add_argument("kinds", nargs="+", choices=["stories", "quotes", "feeds", "alerts", "state", "names"])
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_reindex)
    p = command("cluster", "Elasticsearch status, nodes, unassigned shards, disk and blocks; exit 1 when writes are at risk")
    p.add_argument("--json", action="store_true")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_cluster)
    p = command("settings", "list every NEWSWATCH_* variable with its default and current value")
    p.set_defaults(func=cmd_settings)
