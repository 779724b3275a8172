"""What every command shares: the exit codes, the local state directory, settings from the arguments, progress."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TextIO

from pipeline.settings import Settings

# Exit codes (the README's table; tests/cli/test_cli.py pins each): 1 nothing found or a check failed,
# 2 bad arguments (argparse), 3 configuration, 4 Elasticsearch unreachable or refusing, 5 stories
# rejected (indexed on the next pass), 6 any other reported failure.
EXIT_EMPTY, EXIT_CONFIG, EXIT_STORE, EXIT_REJECTED, EXIT_OTHER = 1, 3, 4, 5, 6


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment and the command's flags; without a URL, the checkout's local node."""
    return Settings.from_env(es_url=getattr(args, "es_url", None), source=getattr(args, "source", None))


def progress(stream: TextIO = sys.stderr) -> Callable[[str], None]:
    """One line that updates in place on a terminal; a line every 10 seconds in a log."""
    last = [0.0]

    def show(line: str) -> None:
        if stream.isatty():
            stream.write(f"\r{line:<100}")
            stream.flush()
        elif time.monotonic() - last[0] >= 10:
            last[0] = time.monotonic()
            print(line, file=stream, flush=True)

    return show
