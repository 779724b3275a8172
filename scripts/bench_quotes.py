"""Quote quality and speed together: score the extractor on a labelled JSONL set and time it.

    .venv/bin/python scripts/bench_quotes.py [GOLD.jsonl] [--runs 3]

Prints the Gender Gap Tracker scores at overlap 0.3 and 0.8 (../shared/tools/score_quotes.py),
then articles per second for plain `nlp.pipe` and for the full extractor over the same texts, and
their ratio (the extractor must stay at least half as fast as plain `nlp.pipe`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.articles import blank_junk  # noqa: E402
from pipeline.entities import extract_entities  # noqa: E402
from pipeline.nlp import load_model  # noqa: E402
from pipeline.quotes import extract_quotes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold", nargs="?", default=str(ROOT.parent / "shared" / "data" / "ggt-dev.jsonl"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.gold).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [blank_junk(r["text"]) for r in rows]
    nlp = load_model("en")
    list(nlp.pipe(texts[:2]))  # warm up

    plain, full = [], []
    predictions = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=16):
            pass
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        predictions = []
        for row, doc in zip(rows, nlp.pipe(texts, batch_size=16), strict=True):
            entities, people = extract_entities(doc)
            quotes = extract_quotes(doc, entities, people)
            predictions.append({"id": row["id"], "quotes": [asdict(q) for q in quotes]})
        full.append(time.perf_counter() - started)

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        out.writelines(json.dumps(p) + "\n" for p in predictions)
    scorer = ROOT.parent / "shared" / "tools" / "score_quotes.py"
    if scorer.exists():
        print(subprocess.run([sys.executable, str(scorer), args.gold, out.name], capture_output=True, text=True).stdout,
              end="")
    best_plain, best_full = min(plain), min(full)
    print(f"articles: {len(rows)}  runs: {args.runs} (best of)")
    print(f"nlp.pipe only:      {len(rows) / best_plain:7.2f} articles/s")
    print(f"extractor (full):   {len(rows) / best_full:7.2f} articles/s")
    print(f"speed ratio:        {best_plain / best_full:7.2f} (target ≥ 0.50)")


if __name__ == "__main__":
    main()
