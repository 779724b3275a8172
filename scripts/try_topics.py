"""The analyst's loop for tuning topic rules: run them on a labelled file, print precision, recall, mistakes.

    .venv/bin/python scripts/try_topics.py LABELLED.jsonl [--topic asylum-border] [--rules config/topics.yaml]

LABELLED lines: {"id", "title", "description", "label": "on"|"off"|"borderline", "lang"?}; borderline items are
left out. Matching uses title + description only, as before a page is fetched. Prints items per second too.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_topics  # noqa: E402
from pipeline.topics import match_topics  # noqa: E402

TAG = re.compile(r"<[^>]+>")


def item_text(item: dict) -> str:
    return f"{item.get('title') or ''}\n{TAG.sub(' ', html.unescape(item.get('description') or ''))}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("labelled")
    parser.add_argument("--topic", default="asylum-border")
    parser.add_argument("--rules", default=str(ROOT / "config" / "topics.yaml"))
    parser.add_argument("--predictions", help="also write {id, topics} lines here (for score_topics.py)")
    args = parser.parse_args()
    topics = load_topics(Path(args.rules))
    items = [json.loads(line) for line in Path(args.labelled).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [item_text(i) for i in items]
    started = time.perf_counter()
    results = [match_topics(t, topics, i.get("lang", "en")) for t, i in zip(texts, items)]
    elapsed = time.perf_counter() - started
    tp = fp = fn = 0
    mistakes = []
    for item, matches in zip(items, results):
        if args.predictions is None and item.get("label") == "borderline":
            continue
        hit = next((m for m in matches if m.topic == args.topic), None)
        truth = item.get("label") == "on"
        if hit and truth:
            tp += 1
        elif hit and item.get("label") == "off":
            fp += 1
            mistakes.append(f"  false positive  {item['title'][:90]}  ← {', '.join(hit.terms[:4])}")
        elif truth and not hit:
            fn += 1
            mistakes.append(f"  missed          {item['title'][:90]}")
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as out:
            for item, matches in zip(items, results):
                out.write(json.dumps({"id": item["id"], "topics": [m.topic for m in matches]}) + "\n")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"{args.topic}: precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}; unweighted)")
    print(f"speed: {len(items) / elapsed:,.0f} items/s on one core")
    print("\n".join(mistakes))


if __name__ == "__main__":
    main()
