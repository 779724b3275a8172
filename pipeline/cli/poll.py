"""`newswatch poll`, `run-local` and `stop-local`: a poll pass, then enrichment, and the pass's summary."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pipeline.cli.common import EXIT_REJECTED, progress, settings_from
from pipeline.redact import redact
from pipeline.settings import Settings
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.events.live import EventReport
    from pipeline.ingest.poll import PollReport
    from pipeline.nlp.enrich import EnrichReport


def print_summary(report: PollReport, store: Store, settings: Settings, out: TextIO = sys.stdout,
                  enriched: EnrichReport | None = None, events: EventReport | None = None) -> None:
    """The pass's summary; with the enrichment and event placing that ran right after it, when they did."""
    from pipeline.ops.search import top_quoted

    c = report.counts()
    print(f"feeds polled: {c['feeds_polled']} ({c['feeds_failed']} failed)", file=out)
    print(f"items seen: {c['items_seen']}   stories matched: {c['stories_matched']}   "
          f"stories indexed: {c['stories_indexed']}   quotes indexed: {enriched.quotes if enriched else 0}", file=out)
    freshness = [f"pass {c['seconds']} s"]
    if c["first_searchable_seconds"] is not None:
        freshness.append(f"first story searchable after {c['first_searchable_seconds']} s")
    if "searchable_delay_p50" in c:
        freshness.append(f"feed → searchable p50 {c['searchable_delay_p50']} s, p95 {c['searchable_delay_p95']} s")
    print("   ".join(freshness), file=out)
    if enriched is not None:
        e = enriched.counts()
        line = f"enriched {e['stories_enriched']} stories in {e['seconds']} s"
        if "enriched_delay_p50" in e:
            line += f"   feed → enriched p50 {e['enriched_delay_p50']} s, p95 {e['enriched_delay_p95']} s"
        print(line, file=out)
    if events is not None and events.placed:
        print(f"events: {events.placed} stories placed in {events.seconds:.2f} s ({events.events} events and "
              f"{events.storylines} storylines updated), {len(events.raised)} surges raised", file=out)
    if report.set_aside:
        print(f"SET ASIDE at polling (refused for good, not retried): {len(report.set_aside)} stories: "
              + "; ".join(f"{k}: {v.split(':', 1)[0]}" for k, v in list(report.set_aside.items())[:3]), file=out)
    if c["stories_rejected"]:
        print(f"REJECTED by Elasticsearch: {c['stories_rejected']} stories (tried again next pass): "
              + "; ".join(f"{k}: {v}" for k, v in list(report.rejected.items())[:3]), file=out)
    retried = {k: v for k, v in enriched.rejected.items() if k not in enriched.set_aside} if enriched else {}
    if enriched is not None and retried:  # quote ids and story ids; a story set aside is said below
        print(f"ENRICHMENT REJECTED by Elasticsearch: {len(retried)} documents (their stories tried again next pass): "
              + "; ".join(f"{k}: {v}" for k, v in list(retried.items())[:3]), file=out)
    if enriched is not None and enriched.set_aside:
        print(f"SET ASIDE (enrich_error, not retried): {len(enriched.set_aside)} stories: "
              + "; ".join(f"{k}: {v}" for k, v in list(enriched.set_aside.items())[:3]), file=out)
    for f in report.feeds:
        line = f"  {f.feed_id:<28} {f.outcome:<13} items {f.items:>3}  matched {f.matched:>3}  new {f.new:>3}"
        print(redact(line + (f"  ERROR {f.error}" if f.error else "") + (f"  WARNING {f.warning}" if f.warning else "")),
              file=out)
    people = top_quoted(store, settings.search.top_people)
    if people:
        print("top people quoted (all stories): " + ", ".join(f"{name} ({n})" for name, n in people), file=out)


def cmd_poll(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with Store.open(settings) as store:
        report, enriched, events = _poll_and_enrich(store, settings, args.feed, args.force, args.run_id,
                                                    not args.no_enrich)
        print_summary(report, store, settings, enriched=enriched, events=events)
    return poll_exit(report, enriched)


def poll_exit(report: PollReport, enriched: EnrichReport | None) -> int:
    """5 when the index refused stories (now, or for good: set aside), or their enrichment (refused, or set aside):
    a cron job must see it."""
    held = enriched is not None and bool(enriched.rejected or enriched.set_aside)
    return EXIT_REJECTED if report.rejected or report.set_aside or held else 0


def _poll_and_enrich(store: Store, settings: Settings, feed_ids: list[str], force: bool, run_id: str,
                     enrich: bool) -> tuple[PollReport, EnrichReport | None, EventReport | None]:
    """A pass (text first), then enrichment of every story waiting for it, then their events and surges."""
    from pipeline.events.live import track_events
    from pipeline.ingest.poll import due_feeds, poll_feeds
    from pipeline.nlp.enrich import enrich_stories

    gc.freeze()  # the stages' modules too (see main)
    show = progress()
    ids = feed_ids or due_feeds(store, settings, force=force)
    report = poll_feeds(store, settings, ids, run_id=run_id,
                        progress=lambda r: show(f"feeds polled {len(r.feeds)}/{len(ids)}   stories indexed {r.indexed}"))
    enriched = events = None
    try:
        if enrich:
            enriched = enrich_stories(
                store, settings, progress=lambda e: show(f"stories indexed {report.indexed}   enriched {e.stories}"))
            events = track_events(store, settings)
    finally:
        show.close()
    return report, enriched, events


def _as_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def cmd_run_local(args: argparse.Namespace) -> int:
    """The main job on embedded defaults: local Elasticsearch, configured feeds (or the replay), one pass."""
    from pipeline.ingest.sources import feeds_file, resolved_source
    from pipeline.local.es_node import ensure_persistent_node

    for stop in (signal.SIGTERM, signal.SIGHUP):  # a CI cancel, `timeout`, a dropped SSH session: as Ctrl-C, so a
        signal.signal(stop, _as_interrupt)  # node still starting is ended, not left orphaned on the data directory
    state_dir = Settings.from_env().state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    url = ensure_persistent_node(state_dir.resolve())
    print(f"Elasticsearch: {url} (data in {state_dir / 'es'}; stop it with `newswatch stop-local`)")
    settings = Settings.from_env(es_url=url, source=args.source)
    source = resolved_source(settings)
    settings = settings.replace(source=source)
    kind = "bundled offline replay served from 127.0.0.1" if source == "replay" else "live"
    print(f"feeds: {feeds_file(settings)} ({kind})")
    if args.started:  # how long the user waited before the first feed is asked for
        print(f"polling {time.time() - args.started:.1f} s after scripts/run.sh started", flush=True)
    run_id = "local-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    with Store.open(settings) as store:
        report, enriched, events = _poll_and_enrich(store, settings, [], True, run_id, True)
        print_summary(report, store, settings, enriched=enriched, events=events)
    venv = Path(sys.executable).parent
    print(f"""
Next:
  search:   {venv / 'newswatch'} search "safe third country"      (from any folder: it finds this node)
  Airflow:  {venv / 'newswatch'} airflow --port 8080    (prints the login; trigger newswatch_poll in the UI)""")
    return poll_exit(report, enriched)  # as `poll`: stories refused or set aside were "REJECTED", and exit 0


def cmd_stop_local(args: argparse.Namespace) -> int:
    from pipeline.local.es_node import stop_persistent_node

    print("stopped" if stop_persistent_node(Settings.from_env().state_dir.resolve()) else "no local node running")
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("run-local", "start a local Elasticsearch and run one poll pass over all feeds")
    p.add_argument("--source", choices=["auto", "live", "replay"], default="auto")
    p.add_argument("--started", type=float, help=argparse.SUPPRESS)  # scripts/run.sh's start (Unix time)
    p.set_defaults(func=cmd_run_local)
    p = command("stop-local", "stop the Elasticsearch node that run-local started")
    p.set_defaults(func=cmd_stop_local)
    p = command("poll", "poll due feeds (or --feed ID ...) into the configured Elasticsearch")
    p.add_argument("--feed", action="append", default=[])
    p.add_argument("--force", action="store_true", help="poll every feed, due or not")
    p.add_argument("--source", choices=["auto", "live", "replay"])
    p.add_argument("--es-url")
    p.add_argument("--run-id", default="manual")
    p.add_argument("--no-enrich", action="store_true", help="index text only; leave entities and quotes to later")
    p.set_defaults(func=cmd_poll)
