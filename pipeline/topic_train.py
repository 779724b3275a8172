"""Train a topic's relevance model from labelled files, and choose how it joins the rules by cross-validation.

Labelled files are JSONL items `{id, title, description, label: on|off|borderline, sample?, feed?}`
(the format of ../shared/data/topics-*.jsonl; an analyst can add their own) or article files with
`title`, `text` and `topic`. Scores are weighted to the full feeds as `score_topics.py` weights
them (an item of stratum 3 stands for about 22 of the feed's items).

The combination (a veto below which the rules' verdict is dropped, a rescue above which an item
the rules miss is kept) and the model's regularisation are chosen by leave-one-outlet-out
cross-validation: the model is trained on every other outlet and judged on the one left out, and
the choice is the one whose worst outlet does best (then the best mean), since a monitor meets
outlets it was never trained on. k-fold figures on the pooled items are reported beside them. The
rules were written with these files at hand, so the rules-only figures are optimistic; the other
outlets' figures are the honest ones.
"""

from __future__ import annotations

import html
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from pipeline.config import Topic
from pipeline.relevance import RelevanceModel, features
from pipeline.topics import match_topics

W3 = 15486 / 700  # what an item of stratum 3 stands for (score_topics.py)
_TAG = re.compile(r"<[^>]+>")
VETOES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2)
C_GRID = (0.3, 1.0, 3.0)
RESCUES = (0.8, 0.9, 0.95, 0.98, 1.01)


@dataclass
class Labelled:
    id: str
    text: str
    label: str  # on | off (borderline items are left out)
    outlet: str
    sample: int = 0
    language: str = "en"
    rules: bool = False
    features: list[str] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return W3 if self.sample == 3 else 1.0


def item_text(item: dict[str, Any]) -> str:
    return f"{item.get('title') or ''}\n{_TAG.sub(' ', html.unescape(item.get('description') or ''))}"


def _outlet(item: dict[str, Any], path: Path) -> str:
    feed = str(item.get("feed") or item.get("outlet") or path.stem)
    for name in ("bbc", "cnn", "guardian"):
        if name in feed.lower():
            return name.upper() if name != "guardian" else "Guardian"
    return feed


def load_labelled(paths: Sequence[Path]) -> list[Labelled]:
    """Items from JSONL files and article directories, borderline ones left out."""
    out = []
    for path in paths:
        if path.is_dir():
            rows = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(path.glob("*.json"))]
            for row in rows:
                label = row.get("topic") or row.get("label")
                if label in ("on", "off"):
                    out.append(Labelled(str(row.get("id") or row.get("url")),
                                        f"{row.get('title') or ''}\n{(row.get('text') or '')[:400]}", label,
                                        "articles", 0, row.get("lang") or "en"))
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("label") in ("on", "off"):
                out.append(Labelled(str(row["id"]), item_text(row), row["label"], _outlet(row, path),
                                    int(row.get("sample") or 0), row.get("lang") or "en"))
    return out


def weighted_scores(items: Sequence[Labelled], kept: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(i.weight for i, k in zip(items, kept, strict=True) if k and i.label == "on")
    fp = sum(i.weight for i, k in zip(items, kept, strict=True) if k and i.label == "off")
    fn = sum(i.weight for i, k in zip(items, kept, strict=True) if not k and i.label == "on")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def fit(items: Sequence[Labelled], topic: str, c: float = 1.0, keep: int = 6000) -> RelevanceModel:
    """Logistic regression on word and word-pair features, stratum weights as sample weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(i.features, 1) for i in items])
    y = [i.label == "on" for i in items]
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(x, y, sample_weight=[i.weight for i in items])
    weights = dict(zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True))
    strongest = sorted(weights, key=lambda f: -abs(weights[f]))[:keep]
    return RelevanceModel(topic, {f: round(float(weights[f]), 5) for f in strongest}, float(model.intercept_[0]))


@dataclass
class Fold:
    name: str
    scores: dict[tuple[float, float], tuple[float, float, float]]


def _rank(best: tuple[tuple[float, float], float, list[Fold]]) -> tuple[float, float, float, float]:
    g, _, folds = best
    return min(f.scores[g][2] for f in folds), mean(f.scores[g][2] for f in folds), -g[0], g[1]


def _judge(model: RelevanceModel, test: Sequence[Labelled]) -> dict[tuple[float, float], tuple[float, float, float]]:
    scores = [model.score(i.text) for i in test]
    out = {}
    for veto in VETOES:
        for rescue in RESCUES:
            kept = [(i.rules and s >= veto) or s >= rescue for i, s in zip(test, scores, strict=True)]
            out[(veto, rescue)] = weighted_scores(test, kept)
    return out


def prepare(items: list[Labelled], topics: list[Topic], topic: str) -> None:
    for item in items:
        item.rules = any(m.topic == topic for m in match_topics(item.text, topics, item.language))
        item.features = features(item.text)


def cross_validate(items: list[Labelled], topic: str, k: int = 5, seed: int = 7,
                   log: Callable[[str], None] = print) -> dict[str, Any]:
    """Leave-one-outlet-out (choosing the combination) and k-fold figures; the chosen veto, rescue and C."""
    outlets = sorted({i.outlet for i in items if i.outlet != "articles"})
    best: tuple[tuple[float, float], float, list[Fold]] | None = None
    for c in C_GRID:
        by_c = [Fold(o, _judge(fit([i for i in items if i.outlet != o], topic, c), [i for i in items if i.outlet == o]))
                for o in outlets]
        for g in by_c[0].scores:
            rank = (min(f.scores[g][2] for f in by_c), mean(f.scores[g][2] for f in by_c), -g[0], g[1])
            if best is None or rank > _rank(best):
                best = (g, c, by_c)
    if best is None:
        raise ValueError("no labelled outlet to cross-validate on")
    chosen, c, by_outlet = best
    pooled = [i for i in items if i.outlet != "articles"]
    random.Random(seed).shuffle(pooled)
    on = [i for i in pooled if i.label == "on"]
    off = [i for i in pooled if i.label == "off"]
    folds = []
    for n in range(k):  # stratified: every fold has its share of on-topic items
        test = on[n::k] + off[n::k]
        ids = {id(i) for i in test}
        train = [i for i in items if id(i) not in ids]
        folds.append(Fold(f"fold {n + 1}", _judge(fit(train, topic, c), test)))
    for fold in by_outlet + folds:
        p, r, f = fold.scores[chosen]
        rp, rr, rf = fold.scores[(0.0, 1.01)]
        log(f"{fold.name:<12} chosen: P {p:.3f} R {r:.3f} F1 {f:.3f}   rules only: P {rp:.3f} R {rr:.3f} F1 {rf:.3f}")
    pairs = []  # the harshest check: a model trained on one outlet alone, judged on another
    for source in outlets:
        model = fit([i for i in items if i.outlet == source], topic, c)
        for target in outlets:
            if target != source:
                pairs.append(Fold(f"{source} → {target}", _judge(model, [i for i in items if i.outlet == target])))
    for fold in pairs:
        p, r, f = fold.scores[chosen]
        log(f"{fold.name:<22} chosen: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    summary: dict[str, Any] = {"veto": chosen[0], "rescue": chosen[1], "c": c,
               "one_outlet_to_another": {f.name: dict(zip("prf", f.scores[chosen], strict=True)) for f in pairs},
               "by_outlet": {f.name: dict(zip("prf", f.scores[chosen], strict=True)) for f in by_outlet},
               "k_fold": {"k": k, **{m: round(mean(f.scores[chosen][n] for f in folds), 4)
                                     for n, m in enumerate(("precision", "recall", "f1"))}},
               "rules_only_k_fold": {m: round(mean(f.scores[(0.0, 1.01)][n] for f in folds), 4)
                                     for n, m in enumerate(("precision", "recall", "f1"))}}
    log(f"chosen by leave-one-outlet-out: veto below {chosen[0]}, rescue from {chosen[1]}, C {c}"
        f" ({'the rules alone' if chosen == (0.0, 1.01) else 'rules and model'}); "
        f"{k}-fold weighted P {summary['k_fold']['precision']:.3f} R {summary['k_fold']['recall']:.3f}")
    return summary


def train(paths: Sequence[Path], topics: list[Topic], topic: str, k: int = 5,
          log: Callable[[str], None] = print) -> RelevanceModel:
    """Cross-validate, then fit on every item with the chosen combination."""
    items = load_labelled(paths)
    prepare(items, topics, topic)
    log(f"{len(items)} labelled items ({sum(i.label == 'on' for i in items)} on topic) from "
        f"{', '.join(sorted({i.outlet for i in items}))}")
    started = time.perf_counter()
    summary = cross_validate(items, topic, k, log=log)
    model = fit(items, topic, summary["c"])
    model.veto, model.rescue = summary["veto"], summary["rescue"]
    model.trained_on = [str(p) for p in paths]
    model.cross_validation = summary
    log(f"trained in {time.perf_counter() - started:.1f} s; {len(model.weights)} features kept")
    return model
