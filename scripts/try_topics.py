"""Benchmark and tuning loop for topic rules (same as `newswatch topics-eval`), printing items per second.

    .venv/bin/python scripts/try_topics.py [LABELLED.jsonl] [--topic asylum-border] [--predictions OUT.jsonl]

With --predictions the {id, topics} lines can be scored by ../shared/tools/score_topics.py.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.cli import main  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:] or [str(ROOT.parent / "shared" / "data" / "topics-dev.jsonl")]
    sys.exit(main(["topics-eval", *args]))
