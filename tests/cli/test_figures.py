"""`newswatch figures --input`: a revised toll across two reports is printed once, with both sources."""

import json

from pipeline.cli import main


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
