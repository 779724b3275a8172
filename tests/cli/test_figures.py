"""`newswatch figures --input`: a revised toll across two reports is printed once, with both sources."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def test_a_revised_toll_is_printed_once_with_both_sources(tmp_path, capsys):
    path = tmp_path / "reports.jsonl"
    rows = [{"id": "a", "outlet": "BBC News", "published": "2022-06-28T08:00:00+00:00", "event": "e1",
             "text": "At least 46 migrants died after being found in a truck in San Antonio, Texas."},
            {"id": "b", "outlet": "CNN", "published": "2022-06-29T04:00:00+00:00", "event": "e1",
             "text": "The death toll in San Antonio, Texas, rose to 53 migrants on Tuesday, officials said."},
            {"id": "c", "outlet": "CNN", "published": "2022-06-29T05:00:00+00:00", "event": "e2",
             "text": "Twelve migrants were rescued off Lampedusa."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["figures", "--input", str(path), "--by", "event"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    change = json.loads(line)
    assert change["condition"] == "figure revised" and change["values"] == [46, 53] and change["kind"] == "died"
    assert [s["story_id"] for s in change["sources"]] == ["a", "b"]


@pytest.mark.parametrize("second, problem", [
    ({"id": "b", "text": "Five died."}, "'published' must be an ISO time"),
    ({"id": "b", "text": "Five died.", "published": "yesterday"}, "'published' must be an ISO time"),
    ({"id": "b", "text": "Five died.", "published": "2022-06-29T04:00:00"},  # naive beside an aware one
     "'published' '2022-06-29T04:00:00' is written without an offset, line 1 the other way"),
    ({"id": "b", "text": "Five died.", "published": "2022-06-29T04:00:00Z", "event_id": ["e1"]},
     "'event_id' must be a string, a whole number or null"),
])
def test_a_line_reconciling_would_trip_over_is_named_before_the_nlp(tmp_path, second, problem):
    """A bad time or group key crashed with a KeyError, ValueError or TypeError after all the extraction work."""
    path = tmp_path / "reports.jsonl"
    first = {"id": "a", "text": "Four died.", "published": "2022-06-28T08:00:00+00:00", "event_id": "e1"}
    path.write_text(json.dumps(first) + "\n\n" + json.dumps(second) + "\n")  # the blank line counts as a line
    done = subprocess.run([NEWSWATCH, "figures", "--input", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3 and f"{path}: line 3: {problem}" in done.stderr, done.stderr[-500:]
    assert "Traceback" not in done.stderr


def test_the_group_key_named_by_by_is_the_one_checked(tmp_path):
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Four died.", "published": "2022-06-28T08:00:00Z", "event": [3]}) + "\n")
    done = subprocess.run([NEWSWATCH, "figures", "--input", str(path), "--by", "event"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 3 and "line 1: 'event' must be a string, a whole number or null, not [3]" in done.stderr, \
        done.stderr[-500:]
    # files that worked before stay readable: whole-number keys, and times all written without an offset
    rows = [{"id": "a", "text": "Four people died.", "published": "2022-06-28T08:00:00", "event": 3},
            {"id": "b", "text": "Five people died.", "published": "2022-06-29T08:00:00", "event": 3}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = subprocess.run([NEWSWATCH, "figures", "--input", str(path), "--by", "event"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr[-500:]
