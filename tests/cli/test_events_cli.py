"""The offline contract of the events stage: `newswatch events|surges --input STREAM.jsonl`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.cli import main


@pytest.fixture(scope="module")
def march(shared_data, tmp_path_factory):
    """Three weeks of the real 2022 stream (the Homes for Ukraine launch and the visa row fall in them)."""
    lines = [line for line in (shared_data / "stream-2022-jan-apr.jsonl").read_text().splitlines()
             if "2022-03-01" <= json.loads(line)["published"][:10] <= "2022-03-21"]
    path = tmp_path_factory.mktemp("stream") / "march.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, [json.loads(line) for line in lines]


def test_events_prints_one_line_per_kept_item(march, capsys):
    path, items = march
    assert main(["events", "--input", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ids = [i["id"] for i in items]
    assert rows and set(r["id"] for r in rows) <= set(ids) and len(rows) < len(items) / 5  # on-topic only
    assert all(r["event"] and r["storyline"] for r in rows)
    by_event: dict[str, int] = {}
    for r in rows:
        by_event[r["event"]] = by_event.get(r["event"], 0) + 1
    assert max(by_event.values()) >= 3  # reports of one happening grouped across items


def test_surges_prints_surge_records(march, capsys):
    path, items = march
    assert main(["surges", "--input", str(path)]) == 0
    surges = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert surges
    known = {i["id"] for i in items}
    for surge in surges:
        assert {"topic", "key", "label", "start", "peak", "score", "stories"} <= surge.keys()
        assert surge["start"] <= surge["peak"] and set(surge["stories"]) <= known and len(surge["stories"]) >= 2


@pytest.mark.parametrize("second, problem", [
    ("[1, 2]", "JSON object"),
    ('{"id": "b", "published": "March 1 2022", "title": "t"}', "ISO time with its offset"),
    ('{"id": "b", "published": "2022-03-01", "title": "t"}', "ISO time with its offset"),  # no offset: naive
    ('{"id": "b", "published": null, "title": "t"}', "ISO time with its offset"),
    ('{"id": "b", "published": "2022-03-01T00:00:00Z", "title": 2022}', "'title' must be a string"),
])
def test_a_bad_stream_line_is_named(tmp_path, second, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "published": "2022-03-01T00:00:00Z", "title": "t"}\n' + second + "\n")
    for command in ("events", "surges"):
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", command, "--input", str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 3 and "line 2" in done.stderr and problem in done.stderr, done.stderr[-500:]
        assert "Traceback" not in done.stderr
