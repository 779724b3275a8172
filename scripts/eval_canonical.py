"""courlan's URL normalisation against Newswatch's own tracking-parameter list, on every real link of ../shared/data.

Counts how many canonical URLs (and so story ids) each gives, where they differ, and the time per URL.
Run: .venv/bin/python scripts/eval_canonical.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def links() -> list[str]:
    found = [json.loads(line)["link"] for line in (DATA / "stream-2022-jan-apr.jsonl").read_text().splitlines()]
    for name in ("topics-dev.jsonl", "topics-guardian-dev.jsonl"):
        found += [json.loads(line).get("link") or "" for line in (DATA / name).read_text().splitlines()]
    found += [json.loads(p.read_text()).get("url") or "" for p in (DATA / "articles").glob("*.json")]
    tracked = [f"{u}{'&' if '?' in u else '?'}utm_source=rss&utm_medium=feed&fbclid=x#comments" for u in found[:500]]
    return [u for u in found + tracked if u.startswith("http")]


def main() -> None:
    from pipeline.ingest.articles import canonical_url, own_canonical_url

    urls = links()
    for name, method in (("own rules (earlier)", own_canonical_url), ("courlan + own rules (now)", canonical_url)):
        began = time.perf_counter()
        canon = [method(u) for u in urls]
        spent = (time.perf_counter() - began) / len(urls) * 1e6
        print(f"{name:<28} {len(urls)} links -> {len(set(canon))} canonical URLs, {spent:.1f} µs/URL")
    differ = [(u, own_canonical_url(u), canonical_url(u)) for u in urls if own_canonical_url(u) != canonical_url(u)]
    print(f"{len(differ)} links canonicalised differently; first ones:")
    for u, a, b in differ[:8]:
        print(f"  {u}\n    own:     {a}\n    courlan: {b}")


if __name__ == "__main__":
    main()
