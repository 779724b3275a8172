"""Rows of a labelled JSONL file, with the text of items a label names in a captured stream.

A label may name its item in a stream file (`stream`, a path relative to the labels file) instead of
copying the item's title and summary: the publishers' text stays where it was captured (../shared/data),
and the labels travel with the repository.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, LabelsError

LABELS = ("on", "off", "borderline")


class LabelsFileError(LabelsError, ConfigError):
    """A labelled file that cannot be read as written (file, line, problem): the user's to fix, so a configuration
    error to the command line (exit 3), and still a LabelsError to the code that reads labels."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        ConfigError.__init__(self, str(path), key, problem)


def read_labelled_rows(path: Path) -> list[dict[str, Any]]:
    """The file's objects, each with `title` and `description` (filled from its stream where it names one).

    Each line must be an object whose `label`, when it has one, is on, off or borderline: "On" or "yes" once
    counted as neither, and precision and recall were computed on fewer items without a word.
    """
    rows = []
    for number, row in numbered_json_lines(path):
        if not isinstance(row, dict):
            raise LabelsFileError(path, f"line {number}", "not a JSON object")
        if "label" in row and row["label"] not in LABELS:
            raise LabelsFileError(path, f"line {number}", f"label {row['label']!r} is not one of {', '.join(LABELS)}")
        rows.append(_with_stream_text(row, path))
    return rows


def json_lines(path: Path) -> list[Any]:
    """The JSON value of each non-blank line; a line that is not JSON is a LabelsError naming the file and line."""
    return [value for _, value in numbered_json_lines(path)]


def numbered_json_lines(path: Path) -> list[tuple[int, Any]]:
    """Each non-blank line's number and JSON value. A file that cannot be read, or a line that is not JSON, is
    a LabelsError naming the file (and the line); a UTF-8 byte order mark is allowed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LabelsFileError(path, "(file)", "does not exist" if isinstance(exc, FileNotFoundError)
                              else f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[:exc.start].count(b"\n") + 1
        raise LabelsFileError(path, f"line {bad_line}", f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    out = []
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 and kin are legal in JSON strings
        if line.strip():
            try:
                out.append((number, json.loads(line.removesuffix("\r"))))
            except (json.JSONDecodeError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                raise LabelsFileError(path, f"line {number}", f"not JSON ({reason})") from None
    return out


def _with_stream_text(row: dict[str, Any], path: Path) -> dict[str, Any]:
    if "stream" not in row or row.get("title"):
        return row
    stream = (path.parent / str(row["stream"])).resolve()
    item = stream_items(stream).get(str(row["id"]))
    if item is None:
        raise LabelsError(f"{path}: item {row['id']} is not in {stream}")
    return {**row, "title": item.get("title"), "description": item.get("summary"), "feed": item.get("feed")}


@cache
def stream_items(stream: Path) -> dict[str, dict[str, Any]]:
    """A captured stream's items by id (read once per process: several label files may name one stream)."""
    if not stream.exists():
        raise LabelsError(f"{stream}: the stream a labels file names does not exist")
    items: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(json_lines(stream), 1):
        if not isinstance(row, dict) or "id" not in row:
            raise LabelsError(f"{stream}: item {number} is not an item with an id")
        items[str(row["id"])] = row
    return items
