"""Labels that name their item in a captured stream instead of copying its text."""

from __future__ import annotations

import json

import pytest

from pipeline.topics.labelled_rows import read_labelled_rows


def test_a_label_naming_a_stream_item_gets_its_title_and_summary(tmp_path):
    stream = tmp_path / "shared" / "stream.jsonl"
    stream.parent.mkdir()
    stream.write_text(json.dumps({"id": "a1", "title": "Boat capsizes off Lampedusa", "summary": "Dozens missing.",
                                  "feed": "https://example.org/rss"}) + "\n")
    labels = tmp_path / "repo" / "labels.jsonl"
    labels.parent.mkdir()
    labels.write_text(json.dumps({"id": "a1", "stream": "../shared/stream.jsonl", "label": "on"}) + "\n"
                      + json.dumps({"id": "b2", "title": "Own text", "description": "kept", "label": "off"}) + "\n")
    first, second = read_labelled_rows(labels)
    assert (first["title"], first["description"], first["label"]) == ("Boat capsizes off Lampedusa", "Dozens missing.", "on")
    assert second["title"] == "Own text"


def test_a_label_whose_item_is_not_in_the_stream_names_the_file(tmp_path):
    (tmp_path / "stream.jsonl").write_text(json.dumps({"id": "a1", "title": "t", "summary": "s"}) + "\n")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": "zz", "stream": "stream.jsonl", "label": "on"}) + "\n")
    with pytest.raises(ValueError, match=r"labels.jsonl: item zz is not in"):
        read_labelled_rows(labels)


def test_a_stream_with_blank_lines_and_numeric_ids_still_resolves(tmp_path):
    (tmp_path / "stream.jsonl").write_text("\n" + json.dumps({"id": 7, "title": "t", "summary": "s"}) + "\n\n")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": 7, "stream": "stream.jsonl", "label": "off"}) + "\n")
    [row] = read_labelled_rows(labels)
    assert (row["title"], row["description"]) == ("t", "s")


def test_a_line_that_is_not_json_is_named_by_file_and_line(tmp_path):
    from pipeline.errors import LabelsError

    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"id": "a", "title": "t", "label": "on"}) + "\n{not json\n")
    with pytest.raises(LabelsError, match=r"labels.jsonl: line 2: not JSON"):
        read_labelled_rows(labels)


def test_a_line_separator_inside_a_json_string_is_not_a_line_break(tmp_path):
    """U+2028, U+2029 and U+0085 are legal inside JSON strings: str.splitlines() cut the line there ("not JSON")."""
    labels = tmp_path / "labels.jsonl"
    rows = [{"id": str(i), "title": f"one{sep}two", "label": "on"} for i, sep in enumerate("\u2028\u2029\u0085")]
    labels.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode())
    assert [r["title"] for r in read_labelled_rows(labels)] == [r["title"] for r in rows]  # BOM and CRLF too


@pytest.mark.parametrize("body, problem", [
    ("[" * 100_000 + "]" * 100_000, "line 1: not JSON (nested too deeply)"),  # a RecursionError traceback
    ('{"id": "a", "label": "On"}', "line 1: label 'On' is not one of on, off, borderline"),  # counted as nothing
    ('{"id": "a", "label": "yes"}', "line 1: label 'yes' is not one of"),
    ('"a"', "line 1: not a JSON object"),
])
def test_a_bad_line_is_a_configuration_error_naming_file_and_line(tmp_path, body, problem):
    from pipeline.errors import ConfigError, LabelsError

    labels = tmp_path / "labels.jsonl"
    labels.write_text(body + "\n")
    with pytest.raises(ConfigError) as err:  # exit 3 at the command line, as any file the user wrote
        read_labelled_rows(labels)
    assert str(err.value).startswith(f"{labels}: {problem}") and isinstance(err.value, LabelsError)
