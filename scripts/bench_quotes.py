"""Quote quality and speed together: score the extractor on the labelled sets and time it.

    .venv/bin/python scripts/bench_quotes.py [--gold GGT.jsonl] [--french FR.jsonl] [--runs 3]
    .venv/bin/python scripts/bench_quotes.py --pages DIR [--pages DIR …]

Prints, with ../shared/tools/score_quotes.py at overlap 0.3 and 0.8:
- the English set (Gender Gap Tracker dev articles), whole;
- the same set cut in two by sorted article id: the first half is the one the rules were tuned on
  while this work was done, the second half was only measured, so a gap between them shows fitting;
- the French set (quotes-fr-dev.jsonl);
- the blind sets (scripts/data/quotes-unseen.jsonl … quotes-unseen8.jsonl: other English articles, each
  labelled before the product ran on it; see their READMEs for sources, conventions and blind scores);
then articles per second for plain `nlp.pipe` and for the full extractor over the English texts, and
their ratio (the extractor must stay at least half as fast as plain `nlp.pipe`).
With `--pages`, only those sets: stored news pages labelled by hand outside the repository (their texts are
third-party pages), each a folder of `quotes.jsonl` and the texts its lines name, and their pooled figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest.articles import blank_junk, extract_text  # noqa: E402
from pipeline.nlp.analyze import analyze, load_model  # noqa: E402

SHARED = ROOT.parent / "shared"
# blind sets, each labelled before the product saw it
UNSEEN = ("quotes-unseen.jsonl", "quotes-unseen2.jsonl", "quotes-unseen3.jsonl", "quotes-unseen4.jsonl",
          "quotes-unseen5.jsonl", "quotes-unseen6.jsonl", "quotes-unseen7.jsonl", "quotes-unseen8.jsonl")
SCORER = SHARED / "tools" / "score_quotes.py"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def source_text(path: Path) -> str:
    """A blind set's article text: an article file's `text`, an extraction benchmark's expected text, the
    paragraphs of its expected HTML (readability's), one per line as the product's extraction gives, or
    for a raw page (trafilatura's test pages come without a reference text) what the product extracts; a
    path ending in "#N" is the full text of a feed's entry N (Talking Points Memo's feed carries whole stories)."""
    if "#" in path.name:  # "feeds/nodefp__tpm.atom#4": the full text a feed carries in its fifth entry
        import feedparser

        feed_path, entry = str(path).rsplit("#", 1)
        item = feedparser.parse(feed_path).entries[int(entry)]
        return _paragraphs(" ".join(c.get("value", "") for c in item.get("content", [])) or item.get("summary", ""))
    if path.suffix == ".json":
        return str(json.loads(path.read_text(encoding="utf-8"))["text"])
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    if path.name != "expected.html":
        return extract_text(path.read_bytes()) or ""
    return _paragraphs(path.read_text(encoding="utf-8"))


def _paragraphs(page: str) -> str:
    import lxml.html

    tree = lxml.html.fromstring(page)
    paragraphs = (" ".join(p.text_content().split()) for p in tree.iter("p", "h1", "h2", "h3", "li", "blockquote"))
    return "\n\n".join(p for p in paragraphs if p)


def predict(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """What `newswatch extract` would answer for each article."""
    analyses = analyze((blank_junk(r["text"]) for r in rows), language)
    return [{"id": r["id"], "quotes": a.as_dict()["quotes"]} for r, a in zip(rows, analyses, strict=True)]


def score(gold: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scorer's figures at 0.3 and 0.8 for these articles only."""
    wanted = {r["id"] for r in gold}
    with tempfile.TemporaryDirectory() as tmp:
        gold_path, pred_path = Path(tmp, "gold.jsonl"), Path(tmp, "pred.jsonl")
        gold_path.write_text("".join(json.dumps(r) + "\n" for r in gold), encoding="utf-8")
        pred_path.write_text("".join(json.dumps(p) + "\n" for p in predictions if p["id"] in wanted), encoding="utf-8")
        out = subprocess.run([sys.executable, str(SCORER), str(gold_path), str(pred_path), "--json"],
                             capture_output=True, text=True, check=True).stdout
    return list(json.loads(out))


def show(label: str, figures: list[dict[str, Any]]) -> None:
    print(f"{label}  ({figures[0]['articles']} articles, {figures[0]['gold_quotes']} gold quotes)")
    for s in figures:
        print(f"  threshold {s['threshold']}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} | "
              f"direct R {s['direct_recall']} | speaker mention {s['speaker_mention_acc']} | "
              f"speaker canonical {s['speaker_canonical_acc']} | {s['pred_quotes']} pred")


def speed(rows: list[dict[str, Any]], runs: int) -> None:
    texts = [blank_junk(r["text"]) for r in rows]
    nlp = load_model("en")
    list(nlp.pipe(texts[:2]))  # warm up
    plain, full = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=16):
            pass
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        analyze(texts, "en")
        full.append(time.perf_counter() - started)
    best_plain, best_full = min(plain), min(full)
    print(f"articles: {len(rows)}  runs: {runs} (best of)")
    print(f"nlp.pipe only:      {len(rows) / best_plain:7.2f} articles/s")
    print(f"extractor (full):   {len(rows) / best_full:7.2f} articles/s")
    print(f"speed ratio:        {best_plain / best_full:7.2f} (target ≥ 0.50)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", type=Path, default=SHARED / "data" / "ggt-dev.jsonl")
    parser.add_argument("--french", type=Path, default=SHARED / "data" / "quotes-fr-dev.jsonl")
    parser.add_argument("--unseen", type=Path, action="append",
                        help="blind sets (labels naming their text's source under ../shared/data; default: both)")
    parser.add_argument("--pages", type=Path, action="append", default=[],
                        help="a set of stored pages labelled outside the repository: DIR/quotes.jsonl, each line "
                             "naming its text DIR/<file>; several together are also scored pooled")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.pages:  # only these: a blind set is scored once, before anything else reads it
        pooled: list[dict[str, Any]] = []
        pooled_predictions: list[dict[str, Any]] = []
        for folder in args.pages:
            rows = [{**r, "text": (folder / r["file"]).read_text(encoding="utf-8")} for r in read_jsonl(folder / "quotes.jsonl")]
            predictions = predict(rows, "en")
            show(f"English pages {folder.name}", score(rows, predictions))
            pooled += rows
            pooled_predictions += predictions
        if len(args.pages) > 1:
            show("  pooled", score(pooled, pooled_predictions))
        return

    english = sorted(read_jsonl(args.gold), key=lambda r: r["id"])
    predictions = predict(english, "en")
    show(f"English {args.gold.name}", score(english, predictions))
    half = len(english) // 2
    show("  tuning half (first by id)", score(english[:half], predictions))
    show("  other half (not tuned on)", score(english[half:], predictions))
    if args.french.exists():
        french = read_jsonl(args.french)
        show(f"French {args.french.name}", score(french, predict(french, "fr")))
    for path in args.unseen or [ROOT / "scripts" / "data" / name for name in UNSEEN]:
        unseen = [{**r, "text": source_text(SHARED / "data" / r["source"])}
                  for r in read_jsonl(path)]  # the labels only: texts stay in ../shared
        show(f"English {path.name}", score(unseen, predict(unseen, "en")))
    speed(english, args.runs)


if __name__ == "__main__":
    main()
