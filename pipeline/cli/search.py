"""`newswatch search`: stories matching a query, one per cluster, as text or JSON."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from pipeline.cli.common import EXIT_EMPTY, settings_from
from pipeline.cli.parsing import bounded, print_lines
from pipeline.store import Store


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.ops.search import as_json, format_hit, search_stories

    if not args.query.strip() and not (args.place or args.country):
        print("newswatch search: give a query, --place or --country", file=sys.stderr)
        return 2  # bad arguments, as argparse says them
    settings = settings_from(args)
    with Store.open(settings) as store:
        hits = search_stories(store, args.query, topic=args.topic, size=args.size or settings.search.size,
                              collapse=not args.all_copies, by_event=not args.by_story, place=args.place,
                              country=args.country)
    if args.json:
        print_lines(as_json(h) for h in hits)
        return 0 if hits else EXIT_EMPTY
    if not hits:
        print(f"no stories match {args.query!r}")
        return EXIT_EMPTY
    for hit in hits:
        print(format_hit(hit))
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("search", "search indexed stories")
    p.add_argument("query", nargs="?", default="", help="words to find (may be left out with --place or --country)")
    p.add_argument("--topic")
    p.add_argument("--place", help='stories naming this place ("Channel", "Calais", "Texas")')
    p.add_argument("--country", help="stories naming a place in this country (GB, FR, United States)")
    p.add_argument("--size", type=bounded(1, 1000), help="how many stories, 1–1000 (default: NEWSWATCH_SEARCH__SIZE, 10)")
    p.add_argument("--all-copies", action="store_true", help="list syndicated copies as hits of their own")
    p.add_argument("--by-story", action="store_true",
                   help="one hit per story, not one per event (\"N reports from M outlets\")")
    p.add_argument("--json", action="store_true", help="JSON Lines: one object per story")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_search)
