"""More stream items for hand-labelling events and storylines, chosen by words and by whole weeks.

Items of ../shared/data/stream-2022-jan-apr.jsonl not yet in the events labels whose title or summary has a
migration word (the issue's list: asylum, border, refugee, migrant, deport, evacuate, Rwanda, Channel, visa,
"Homes for Ukraine"; then people fleeing or displaced, resettlement, smuggling, humanitarian corridors, Title 42,
the Home Office, escapes and exoduses, which catch reports of the same happenings that use none of the first
words). With the defaults every week is taken: 254 items, of which 74 were labelled on topic. Whole weeks
(Monday to Sunday) are taken, in an order shuffled with a fixed seed, until at least `--n` items are chosen,
so that the labelled events of a week are complete. Prints the items, oldest first, for the labeller; the
labels file keeps only ids and labels.

    .venv/bin/python scripts/sample_event_items.py --n 300 --seed 19 > /tmp/events-extra.items.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
WORDS = re.compile(r"\b(asylum|border\w*|refugee\w*|migra\w*|deport\w*|evacu\w*|Rwanda\w*|Channel|visas?|"
                   r"Homes for Ukraine|fled|flee|flees|fleeing|displac\w*|resettle\w*|smuggl\w*|"
                   r"humanitarian corridors?|Title 42|Home Office|escap\w*|exodus)\b", re.IGNORECASE)


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def week(published: str) -> str:
    day = date.fromisoformat(published[:10])
    return str(day - timedelta(days=day.weekday()))


def select(stream: list[dict], labelled: set[str], n: int, seed: int) -> list[dict]:
    """Whole weeks of matching unlabelled items, in a seeded order, until n are chosen; oldest first."""
    weeks: dict[str, list[dict]] = defaultdict(list)
    for item in stream:
        if item["id"] not in labelled and WORDS.search(f"{item['title']} {item['summary']}"):
            weeks[week(item["published"])].append(item)
    order = sorted(weeks)
    random.Random(seed).shuffle(order)
    chosen: list[dict] = []
    for key in order:
        if len(chosen) >= n:
            break
        chosen += weeks[key]
    return sorted(chosen, key=lambda d: d["published"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    labelled = {d["id"] for d in load(DATA / "events-2022-jan-apr.labels.jsonl")}
    for item in select(load(DATA / "stream-2022-jan-apr.jsonl"), labelled, args.n, args.seed):
        print(json.dumps({k: item[k] for k in ("id", "published", "outlet", "title", "summary")}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
