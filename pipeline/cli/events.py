"""`newswatch events` and `newswatch surges`: what is happening in a stream of news items.

With `--input STREAM.jsonl` (lines `{id, published, outlet, title, summary, text?}`, oldest first) the
items go through the same online path the live stage uses (`pipeline.events.monitor.Monitor`), batch
by batch as successive polls would bring them: the offline contract the product is measured by.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.cli.parsing import bounded, refuse_unknown_topic
from pipeline.settings import Settings


def read_stream(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSONL stream; a line that is not a JSON object is a ConfigError naming it."""
    from pipeline.errors import ConfigError

    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")  # U+2028 and kin are legal inside JSON strings
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}") from None
    first_line: dict[str, int] = {}  # each id's line: items are keyed by str(id), so a repeat would merge two
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ConfigError(str(path), f"line {number}", f"not valid JSON: {exc}") from None
        problem = _stream_row_problem(row)
        if problem is None and str(row["id"]) in first_line:
            problem = f"id {row['id']!r} is already the id of line {first_line[str(row['id'])]}"
        if problem:
            raise ConfigError(str(path), f"line {number}", problem)
        first_line[str(row["id"])] = number
        yield row


def _stream_row_problem(row: object) -> str | None:
    """What is wrong with one stream line, found before the NLP (else a traceback deep in grouping, naming no line)."""
    if not isinstance(row, dict) or "id" not in row or "published" not in row:
        return "must be a JSON object with 'id' and 'published'"
    if isinstance(row["id"], bool) or not isinstance(row["id"], str | int) or not str(row["id"]).strip():
        return f"'id' must be a non-empty string or a whole number, not {row['id']!r}"
    if not aware_time(row["published"]):
        return (f"'published' must be an ISO time with its offset (\"2022-03-13T11:59:00+00:00\" or \"…Z\"), "
                f"not {row['published']!r}")
    for field in ("title", "summary", "text", "outlet", "lang", "language"):
        if row.get(field) is not None and not isinstance(row[field], str):
            return f"'{field}' must be a string, not {row[field]!r}"
    return None


def aware_time(value: object) -> bool:
    """Whether `value` is an ISO time with an offset that UTC can also hold ("9999-12-31T23:59:00-14:00" is past year 9999 in UTC)."""
    return iso_offset(value) is True


def iso_offset(value: object) -> bool | None:
    """Whether an ISO time carries its offset; None when it is no time a datetime can hold, in UTC as well."""
    from datetime import UTC

    from pipeline.events.features import parse_time

    try:
        when = parse_time(value) if isinstance(value, str) else None
        if when is not None and when.tzinfo is not None:
            when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return None if when is None else when.tzinfo is not None


DAYS, SIZE = 7, 20  # the index's defaults; None in the parser, so that one given beside --input is seen


def index_only_options(args: argparse.Namespace) -> list[str]:
    """The options given that only the index reads (`surges --input` filters by --topic; `events` has no topic)."""
    given = {"--days": args.days is not None, "--size": args.size is not None, "--json": args.json,
             "--es-url": args.es_url is not None, "--topic": args.topic is not None and args.command == "events"}
    return [option for option, present in given.items() if present]


def cmd_stream(args: argparse.Namespace) -> int:
    if args.input is None:
        return cmd_index(args)
    if ignored := index_only_options(args):  # else a user reads a week of the stream as the index's last 7 days
        args.parser.error(f"{', '.join(ignored)}: only for the index, not with --input")
    config_dir = Settings.from_env().config_dir
    if args.topic is not None:  # a misspelt topic would print no surge, as a quiet stream does
        from pipeline.config import load_topics

        topics_file = config_dir / "topics.yaml"
        refuse_unknown_topic(args.parser, args.topic, [t.name for t in load_topics(topics_file)], topics_file)
    started = time.perf_counter()
    items = list(read_stream(args.input))
    from pipeline.events.features import load_nlp
    from pipeline.events.matching import load_matcher
    from pipeline.events.monitor import Monitor, run

    monitor = Monitor(matcher=load_matcher(config_dir), nlp=load_nlp())
    loaded = time.perf_counter()
    placed = run(items, monitor, args.batch_size)
    surges = [s for s in monitor.surges() if args.topic in (None, s.topic)]
    out = sys.stdout
    if args.command == "events":
        for p in placed:
            out.write(json.dumps({"id": p.id, "event": p.event, "storyline": p.storyline}) + "\n")
    else:
        for surge in surges:
            out.write(json.dumps(surge.to_dict(), ensure_ascii=False) + "\n")
    print(f"{args.command}: {len(items)} items, {len(placed)} kept, {len(surges)} surges; "
          f"start-up {loaded - started:.1f} s, stream {time.perf_counter() - loaded:.1f} s", file=sys.stderr)
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """What the live stage found: recent events and storylines, or surges, from the index."""
    from datetime import UTC, datetime, timedelta

    from pipeline.cli.common import EXIT_EMPTY, settings_from
    from pipeline.store import Store

    settings = settings_from(args)
    days, size = args.days or DAYS, args.size or SIZE
    with Store.open(settings) as store:
        newest = store.recent_groups("event", datetime(1970, 1, 1, tzinfo=UTC), 1, sort="last_seen")
        # the last N days of the index's news: a replayed or paused index has no news from this week
        anchor = min(store.now(), newest[0].last_seen) if newest else store.now()
        since = anchor - timedelta(days=days)
        if args.command == "surges":
            rows = [s.to_source() for s in store.surges_since(since, [args.topic] if args.topic else None, news_time=True)]
            rows.sort(key=lambda r: r["start"], reverse=True)
        else:
            rows = [g.to_source() for level in ("event", "storyline")
                    for g in store.recent_groups(level, since, size, args.topic)]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    elif args.command == "surges":
        for r in rows:
            print(f"{r['start'][:16]}  {r['topic']:<16} {r['kind']:<12} {r['label'][:60]:<60} "
                  f"{r['count']:>3} stories (expected {r['expected']:.1f})" + ("" if r["end"] else "  OPEN"))
    else:
        for level in ("event", "storyline"):
            chosen = [r for r in rows if r["level"] == level]
            print(f"{level}s seen in the {days} days to {anchor.date().isoformat()} ({len(chosen)}):")
            for r in chosen:
                reports = "report from" if r["reports"] == 1 else "reports from"
                print(f"  {r['first_seen'][:10]} – {r['last_seen'][:10]}  {r['reports']:>3} {reports} "
                      f"{r['outlet_count']} outlet{'' if r['outlet_count'] == 1 else 's'}  {r['title'][:90]}")
                if r["persons"] or r["places"]:
                    print(f"      people: {', '.join(r['persons'][:4]) or '—'}   places: {', '.join(r['places'][:4]) or '—'}")
                for f in r.get("figure_findings") or []:
                    joined = " → " if f["condition"] == "revised" else " vs "
                    print(f"      figure {'revised' if f['condition'] == 'revised' else 'disputed'}: {f['kind']}"
                          f"{' in ' + f['place'] if f['place'] else ''}, "
                          f"{joined.join(f'{v:,.0f}' for v in f['values'])} ({', '.join(f['outlets'])})")
    return 0 if rows else EXIT_EMPTY


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    for name, what in (("events", "recent events and storylines in the index; with --input, those of a stream "
                                  "(one JSON line per kept item)"),
                       ("surges", "recent surges in the index; with --input, those of a stream (one JSON line per surge)")):
        p = command(name, what)
        p.add_argument("--input", type=Path, help="a JSONL stream {id, published, outlet, title, summary}")
        p.add_argument("--batch-size", type=bounded(1, 100_000), default=200,
                       help="with --input: items per simulated poll (default 200)")
        p.add_argument("--days", type=bounded(1, 36_500), help=f"from the index: seen in the last N days (default {DAYS})")
        p.add_argument("--size", type=bounded(1, 10_000), help=f"from the index: how many of each (default {SIZE})")
        p.add_argument("--topic", help="one topic only" + (" (from the index or a stream)" if name == "surges"
                                                           else " (from the index)"))
        p.add_argument("--json", action="store_true", help="from the index: one JSON object per line")
        p.add_argument("--es-url")
        p.set_defaults(func=cmd_stream, parser=p)
