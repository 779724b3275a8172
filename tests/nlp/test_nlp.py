"""Entities and quotes on real articles: the seed article and the Gender Gap Tracker dev set."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.ingest.articles import clean_text
from pipeline.nlp.analyze import analyze
from pipeline.settings import PROJECT_ROOT


def norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).strip("“”\"' ,.")


def test_seed_article_quotes_and_speakers(shared_data: Path):
    gold = json.loads((shared_data / "seed-article.gold.json").read_text())
    [result] = analyze([clean_text((shared_data / "seed-article.txt").read_text())])
    direct = {norm(q.quote): q for q in result.quotes if q.kind == "direct"}
    for g in gold["quotes"]:
        found = direct.get(norm(g["quote"]))
        assert found is not None, g["quote"]
        assert found.speaker_canonical == g["speaker_canonical"]
    assert direct[norm(gold["quotes"][0]["quote"])].verb == "told"
    reported = [q for q in result.quotes if q.kind == "reported"]
    he = next(q for q in reported if q.quote.startswith("there may be political challenges"))
    assert he.speaker == "he" and he.speaker_canonical == "Justin Trudeau"


def test_seed_article_entities_without_page_junk(shared_data: Path):
    gold = json.loads((shared_data / "seed-article.gold.json").read_text())
    [result] = analyze([clean_text((shared_data / "seed-article.txt").read_text())])
    texts = {e.text for e in result.entities} | {e.canonical for e in result.entities}
    speakers = {q.speaker for q in result.quotes} | {q.quote for q in result.quotes}
    for junk in gold["must_not_be_entities"]:
        assert junk not in texts and junk not in speakers, junk
    people = {e.canonical for e in result.entities if e.label == "person"}
    assert set(gold["persons"]) <= people
    assert {"Trudeau", "Blair"}.isdisjoint(people)  # surnames resolve to the full names
    places = {e.canonical for e in result.entities if e.label == "place"}
    assert {"Canada", "United States", "Washington"} <= places


@pytest.mark.slow
def test_ggt_dev_quote_f1(shared_data: Path, tmp_path: Path):
    """The extraction contract end to end, scored by the shared tool: F1 ≥ 0.75 at overlap 0.3."""
    pred = tmp_path / "pred.jsonl"
    with pred.open("w") as out:
        subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", "--input", str(shared_data / "ggt-dev.jsonl")],
                       stdout=out, check=True, cwd=PROJECT_ROOT)
    lines = [json.loads(line) for line in pred.read_text().splitlines()]
    assert set(lines[0]) >= {"id", "entities", "quotes", "topics"}
    assert set(lines[0]["quotes"][0]) >= {"quote", "speaker", "speaker_canonical", "verb", "start", "end", "kind"}
    score = subprocess.run([sys.executable, str(shared_data.parent / "tools" / "score_quotes.py"),
                            str(shared_data / "ggt-dev.jsonl"), str(pred), "--json"],
                           capture_output=True, text=True, check=True)
    lenient, strict = json.loads(score.stdout)
    assert lenient["articles_missing_in_pred"] == 0
    assert lenient["f1"] >= 0.88, lenient
    assert strict["f1"] >= 0.82, strict
    assert lenient["direct_recall"] >= 0.95, lenient
    assert lenient["speaker_canonical_acc"] >= 0.85 and strict["speaker_canonical_acc"] >= 0.85, (lenient, strict)


def test_extract_offsets_point_into_input(shared_data: Path, tmp_path: Path, capsys):
    """In this process, so the spaCy model the other tests loaded serves (a new process loads it again);
    the command as a separate process is `test_extract_reports_bad_line`'s."""
    from pipeline.cli import main

    text = (shared_data / "seed-article.txt").read_text()
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "seed", "text": text}) + "\n")
    assert main(["extract", "--input", str(src)]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["topics"] == ["asylum-border"]
    for q in row["quotes"]:
        assert text[q["start"]:q["end"]] == q["quote"]


def test_extract_reports_bad_line(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\n{"id": 2}\n')
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", "--input", str(src)],
                          capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 3 and f"{src}: line 2: " in done.stderr and "text" in done.stderr


def test_a_headline_is_read_before_the_text_unless_the_text_opens_with_it():
    from pipeline.nlp.analysis import with_headline

    assert with_headline("Riot in Marseille", "Police said.") == ("Riot in Marseille\n\nPolice said.", 19)
    assert with_headline("Riot in  Marseille", "Riot in Marseille\nPolice said.") == ("Riot in Marseille\nPolice said.", 0)
    assert with_headline(None, "Police said.") == ("Police said.", 0)


def test_a_text_past_the_model_s_length_is_read_to_its_limit_and_the_texts_behind_it_go_on(monkeypatch):
    """spaCy refused a text over its 1,000,000 characters inside the pipe: the whole batch failed, and the next
    run picked the same batch (and `newswatch extract` lost every record of its file). The limit is lowered
    here so that the test parses 6,000 characters, not a million."""
    from pipeline.nlp.analyze import analyze_stream, load_model

    limit = 6000
    monkeypatch.setattr(load_model("en"), "max_length", limit)
    long_text = ("Officials said the camp was full. " * (limit // 34 + 10))[: limit + 500]
    texts = [("The minister said the border was closed.", "a"), (long_text, "b"), ("Police said two men fled.", "c")]
    out = list(analyze_stream(texts, "en", keep_going=True))
    assert [context for context, _ in out] == ["a", "b", "c"]
    assert not any(analysis.error for _, analysis in out) and out[2][1].quotes
