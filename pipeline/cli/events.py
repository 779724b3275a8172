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

from pipeline.settings import Settings


def read_stream(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSONL stream; a line that is not a JSON object is a ConfigError naming it."""
    from pipeline.errors import ConfigError

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(str(path), f"line {number}", f"not valid JSON: {exc.msg}") from None
        if not isinstance(row, dict) or "id" not in row or "published" not in row:
            raise ConfigError(str(path), f"line {number}", "must be a JSON object with 'id' and 'published'")
        yield row


def cmd_stream(args: argparse.Namespace) -> int:
    from pipeline.errors import ConfigError

    if args.input is None:
        raise ConfigError("(command line)", "--input", "reading events from the index is not built yet: "
                          "give a stream file (--input STREAM.jsonl)")
    started = time.perf_counter()
    items = list(read_stream(args.input))
    from pipeline.events.features import load_nlp
    from pipeline.events.matching import load_matcher
    from pipeline.events.monitor import Monitor, run

    monitor = Monitor(matcher=load_matcher(Settings.from_env().config_dir), nlp=load_nlp())
    loaded = time.perf_counter()
    placed = run(items, monitor, args.batch_size)
    out = sys.stdout
    if args.command == "events":
        for p in placed:
            out.write(json.dumps({"id": p.id, "event": p.event, "storyline": p.storyline}) + "\n")
    else:
        for surge in monitor.surges():
            out.write(json.dumps(surge.to_dict(), ensure_ascii=False) + "\n")
    print(f"{args.command}: {len(items)} items, {len(placed)} kept, {len(monitor.surges())} surges; "
          f"start-up {loaded - started:.1f} s, stream {time.perf_counter() - loaded:.1f} s", file=sys.stderr)
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    for name, what in (("events", "events and storylines of a stream of items (one JSON line per kept item)"),
                       ("surges", "surges of a stream of items (one JSON line per surge)")):
        p = command(name, what)
        p.add_argument("--input", type=Path, help="a JSONL stream {id, published, outlet, title, summary}")
        p.add_argument("--batch-size", type=int, default=200, help="items per simulated poll (default 200)")
        p.set_defaults(func=cmd_stream)
