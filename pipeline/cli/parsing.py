"""The command line's parser and output contract: suggestions for typos, each command's own usage, quiet pipes.

argparse alone answers `newswatch serch` with the whole command list and `newswatch search --jsn x`
with the top-level usage; `Parser` names the closest command or flag and shows the usage of the
command that was meant. `run_guarded` lets `newswatch … | head -1` end without a traceback, and
`print_lines` is the one way a `--json` output is written: JSON Lines, one object per line.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number within [low, high], else a usage error naming the range
    (not a traceback from Elasticsearch's "result window is too large" or a negative size)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is out of range ({low}–{high})")
        return number

    return parse


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a typo most likely meant, or None when none is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def refuse_unknown_topic(parser: argparse.ArgumentParser, topic: str, names: list[str], topics_file: Path) -> None:
    """`--topic` naming no topic of `topics_file`: a usage error with the likely meaning (a model or a verdict for
    no topic would be kept and never used)."""
    if topic not in names:
        guess = closest(topic, names)
        parser.error(f"--topic {topic}: no such topic in {topics_file}"
                     + (f": did you mean {guess!r}?" if guess else f" (have: {', '.join(names)})"))


class Parser(argparse.ArgumentParser):
    """argparse with a "did you mean" and the usage of the command the flag was given to."""

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2))
            guess = closest(match.group(1), choices)
            message = f"unknown choice {match.group(1)!r}" + (f": did you mean {guess!r}?" if guess else "") + \
                      f" (one of: {', '.join(choices)})"
        super().error(message)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = self._command_parser(getattr(parsed, "command", None))
            flags = [o for action in command._actions for o in action.option_strings]
            hints = [f"{word} (did you mean {guess}?)" if (guess := closest(word, flags)) else word for word in extra]
            command.error(f"unrecognized arguments: {' '.join(hints)}")
        return parsed

    def _command_parser(self, name: str | None) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                return action.choices[name]
        return self


def print_lines(records: Iterable[Any]) -> None:
    """JSON Lines on stdout: one object per line, so `jq`, `head` and a `for` loop each read one record."""
    for record in records:
        print(json.dumps(record, ensure_ascii=False, default=str))


def run_guarded(command: Callable[[], int]) -> int:
    """Run a command; a reader that closed the pipe (`| head -1`) ends it quietly with exit 0.

    stdout is flushed inside, so a pipe closed early fails here rather than in the interpreter's
    exit, and is then pointed at /dev/null so that exit does not try again.
    """
    try:
        code = command()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
