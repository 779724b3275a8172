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
    with pytest.raises(LabelsError, match=r"labels.jsonl: line 2 is not JSON"):
        read_labelled_rows(labels)
