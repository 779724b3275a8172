"""What every command shares: the exit codes, the local state directory, settings from the arguments, progress."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from pipeline.settings import Settings

# Exit codes (the README's table; tests/cli/test_cli.py pins each): 1 nothing found or a check failed,
# 2 bad arguments (argparse), 3 configuration, 4 Elasticsearch unreachable or refusing, 5 stories
# rejected (indexed on the next pass), 6 any other reported failure.
EXIT_EMPTY, EXIT_CONFIG, EXIT_STORE, EXIT_REJECTED, EXIT_OTHER = 1, 3, 4, 5, 6


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment and the command's flags; without a URL, the checkout's local node."""
    return Settings.from_env(es_url=getattr(args, "es_url", None), source=getattr(args, "source", None))


class Progress:
    """One status line: on a terminal a rich spinner line that updates in place, in a log a line every 10 seconds."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream, self.last, self.status = stream, 0.0, None
        if stream.isatty():
            from rich.console import Console
            from rich.status import Status

            self.status = Status("", console=Console(file=stream), spinner="dots")
            self.status.start()

    def __call__(self, line: str) -> None:
        if self.status is not None:
            self.status.update(line)
        elif time.monotonic() - self.last >= 10:
            self.last = time.monotonic()
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()


def progress(stream: TextIO = sys.stderr) -> Progress:
    return Progress(stream)
