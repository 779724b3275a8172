"""Would a learned antecedent ranker beat the speaker rules? Measured, not assumed.

    .venv/bin/python scripts/eval_speaker_ranker.py [--pages DIR …]

Hand rules written from read errors stopped transferring to fresh sets (README, stop 44), so the next method
to weigh was a model that learns which of an article's people and bodies said a quote. This script measures its
room and its worth on every labelled English set (the Gender Gap Tracker dev halves, the eight unseen sets, and
any `--pages` folders labelled outside the repository):
- the rules' speaker-canonical accuracy (the scorer's figure, over matched quotes whose gold has a name);
- the ceiling of re-ranking: how often the gold speaker is the rules' answer or one of the article's person or
  organisation entities at all (anything else is a span or form the entities never produce);
- a logistic and a gradient-boosted ranker over the candidates (the rules' pick, distance and paragraph of each
  mention, mention counts, recency rank, pronoun-gender agreement by first name, earlier quotes by the same
  speaker, description words beside the mention), each scored by leave-one-set-out cross-validation and
  allowed to overrule the rules only by a margin.
Prints one line per kind of speaker phrase and one per ranker.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_quotes import SHARED, UNSEEN, read_jsonl, source_text  # noqa: E402

from pipeline.ingest.articles import blank_junk  # noqa: E402
from pipeline.nlp.analyze import analyze  # noqa: E402
from pipeline.nlp.given_names import by_first_name  # noqa: E402
from pipeline.nlp.quotes import Quote  # noqa: E402

sys.path.insert(0, str(SHARED / "tools"))
from score_quotes import cover, norm  # noqa: E402

PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f", "they": "p", "it": "n", "i": "", "we": "p"}
Candidate = tuple[str, dict[str, float]]


def phrase_kind(phrase: str) -> str:
    words = phrase.strip().lower()
    if words in PRONOUN_GENDER:
        return "pronoun"
    if not words:
        return "empty"
    return "name" if phrase[:1].isupper() and not words.startswith(("the ", "a ", "an ")) else "description"


def labelled_sets(pages: list[Path]) -> dict[str, list[dict[str, Any]]]:
    english = sorted(read_jsonl(SHARED / "data" / "ggt-dev.jsonl"), key=lambda r: r["id"])
    half = len(english) // 2
    sets = {"ggt-dev first half": english[:half], "ggt-dev second half": english[half:]}
    for name in UNSEEN:
        sets[name] = [{**r, "text": source_text(SHARED / "data" / r["source"])}
                      for r in read_jsonl(ROOT / "scripts" / "data" / name)]
    for folder in pages:
        sets[folder.name] = [{**r, "text": (folder / r["file"]).read_text(encoding="utf-8")}
                             for r in read_jsonl(folder / "quotes.jsonl")]
    return sets


def matched_gold(gold: list[dict[str, Any]], quotes: list[Quote]) -> dict[int, str]:
    """Predicted quote index → gold canonical, paired as the scorer pairs them (overlap ≥ 0.3, best first)."""
    pairs = sorted(((cover(g["quote"], q.quote), i, j) for i, g in enumerate(gold) for j, q in enumerate(quotes)),
                   reverse=True)
    used_gold: set[int] = set()
    out: dict[int, str] = {}
    for overlap, i, j in pairs:
        if overlap < 0.3:
            break
        if i not in used_gold and j not in out:
            used_gold.add(i)
            out[j] = gold[i].get("speaker_canonical") or ""
    return out


def candidates(text: str, entities: list[Any], quotes: list[Quote], index: int) -> list[Candidate]:
    """The rules' pick and every person or body the article names, each with what a ranker may weigh."""
    quote = quotes[index]
    breaks = [0] + [m.end() for m in re.finditer(r"\n", text)]
    paragraph = lambda pos: sum(1 for b in breaks if b <= pos)  # noqa: E731
    mentions: dict[str, list[Any]] = defaultdict(list)
    for e in entities:
        if e.label in ("person", "organization"):
            mentions[e.canonical].append(e)
    said = Counter(q.speaker_canonical for q in quotes)
    kind = phrase_kind(quote.speaker)
    wanted_gender = PRONOUN_GENDER.get(quote.speaker.strip().lower())
    previous = quotes[index - 1].speaker_canonical if index else None
    names = set(mentions) | {quote.speaker_canonical}
    last = {c: max((e.end for e in mentions.get(c, []) if e.end <= quote.start), default=-1) for c in names}
    recency = {c: r for r, c in enumerate(sorted((c for c in names if last[c] >= 0), key=lambda c: -last[c]))}
    description = set(re.findall(r"[a-z]+", quote.speaker.lower())) - {"the", "a", "an", "of", "for", "in", "and"}
    here = paragraph(quote.start)
    out: list[Candidate] = []
    for name in sorted(names):
        ms = mentions.get(name, [])
        before = [e for e in ms if e.end <= quote.start]
        after = [e for e in ms if e.start >= quote.end]
        person = any(e.label == "person" for e in ms)
        gender = by_first_name(name) if person else None
        context = " ".join(text[max(0, e.start - 60):e.end + 60].lower() for e in ms)
        rule = name == quote.speaker_canonical
        out.append((name, {
            "rule": rule, "rule_pronoun": rule and kind == "pronoun", "rule_description": rule and kind == "description",
            "rule_name": rule and kind == "name", "rule_unmentioned": rule and not ms,
            "person": person, "body": bool(ms) and not person,
            "log_chars_before": math.log1p(quote.start - before[-1].end if before else 5000),
            "log_chars_after": math.log1p(after[0].start - quote.end if after else 5000),
            "mentions": math.log1p(len(ms)), "most_recent": recency.get(name) == 0,
            "recency": min(recency.get(name, 9), 9),
            "same_paragraph": any(paragraph(e.start) == here for e in ms),
            "previous_paragraph": any(paragraph(e.start) == here - 1 for e in ms),
            "gender_agrees": wanted_gender in ("m", "f") and gender == wanted_gender,
            "gender_clashes": wanted_gender in ("m", "f") and gender not in (None, wanted_gender),
            "pronoun_person": kind == "pronoun" and person, "description_person": kind == "description" and person,
            "said_elsewhere": math.log1p(said[name] - rule), "said_previous": name == previous,
            "description_beside": sum(w in context for w in description) if kind == "description" else 0,
        }))
    return out


def examples(sets: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str, str, str, list[Candidate]]]]:
    """Set → (gold canonical, the rules' canonical, phrase kind, candidates) per matched quote with a gold name."""
    out: dict[str, list[tuple[str, str, str, list[Candidate]]]] = {}
    for name, rows in sets.items():
        texts = [blank_junk(r["text"]) for r in rows]
        out[name] = []
        for row, text, analysis in zip(rows, texts, analyze(texts, "en"), strict=True):
            quotes = sorted(analysis.quotes, key=lambda q: q.start)
            for j, gold in matched_gold(row["quotes"], quotes).items():
                if gold:
                    out[name].append((gold, quotes[j].speaker_canonical, phrase_kind(quotes[j].speaker),
                                      candidates(text, analysis.entities, quotes, j)))
    return out


def vector(features: dict[str, float]) -> list[float]:
    return [float(features[k]) for k in sorted(features)]


def fit(rows: list[tuple[str, str, str, list[Candidate]]], model: Any) -> Any:
    xs, ys = [], []
    for gold, _, _, cands in rows:
        if any(norm(c) == norm(gold) for c, _ in cands):  # only quotes a ranker could get right teach it
            for c, f in cands:
                xs.append(vector(f))
                ys.append(norm(c) == norm(gold))
    return model.fit(np.array(xs), np.array(ys))


def ranked(model: Any, cands: list[Candidate], margin: float) -> str:
    p = model.predict_proba(np.array([vector(f) for _, f in cands]))[:, 1]
    rule = next(i for i, (_, f) in enumerate(cands) if f["rule"])
    best = int(p.argmax())
    return cands[best][0] if p[best] - p[rule] > margin else cands[rule][0]


def main() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=Path, nargs="+", action="extend", default=[])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.0, 0.2])
    args = parser.parse_args()
    data = examples(labelled_sets(args.pages))
    every = [r for rows in data.values() for r in rows]
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for gold, rule, kind, cands in every:
        right, reachable = norm(rule) == norm(gold), any(norm(c) == norm(gold) for c, _ in cands)
        by_kind[kind].update(n=1, right=right, fixable=not right and reachable)
    print(f"{len(data)} sets, {len(every)} matched quotes with a gold name")
    for kind, c in sorted(by_kind.items()):
        print(f"  {kind:12s} {c['n']:5d} quotes  rules {c['right'] / c['n']:.3f}  "
              f"wrong but the gold is a candidate: {c['fixable']}")
    right = sum(norm(r) == norm(g) for g, r, _, _ in every)
    ceiling = sum(norm(r) == norm(g) or any(norm(c) == norm(g) for c, _ in cands) for g, r, _, cands in every)
    print(f"rules {right / len(every):.4f}   ceiling of re-ranking {ceiling / len(every):.4f}")
    makers = {"logistic": lambda: LogisticRegression(max_iter=2000),
              "gradient boosting": lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                                                          max_leaf_nodes=15)}
    for label, make in makers.items():
        models = {held: fit([r for s, rows in data.items() if s != held for r in rows], make()) for held in data}
        for margin in args.margins:
            got: Counter[str] = Counter()
            for held, rows in data.items():
                ours = sum(norm(ranked(models[held], cands, margin)) == norm(g) for g, _, _, cands in rows)
                rules = sum(norm(r) == norm(g) for g, r, _, _ in rows)
                got.update(right=ours, better=ours > rules, worse=ours < rules)
            print(f"{label:18s} margin {margin:.1f}: leave-one-set-out {got['right'] / len(every):.4f} "
                  f"(sets better {got['better']}, worse {got['worse']} of {len(data)})")


if __name__ == "__main__":
    main()
