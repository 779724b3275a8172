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

from pipeline.errors import LabelsError


def read_labelled_rows(path: Path) -> list[dict[str, Any]]:
    """The file's objects, each with `title` and `description` (filled from its stream where it names one)."""
    rows = json_lines(path)
    return [_with_stream_text(row, path) for row in rows]


def json_lines(path: Path) -> list[Any]:
    """The JSON value of each non-blank line; a line that is not JSON is a LabelsError naming the file and line."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise LabelsError(f"{path}: line {number} is not JSON ({exc.msg})") from None
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
