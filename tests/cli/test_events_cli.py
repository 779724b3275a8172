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


GOOD = '{"id": "a", "published": "2022-03-01T00:00:00Z", "title": "t"}'


@pytest.mark.parametrize("second, problem", [
    (GOOD, "id 'a' is already the id of line 1"),  # one item's surge and group counts taken by the other
    ('{"id": ["a"], "published": "2022-03-01T00:00:00Z"}', "'id' must be a non-empty string or a whole number"),
    ('{"id": " ", "published": "2022-03-01T00:00:00Z"}', "'id' must be a non-empty string or a whole number"),
    ('{"id": "b", "published": "9999-12-31T23:59:00-14:00"}', "'published' must be an ISO time"),  # past 9999 in UTC
    ('{"id": "b", "published": "2022-03-01T00:00:00Z", "lang": ["en"]}', "'lang' must be a string"),
    ('{"id": "b", "published": "2022-03-01T00:00:00Z", "language": 7}', "'language' must be a string"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),  # a RecursionError traceback
])
def test_a_bad_stream_line_is_named_before_any_nlp(tmp_path, second, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text(GOOD + "\n" + second + "\n")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "surges", "--input", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 3 and f"{path}: line 2: {problem}" in done.stderr, done.stderr[-500:]
    assert "Traceback" not in done.stderr


def test_a_line_separator_inside_a_json_string_is_not_a_line_break(tmp_path):
    """U+2028, U+2029 and U+0085 are legal inside JSON strings: str.splitlines() split the line there."""
    from pipeline.cli.events import read_stream

    path = tmp_path / "stream.jsonl"
    rows = [{"id": i, "published": "2022-03-01T00:00:00Z", "title": f"one{sep}two"}
            for i, sep in enumerate(("\u2028", "\u2029", "\u0085"), 1)]
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode())
    assert [r["title"] for r in read_stream(path)] == [r["title"] for r in rows]


@pytest.mark.parametrize("options, problem", [
    (["events", "--days", "3", "--json"], "--days, --json: only for the index, not with --input"),
    (["events", "--topic", "asylum-border"], "--topic: only for the index"),  # events carry no topic
    (["surges", "--size", "5", "--es-url", "http://127.0.0.1:9"], "--size, --es-url: only for the index"),
    (["surges", "--topic", "asylum-bordr"], "no such topic"),  # filters a stream's surges: a typo would print none
    (["surges", "--batch-size", "-5"], "out of range"),
    (["events", "--batch-size", "0"], "out of range"),
])
def test_options_that_cannot_apply_to_a_stream_are_refused(tmp_path, options, problem):
    path = tmp_path / "stream.jsonl"
    path.write_text(GOOD + "\n")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *options, "--input", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and problem in done.stderr, done.stderr[-500:]
