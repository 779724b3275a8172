"""What the topic matcher keeps among stream items that no migration word touches.

    .venv/bin/python scripts/topics_outside_keywords.py [--stream S] [--outlets "BBC News,CNN"]

Why: score_topics.py weights its third stratum (a uniform sample of the feed items its keyword patterns do not
hit) about 22 times, so a single false alarm there costs as much as 22 among the keyword hits. The patterns
themselves are not given; this script stands a deliberately wide word list in for them (every word the first
two strata of topics-dev.jsonl turn on: refugee, asylum, border, visa, flee, camp, patrol, passport, Dover,
Rwanda, Afghan, detained …) and prints every item of the BBC and CNN stream that the product keeps without any
of them, with the rate: the expected number of such alarms in a third stratum of a given size follows.
Nothing here is labelled: read the list to judge whether the kept items are on topic.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.events.matching import load_matcher  # noqa: E402
from pipeline.settings import PROJECT_ROOT  # noqa: E402

WIDE = re.compile(r"refugee|migra|asylum|deport|border|crossing|channel|boat|visa|flee|fled|escap|smuggl|traffick"
                  r"|displac|detain|detention|camp|patrol|passport|dover|calais|rwanda|afghan|taliban|exodus|evacu"
                  r"|exile|citizenship|\bice\b|ferry|ferries|stateless|guantanamo|extradit", re.I)
STRATUM = 220  # the size of topics-dev.jsonl's third stratum


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", type=Path, default=ROOT.parent / "shared" / "data" / "stream-2022-jan-apr.jsonl")
    parser.add_argument("--outlets", default="BBC News,CNN")
    args = parser.parse_args()
    outlets = set(args.outlets.split(","))
    matcher = load_matcher(PROJECT_ROOT / "config")
    items = [json.loads(line) for line in args.stream.open(encoding="utf-8") if line.strip()]
    outside = [it for it in items if it["outlet"] in outlets and not WIDE.search(f"{it['title']} {it['summary']}")]
    kept = [it for it in outside if matcher(it)]
    for it in kept:
        print(f"kept {it['id']} {it['outlet']}: {it['title']} | {it['summary'][:160]}")
    rate = len(kept) / len(outside) if outside else 0.0
    print(f"{len(outside)} items of {', '.join(sorted(outlets))} without a migration word; the topic matcher keeps "
          f"{len(kept)} ({100 * rate:.2f} %): in a third stratum of {STRATUM} such items, {STRATUM * rate:.2f} "
          f"kept on average (each weighs about 22 in score_topics.py's weighted figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
