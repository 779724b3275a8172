"""`newswatch figures`: numbers of people reconciled across reports: revisions and disagreements with sources.

From the index, reports are grouped by event (`event_id`; a story not yet placed, by its cluster); with
`--recorded`, what the events stage recorded (`figure-findings`: what figure alerts are raised from).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pipeline.cli.common import EXIT_EMPTY, settings_from
from pipeline.cli.parsing import bounded
from pipeline.errors import ConfigError


def _from_input(path: Path, by: str) -> list[dict[str, Any]]:
    """Lines `{id, text, published, outlet?, lang?, <group key>?}`: figures extracted by the product's code."""
    from pipeline.cli.events import iso_offset
    from pipeline.cli.extract import _read_jsonl, extract_records

    rows = _read_jsonl(path)
    offsets: dict[bool, int] = {}  # with an offset or without → the first line of each: a file may use either
    for number, row in enumerate(rows, 1):  # checked before the NLP: its minutes were lost to a bad time at the end
        problem = _input_row_problem(row, by)
        if problem is None:
            aware = bool(iso_offset(row["published"]))
            offsets.setdefault(aware, number)
            if len(offsets) > 1:
                problem = (f"'published' {row['published']!r} is written {'with' if aware else 'without'} an offset, "
                           f"line {_line_of(path, offsets[not aware])} the other way: the two cannot be compared")
        if problem:
            raise ConfigError(str(path), f"line {_line_of(path, number)}", problem)
    return [{**row, "story_id": row.get("id"), "figures": rec["figures"], "focus_place": rec["focus"]}
            for row, rec in zip(rows, extract_records(rows), strict=True)]


def _input_row_problem(row: dict[str, Any], by: str) -> str | None:
    """What reconciling would trip over in one input line: a time it cannot compare, a group key it cannot hold."""
    from pipeline.cli.events import iso_offset

    if iso_offset(row.get("published")) is None:
        return f"'published' must be an ISO time (\"2022-06-28T08:00:00+00:00\"), not {row.get('published')!r}"
    for field in dict.fromkeys((by, "cluster_id")):  # dictionary keys: a number holds one as well as a string
        if row.get(field) is not None and (isinstance(row[field], bool) or not isinstance(row[field], str | int)):
            return f"'{field}' must be a string, a whole number or null, not {row[field]!r}"
    for field in ("outlet", "lang"):
        if row.get(field) is not None and not isinstance(row[field], str):
            return f"'{field}' must be a string or null, not {row[field]!r}"
    return None


def _line_of(path: Path, row_number: int) -> int:
    """The file line of the `row_number`th object: the reader skips blank lines, an editor counts them."""
    seen = 0
    for number, raw in enumerate(path.read_bytes().splitlines(), 1):  # split as extract's reader splits
        seen += bool(raw.decode("utf-8", "replace").strip())
        if seen == row_number:
            return number
    return row_number


def _from_store(args: argparse.Namespace) -> list[dict[str, Any]]:
    from pipeline.store import Store

    with Store.open(settings_from(args)) as store:
        query = {"bool": {"filter": [{"range": {"published": {"gte": f"now-{args.days}d"}}},
                                     {"exists": {"field": "figures.value"}}]}}
        return list(store.scan("stories", query, [{"published": "asc"}, {"story_id": "asc"}],
                               source=["story_id", "outlet", "published", "cluster_id", "event_id", "figures",
                                       "focus_place"]))


def _recorded(args: argparse.Namespace) -> list[dict[str, Any]]:
    from pipeline.store import Store

    with Store.open(settings_from(args)) as store:
        query = {"range": {"at": {"gte": f"now-{args.days}d"}}}
        return [f.to_source() for f in store.scan("figure-findings", query, [{"at": "asc"}, {"finding_id": "asc"}])]


def cmd_figures(args: argparse.Namespace) -> int:
    from pipeline.events.figures import changes, reconcile

    if args.recorded:
        return _print(_recorded(args))
    stories = _from_input(args.input, args.by) if args.input else _from_store(args)
    reconciled = reconcile(stories, key=lambda s: s.get(args.by) or s.get("cluster_id"),
                           window=timedelta(days=args.days))
    return _print(changes(reconciled) if not args.all else [r.to_dict() for r in reconciled])


def _print(found: list[dict[str, Any]]) -> int:
    for entry in found:
        print(json.dumps(entry, ensure_ascii=False))
    return 0 if found else EXIT_EMPTY


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("figures", "numbers of people compared across reports: revised figures, outlets that disagree")
    p.add_argument("--input", type=Path, help="a JSONL file of texts instead of the index")
    p.add_argument("--by", default="event_id", help="the field that groups reports of one happening (default "
                                                   "event_id; a story without it is grouped by its cluster_id)")
    p.add_argument("--recorded", action="store_true", help="the revisions and disagreements the events stage "
                                                           "recorded in the index (what figure alerts are raised from)")
    p.add_argument("--days", type=bounded(1, 100_000), default=3, help="how far back, and how long one count stays comparable")
    p.add_argument("--all", action="store_true", help="every reconciled count, not only revisions and disagreements")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_figures)
