"""A fresh sample of stream items for hand-labelling places and figures, drawn blind and reproducibly.

Items of ../shared/data/stream-2022-jan-apr.jsonl in neither the events labels (the dev set) nor an excluded
file (earlier unseen sets), half drawn among items whose title or summary has a migration word or a number
of people (the dev set is migration-heavy), half at random from the rest; a fixed seed.

    .venv/bin/python scripts/sample_places_items.py --exclude scripts/data/places-figures-unseen.jsonl \
        --n 80 --seed 20 > /tmp/unseen2.items.jsonl

The items printed are what a labeller reads; only the labels (ids, places, figures) are kept in
scripts/data/ — `eval_places.py` reads each item's title and summary from the stream by id. Later sets
exclude the earlier label files (`--exclude scripts/data/places-figures-unseen2.jsonl` …).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
MIGRATION = re.compile(r"\b(migra\w*|refugee\w*|asylum|border\w*|deport\w*|displac\w*|fled|flee\w*|evacuat\w*|"
                       r"small boats?|Channel|crossing\w*|smuggl\w*|trafficker\w*)\b", re.IGNORECASE)
NUMBER = re.compile(r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred|"
                    r"dozens|hundreds|thousands|millions)\s+(?:\w+\s+){0,2}(people|migrants|refugees|children|"
                    r"dead|killed|died|men|women|residents|passengers|workers|soldiers|civilians|patients|"
                    r"students|families|survivors|victims|staff)\b", re.IGNORECASE)


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="jsonl files whose ids to skip")
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    skip = {d["id"] for d in load(DATA / "events-2022-jan-apr.labels.jsonl")}
    for path in args.exclude:
        skip |= {d["id"] for d in load(path)}
    stream = [d for d in load(DATA / "stream-2022-jan-apr.jsonl") if d["id"] not in skip]
    rng = random.Random(args.seed)
    enriched = [d for d in stream if MIGRATION.search(f"{d['title']} {d['summary']}")
                or NUMBER.search(f"{d['title']} {d['summary']}")]
    chosen = rng.sample(enriched, args.n // 2)
    ids = {d["id"] for d in chosen}
    chosen += rng.sample([d for d in stream if d["id"] not in ids], args.n - len(chosen))
    chosen.sort(key=lambda d: d["published"])
    for d in chosen:
        print(json.dumps({k: d[k] for k in ("id", "published", "outlet", "title", "summary")}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
