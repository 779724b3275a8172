"""Draw stream items to label by hand for the topics guide: seeded, half of them with a migration-ish word.

    .venv/bin/python scripts/sample_stream_items.py OUT.jsonl [--n 150] [--seed 20221]

The items already labelled elsewhere (the topic files, the event labels, the places sets, earlier draws)
are left out. Half the draw is enriched with a loose word pattern so that the hard cases (fleeing in passing,
visas in celebrity stories, "border" in trade) are there to label; the other half is uniform over the rest.
This is how `scripts/data/topics-stream-extra.jsonl` was drawn (labelled blind, before the product ran on it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
LABELLED = [DATA / "events-2022-jan-apr.labels.jsonl", DATA / "topics-dev.jsonl", DATA / "topics-guardian-dev.jsonl",
            *sorted((Path(__file__).resolve().parent / "data").glob("places-figures-unseen*.jsonl")),
            *sorted((Path(__file__).resolve().parent / "data").glob("topics-stream-extra*.jsonl")),
            Path(__file__).resolve().parent / "data" / "events-extra.labels.jsonl"]
MIGRATIONISH = re.compile(r"refugee|asylum|migrant|border|deport|visa|flee|fled|evacuat|boat|crossing|smuggl|traffick",
                          re.I)


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def draw(stream: list[dict], seen: set[str], n: int, seed: int) -> list[dict]:
    """Half with a migration-ish word in title or summary, half without, shuffled (one seeded generator).

    Once the labelled sets have used up the migration-ish items, all that are left are taken and the rest of
    the draw is uniform (the 2022 stream has only a dozen such items left after every labelled set)."""
    pool = [s for s in stream if s["id"] not in seen]
    hot = [s for s in pool if MIGRATIONISH.search(f"{s.get('title') or ''} {s.get('summary') or ''}")]
    ids = {s["id"] for s in hot}
    rng = random.Random(seed)
    k = min(n // 2, len(hot))
    picked = rng.sample(hot, k) + rng.sample([s for s in pool if s["id"] not in ids], n - k)
    rng.shuffle(picked)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stream", type=Path, default=DATA / "stream-2022-jan-apr.jsonl")
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20221)
    args = parser.parse_args()
    seen = {r["id"] for path in LABELLED if path.exists() for r in rows(path)}
    picked = draw(rows(args.stream), seen, args.n, args.seed)
    args.out.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in picked), encoding="utf-8")
    print(f"{len(picked)} items → {args.out}")


if __name__ == "__main__":
    main()
