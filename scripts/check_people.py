"""Measure what `pipeline.nlp.people` drops from the quoted lists: replay pages and the gold sets (ggt-dev, quotes-fr-dev).

Run: PYTHONPATH=$PWD .venv/bin/python scripts/check_people.py
"""
import html
import json
import re
from pathlib import Path

from pipeline.nlp.analyze import analyze
from pipeline.nlp.people import persons, quoted

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def page_text(p):
    t = Path(p).read_text()
    return html.unescape(re.sub(r"<[^>]+>", "\n", t))
for n in ("026", "028", "027"):
    [a] = analyze([page_text(ROOT / "replay" / "pages" / f"{n}.html")], "fr")
    before_q = sorted({q.speaker_canonical for q in a.quotes if q.speaker_canonical})
    before_p = sorted({e.canonical for e in a.entities if e.label == "person"})
    print(n, "quoted before:", before_q, "after:", quoted(a))
    print(n, "persons before:", before_p, "after:", persons(a, page_text(ROOT / "replay" / "pages" / f"{n}.html")))
# gold retention on ggt-dev and quotes-fr-dev
for name, lang in (("ggt-dev.jsonl", "en"), ("quotes-fr-dev.jsonl", "fr")):
    rows = [json.loads(line) for line in (SHARED / name).read_text().splitlines()]
    kept = dropped = wrong_dropped = 0
    analyses = analyze([r["text"] for r in rows], lang)
    for r, a in zip(rows, analyses, strict=True):
        gold = {q.get("speaker_canonical") for q in r["quotes"] if q.get("speaker_canonical")}
        before = {q.speaker_canonical for q in a.quotes if q.speaker_canonical}
        after = set(quoted(a))
        kept += len(before & after)
        gone = before - after
        dropped += len(gone)
        wrong_dropped += len(gone & gold)
        if gone:
            print(" dropped:", sorted(gone)[:6], "(gold among them:", sorted(gone & gold), ")")
    print(name, "speakers kept", kept, "dropped", dropped, "of which gold speakers", wrong_dropped)
