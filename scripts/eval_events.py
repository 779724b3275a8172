"""Measure events, storylines and surges against the hand labels, with the official scorers.

    .venv/bin/python scripts/eval_events.py [--labels L] [--extra-labels X] [--stream S] [--tools DIR] [--embeddings]

Prints, for each task: the issue's baseline (reimplemented), the method with its default settings on the
whole development stream, and cross-validated figures: settings chosen on one period and scored on the
other (Jan–Feb ↔ Mar–Apr as the issue suggests, and March ↔ April, where both sides have events), and
k folds over weeks (week n of the stream in fold n mod k). The selection rule is the same everywhere:
the best F1 on the tuning part (surges: the significance level is fixed at 0.01 and the floor is tuned,
for the best recall with precision ≥ 0.6 and ≤ 3 surges a week, ties to the lowest floor).
The stream is parsed once; each setting is a fresh online run over it (about a second).
`--extra-labels` (e.g. scripts/data/events-extra.labels.jsonl, more items of the same stream labelled by the
same guide) scores on the union of both label files; without it the official figures are reproduced. Items
missing from the labels are not scored (score_events.py counts pairs among gold on-topic items only), so the
union adds pairs and changes nothing else.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import io
import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from pipeline.events.embeddings import load_encoder, story_text
from pipeline.events.features import StoryFeatures, extract_entities, load_nlp, parse_time, story_features
from pipeline.events.grouping import GroupingSettings
from pipeline.events.matching import load_matcher
from pipeline.events.monitor import Monitor
from pipeline.events.surges import SurgeSettings
from pipeline.settings import PROJECT_ROOT

SHARED = Path(os.environ.get("NEWSWATCH_SHARED", PROJECT_ROOT.parent / "shared"))
EVENT_GRID = (0.2, 0.225, 0.25, 0.275, 0.3, 0.35)
STORYLINE_GRID = (0.1, 0.15, 0.2, 0.25, 0.3)
ENTITY_GRID = (1.0, 2.0, 3.0)  # the weight of names in the events' similarity (GroupingSettings.event_entity_weight)
EMBEDDING_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)  # a, the embedding share of the similarity
EMBEDDING_OFFSET = 0.3  # embedding cosines run about this much above word cosines for equally related stories
SURGE_GRID = tuple((alpha, floor) for alpha in (0.003, 0.01, 0.03) for floor in (0.3, 0.5, 1.0))
Groups = dict[str, dict[str, str]]  # story id → {"event": ..., "storyline": ...}


@dataclass
class Dev:
    stream: list[dict[str, Any]]
    gold: list[dict[str, Any]]
    stories: list[StoryFeatures]
    topics: dict[str, list[str]]
    labels_path: Path
    stream_path: Path
    tools: Path


def read_labels(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """The items of several label files; an id labelled twice is an error (two labellers, one answer)."""
    gold = [json.loads(line) for path in paths for line in path.open(encoding="utf-8") if line.strip()]
    ids = [g["id"] for g in gold]
    if len(set(ids)) != len(ids):
        raise ValueError(f"labelled more than once: {sorted({i for i in ids if ids.count(i) > 1})}")
    return gold


def load(labels: Path, stream_path: Path, tools: Path, embed: bool = False, extra: Sequence[Path] = ()) -> Dev:
    stream = [json.loads(line) for line in stream_path.open(encoding="utf-8") if line.strip()]
    gold = read_labels([labels, *extra])
    if extra:  # the official scorer reads one labels file: give it the union
        with tempfile.NamedTemporaryFile("w", suffix=".labels.jsonl", delete=False) as union:
            union.write("".join(json.dumps(g) + "\n" for g in gold))
        atexit.register(os.unlink, union.name)
        labels = Path(union.name)
    matcher = load_matcher(PROJECT_ROOT / "config")
    topics = {str(it["id"]): matcher(it) for it in stream}
    kept = [it for it in stream if topics[str(it["id"])]]
    ids = [str(it["id"]) for it in kept]
    entities = dict(zip(ids, extract_entities(kept, load_nlp()), strict=True))
    embedded = dict(zip(ids, load_encoder().encode([story_text(it) for it in kept]), strict=True)) if embed else {}
    stories = [story_features(it, entities.get(str(it["id"]), ()), embedded.get(str(it["id"]), ())) for it in stream]
    return Dev(stream, gold, stories, topics, labels, stream_path, tools)


def run_method(dev: Dev, grouping: GroupingSettings, surges: SurgeSettings | None = None) -> tuple[Groups, list[dict]]:
    """One online run over the parsed stream: assignments of the kept stories, and the surges."""
    monitor = Monitor(matcher=lambda item: [], nlp=None, grouping=grouping, surge_settings=surges or SurgeSettings())
    placed = monitor.process_stories(dev.stories, dev.topics)
    return ({p.id: {"event": p.event, "storyline": p.storyline} for p in placed},
            [s.to_dict() for s in monitor.surges()])


# -- scoring ------------------------------------------------------------------------------------------------

def _scorer(dev: Dev, name: str) -> Any:
    if str(dev.tools) not in sys.path:
        sys.path.insert(0, str(dev.tools))
    return __import__(name)


def score_groups(dev: Dev, pred: Groups, level: str, ids: set[str] | None = None, counts: bool = False) -> Any:
    """Pairwise P, R, F1 over the gold on-topic items in `ids` (all by default), with score_events' own code;
    with `counts`, also the numbers of gold and predicted pairs."""
    scorer = _scorer(dev, "score_events")
    on = {g["id"]: g for g in dev.gold if g["topic"] == "on" and (ids is None or g["id"] in ids)}
    gold_groups, pred_groups = defaultdict(list), defaultdict(list)
    for i, g in on.items():
        if g.get(level):
            gold_groups[g[level]].append(i)
        if pred.get(i, {}).get(level):
            pred_groups[pred[i][level]].append(i)
    gold_pairs, pred_pairs = scorer.pairs(gold_groups), scorer.pairs(pred_groups)
    p, r, f, _, _ = scorer.prf(gold_pairs, pred_pairs)
    return (p, r, f, len(gold_pairs), len(pred_pairs)) if counts else (p, r, f)


def official_events(dev: Dev, pred: Groups) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for i, d in pred.items():
            out.write(json.dumps({"id": i, **d}) + "\n")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        _scorer(dev, "score_events").main(str(dev.labels_path), out.name)
    return buffer.getvalue().strip()


@dataclass(frozen=True)
class SurgeScore:
    recall: float
    precision: float
    per_week: float
    surges: int
    found: str

    def ok(self) -> bool:
        return self.precision >= 0.6 and self.per_week <= 3.0


def score_surges(dev: Dev, surges: Sequence[Mapping[str, Any]], period: tuple[str, str] | None = None) -> SurgeScore:
    """score_surges.py on the whole stream, or on a period: its items, its labels, the surges it started."""
    lo, hi = period or ("", "9999")

    def inside(stamp: str) -> bool:
        return lo <= parse_time(stamp).strftime("%Y-%m-%d") < hi

    stream_ids = {str(it["id"]) for it in dev.stream if inside(it["published"])}
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / n for n in ("labels.jsonl", "stream.jsonl", "surges.jsonl")]
        paths[0].write_text("".join(json.dumps(g) + "\n" for g in dev.gold if g["id"] in stream_ids))
        paths[1].write_text("".join(json.dumps(it) + "\n" for it in dev.stream if str(it["id"]) in stream_ids))
        paths[2].write_text("".join(json.dumps(s) + "\n" for s in surges if inside(s["start"])))
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            _scorer(dev, "score_surges").main(*map(str, paths))
    text = buffer.getvalue()

    def number(pattern: str) -> float:
        match = re.search(pattern, text)
        if match is None:
            raise ValueError(f"score_surges.py printed no {pattern!r}: {text!r}")
        return float(match.group(1))

    found = re.search(r"found \d+ \(([^)]*)\)", text)
    return SurgeScore(number(r"recall ([\d.]+)"), number(r"precision ([\d.]+)"),
                      number(r"([\d.]+) surges per week"), int(number(r"surges (\d+),")),
                      found.group(1) if found else "")


# -- baselines (the issue's) ------------------------------------------------------------------------------

def baseline_groups(dev: Dev, threshold: float, days: float) -> dict[str, str]:
    """TF-IDF cosine ≥ threshold within `days`: linked stories share a group (connected components)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    kept = [it for it in dev.stream if dev.topics[str(it["id"])]]
    matrix = TfidfVectorizer(stop_words="english").fit_transform([f"{it['title']} {it['summary']}" for it in kept])
    sims = (matrix @ matrix.T).toarray()
    times = [parse_time(it["published"]) for it in kept]
    parent = list(range(len(kept)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(kept)):
        for j in range(i):
            if abs((times[i] - times[j]).total_seconds()) <= days * 86400 and sims[i, j] >= threshold:
                parent[root(i)] = root(j)
    return {str(kept[i]["id"]): str(kept[root(i)]["id"]) for i in range(len(kept))}


def baseline_surges(dev: Dev, days: int = 14, sds: float = 2.5, min_count: int = 3) -> list[dict]:
    """A keyword surges when today's count of kept stories with it reaches the trailing mean + 2.5 sd
    (and `min_count`, or every first use of a word would be a surge); once per keyword and day."""
    daily: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    surges: dict[tuple[str, str], dict] = {}
    for story in sorted(dev.stories, key=lambda s: (s.published, s.id)):
        if not dev.topics[story.id]:
            continue
        today = story.published.strftime("%Y-%m-%d")
        for word in set(story.terms):
            daily[word][today].append(story.id)
            count = len(daily[word][today])
            if (word, today) in surges:
                surges[(word, today)]["stories"].append(story.id)
                continue
            history = [len(daily[word].get((story.published - timedelta(days=d)).strftime("%Y-%m-%d"), []))
                       for d in range(1, days + 1)]
            mean = sum(history) / days
            sd = (sum((h - mean) ** 2 for h in history) / days) ** 0.5
            if count >= max(min_count, mean + sds * sd):
                surges[(word, today)] = {"topic": dev.topics[story.id][0], "key": f"word:{word}", "label": word,
                                         "start": story.published.isoformat(), "peak": story.published.isoformat(),
                                         "score": count, "stories": list(daily[word][today])}
    return list(surges.values())


# -- cross-validation ---------------------------------------------------------------------------------------

PERIODS = {"Jan-Feb": ("2022-01-01", "2022-03-01"), "Mar-Apr": ("2022-03-01", "2022-05-01"),
           "Mar": ("2022-03-01", "2022-04-01"), "Apr": ("2022-04-01", "2022-05-01")}
PAIRS = (("Jan-Feb", "Mar-Apr"), ("Mar-Apr", "Jan-Feb"), ("Mar", "Apr"), ("Apr", "Mar"))


def _ids_in(dev: Dev, period: tuple[str, str]) -> set[str]:
    return {str(it["id"]) for it in dev.stream if period[0] <= it["published"][:10] < period[1]}


def _folds(dev: Dev, k: int) -> list[set[str]]:
    """Gold on-topic items in k folds over the calendar: week n of the stream goes to fold n mod k.

    Whole weeks keep most events inside one fold, and every fold holds stories of every kind that ran
    in its weeks, so a storyline merged with another costs precision in the fold as it does in the stream
    (folds of whole gold groups would hide such merges: the two groups seldom share a fold)."""
    published = {str(it["id"]): parse_time(it["published"]) for it in dev.stream}
    start = min(published.values())
    folds: list[set[str]] = [set() for _ in range(k)]
    for g in dev.gold:
        if g["topic"] == "on" and g["id"] in published:
            folds[(published[g["id"]] - start).days // 7 % k].add(g["id"])
    return folds


def cross_validate(grid: dict[Any, Groups], dev: Dev, level: str, k: int = 5) -> list[str]:
    """Choose the grid point on one part, score it on the other: period pairs and k folds."""
    lines = []
    for tune, test in PAIRS:
        best, dev_f, (p, r, f) = _tuned(grid, dev, level, tune, test)
        lines.append(f"  tune {tune:7s} → test {test:7s}: setting {best}  tune F1 {dev_f:.3f}  "
                     f"test P {p:.3f} R {r:.3f} F1 {f:.3f}")
    p, r, f, chosen = _k_fold(grid, dev, level, k)
    lines.append(f"  {k}-fold over weeks (pooled pairs): test P {p:.3f} R {r:.3f} F1 {f:.3f}; "
                 f"settings chosen {chosen}")
    return lines


def _tuned(grid: dict[Any, Groups], dev: Dev, level: str, tune: str, test: str) -> tuple[Any, float, tuple]:
    """The grid point best on the tuning period (ties to the first in the grid), its tuning F1, its test P, R, F1."""
    tune_ids, test_ids = _ids_in(dev, PERIODS[tune]), _ids_in(dev, PERIODS[test])
    best = max(grid, key=lambda s: score_groups(dev, grid[s], level, tune_ids)[2])
    return best, score_groups(dev, grid[best], level, tune_ids)[2], score_groups(dev, grid[best], level, test_ids)


def _k_fold(grid: dict[Any, Groups], dev: Dev, level: str, k: int) -> tuple[float, float, float, list]:
    """Pooled test P, R, F1 over k folds of weeks, each fold scored at the point best on the others."""
    folds = _folds(dev, k)
    chosen, totals = [], [0, 0, 0]  # pooled over folds: true pairs found, predicted pairs, gold pairs
    for i, test_ids in enumerate(folds):
        tune_ids = set().union(*(f for j, f in enumerate(folds) if j != i))
        best = max(grid, key=lambda s: score_groups(dev, grid[s], level, tune_ids)[2])
        chosen.append(best)
        p, r, _, gold, pred = score_groups(dev, grid[best], level, test_ids, counts=True)
        totals[0] += round(r * gold)
        totals[1] += pred
        totals[2] += gold
    p = totals[0] / totals[1] if totals[1] else 0.0
    r = totals[0] / totals[2] if totals[2] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, sorted(set(chosen))


def compare_embeddings(dev: Dev, base: GroupingSettings, words: dict[tuple[float, float], Groups]) -> None:
    """Cross-validated F1 with sentence embeddings mixed in, beside words only (`words`: the threshold grid).

    Per variant (which levels mix embeddings in) and embedding weight a, the thresholds are tuned as for
    words; they are given on the word scale and raised by EMBEDDING_OFFSET × a, where the mixed similarity
    of equally related stories lies. "chosen" tunes a with the thresholds (words-only points included)."""
    variants = {"events only": (1.0, 0.0), "storylines only": (0.0, 1.0), "events and storylines": (1.0, 1.0)}
    print(f"\n== Sentence embeddings (all-MiniLM-L6-v2) mixed into the similarity: a·embedding + (1 − a)·words;"
          f" thresholds + {EMBEDDING_OFFSET} × a")
    print("   test F1 of settings tuned by the same cross-validation: Jan-Feb→Mar-Apr, Mar-Apr→Jan-Feb, Mar→Apr, "
          "Apr→Mar (mean) | 5-fold")
    for variant, (on_events, on_lines) in variants.items():
        grids: dict[str, dict[Any, Groups]] = {"0": {(0.0, *k): v for k, v in words.items()}}
        for a in EMBEDDING_GRID[1:]:
            shift = EMBEDDING_OFFSET * a
            grids[str(a)] = {(a, te, ts): run_method(dev, replace(
                base, event_embedding_weight=a * on_events, storyline_embedding_weight=a * on_lines,
                event_threshold=round(te + shift * on_events, 4),
                storyline_threshold=round(ts + shift * on_lines, 4)))[0]
                for te in EVENT_GRID for ts in STORYLINE_GRID}
        grids["chosen"] = {k: v for g in grids.values() for k, v in g.items()}
        print(f"{variant}:")
        for level in ("event", "storyline"):
            if level == "event" and (not on_events or on_lines):
                continue  # events do not depend on storyline settings: as words, or as "events only"
            for a, grid in grids.items():
                tests = [_tuned(grid, dev, level, tune, test) for tune, test in PAIRS]
                f1s = [t[2][2] for t in tests]
                p, r, f, chosen = _k_fold(grid, dev, level, 5)
                picked = f" a picked {[t[0][0] for t in tests]} / {sorted({c[0] for c in chosen})}"
                print(f"  {level:9s} a={a:6s}: " + " ".join(f"{x:.3f}" for x in f1s)
                      + f" ({sum(f1s) / len(f1s):.3f}) | {f:.3f} (P {p:.3f} R {r:.3f})"
                      + (picked if a == "chosen" else ""))


def choose_surges(results: dict[tuple[float, float], SurgeScore]) -> tuple[float, float]:
    """The best recall among settings with precision ≥ 0.6 and ≤ 3 a week; among equals the most sensitive
    (highest alpha, then lowest floor): recall is what held-out periods are short of, volume has room."""
    return max(results, key=lambda s: (results[s].ok(), results[s].recall, s[0], -s[1]))


def weekly_peak(surges: Sequence[Mapping[str, Any]], topic_only: bool = False) -> int:
    """The most surges raised in any 7 days (rolling)."""
    starts = sorted(parse_time(s["start"]) for s in surges if not topic_only or s["key"].startswith("topic:"))
    return max((sum(t <= u < t + timedelta(days=7) for u in starts) for t in starts), default=0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=SHARED / "data/events-2022-jan-apr.labels.jsonl")
    parser.add_argument("--extra-labels", type=Path, action="append", default=[],
                        help="more labels of the same stream, scored with --labels (their union); repeatable")
    parser.add_argument("--stream", type=Path, default=SHARED / "data/stream-2022-jan-apr.jsonl")
    parser.add_argument("--tools", type=Path, default=SHARED / "tools")
    parser.add_argument("--embeddings", action="store_true",
                        help="also cross-validate sentence embeddings mixed into the similarity (about 10 min more)")
    args = parser.parse_args(argv)
    dev = load(args.labels, args.stream, args.tools, args.embeddings, args.extra_labels)
    kept = sum(bool(t) for t in dev.topics.values())
    on = sum(g["topic"] == "on" for g in dev.gold)
    print(f"stream {len(dev.stream)} items, {kept} kept by the topic matcher; labels {len(dev.gold)} items "
          f"({on} on topic) from {', '.join(str(p) for p in [args.labels, *args.extra_labels])}")

    table: list[str] = []  # the closing summary: baseline / dev / cross-validated, one line a task
    baseline_f1 = {}
    print("\n== Events and storylines (pairwise over gold on-topic items)")
    for level, (threshold, days) in (("event", (0.2, 3)), ("storyline", (0.15, 60))):
        base = baseline_groups(dev, threshold, days)
        pred = {i: {level: g} for i, g in base.items()}
        p, r, f = score_groups(dev, pred, level)
        print(f"baseline {level:9s} (TF-IDF cos ≥ {threshold} within {days} d): P {p:.3f} R {r:.3f} F1 {f:.3f}")
        baseline_f1[level] = f
        for tune, test in PAIRS[:3:2]:
            for part in (tune, test):
                print(f"    on {part:7s}: F1 {score_groups(dev, pred, level, _ids_in(dev, PERIODS[part]))[2]:.3f}")
    defaults = GroupingSettings()
    groups, _ = run_method(dev, defaults)
    print(f"method, defaults {defaults}:")
    print("  " + official_events(dev, groups).replace("\n", "\n  "))
    grid = {(te, ts): run_method(dev, replace(defaults, event_threshold=te, storyline_threshold=ts))[0]
            for te in EVENT_GRID for ts in STORYLINE_GRID}
    for level in ("event", "storyline"):
        print(f"grid, {level} F1 on the whole dev set (rows event threshold, columns storyline threshold "
              f"{STORYLINE_GRID}):")
        for te in EVENT_GRID:
            row = " ".join(f"{score_groups(dev, grid[(te, ts)], level)[2]:.3f}" for ts in STORYLINE_GRID)
            print(f"  {te:5}: {row}")
        print(f"cross-validated {level}s:")
        for line in cross_validate(grid, dev, level):
            print(line)
    weighted = {(defaults.event_entity_weight, te, ts): g for (te, ts), g in grid.items()}
    for w in ENTITY_GRID:
        if w != defaults.event_entity_weight:
            weighted |= {(w, te, ts): run_method(dev, replace(defaults, event_entity_weight=w, event_threshold=te,
                                                              storyline_threshold=ts))[0]
                         for te in EVENT_GRID for ts in STORYLINE_GRID}
    print(f"cross-validated with the events' entity weight {ENTITY_GRID} tuned too (setting: weight, event threshold, "
          "storyline threshold):")
    for level in ("event", "storyline"):
        print(f" {level}s:")
        for line in cross_validate(weighted, dev, level):
            print(line)
        periods = [_tuned(weighted, dev, level, tune, test)[2][2] for tune, test in PAIRS]
        folds = _k_fold(weighted, dev, level, 5)[2]
        table.append(f"{level + 's':10s}  F1 baseline {baseline_f1[level]:.3f} | dev {score_groups(dev, groups, level)[2]:.3f}"
                     f" | CV periods {sum(periods) / len(periods):.3f} ({' '.join(f'{x:.3f}' for x in periods)})"
                     f" | CV 5 folds of weeks {folds:.3f}")
    if args.embeddings:
        compare_embeddings(dev, defaults, grid)

    print("\n== Surges (score_surges.py: gold surges are events of 3+ items)")
    keyword_surges = baseline_surges(dev)
    s = score_surges(dev, keyword_surges)
    print(f"baseline (keyword day count ≥ 14-day mean + 2.5 sd, ≥ 3): recall {s.recall:.2f} precision "
          f"{s.precision:.2f}, {s.per_week:.1f}/week ({s.surges}), found: {s.found or '-'}")
    results, runs = {}, {}
    for alpha, floor in SURGE_GRID:
        _, surges = run_method(dev, defaults, replace(SurgeSettings(), alpha=alpha, floor=floor))
        runs[(alpha, floor)] = surges
        results[(alpha, floor)] = score_surges(dev, surges)
    default_key = (SurgeSettings().alpha, SurgeSettings().floor)
    d = results[default_key]
    surges = runs[default_key]
    print(f"method, defaults alpha {default_key[0]} floor {default_key[1]}: recall {d.recall:.2f} precision "
          f"{d.precision:.2f}, {d.per_week:.1f}/week ({d.surges}; topic-level "
          f"{sum(x['key'].startswith('topic:') for x in surges)}), most in any 7 days {weekly_peak(surges)} "
          f"(topic-level series {weekly_peak(surges, True)}), found: {d.found or '-'}")
    print("grid (alpha, floor): " + "; ".join(f"{k}: R {v.recall:.2f} P {v.precision:.2f} {v.per_week:.1f}/wk"
                                              for k, v in results.items()))
    halves = {"Jan-Mar": ("2022-01-01", "2022-04-01"), "Apr": ("2022-04-01", "2022-05-01")}
    tuned = {k: v for k, v in runs.items() if k[0] == SurgeSettings().alpha}  # alpha is fixed; the floor is tuned
    cv: list[str] = []
    for tune, test in (("Jan-Mar", "Apr"), ("Apr", "Jan-Mar")):
        scored = {k: score_surges(dev, tuned[k], halves[tune]) for k in tuned}
        best = choose_surges(scored)
        t = score_surges(dev, runs[best], halves[test])
        b = score_surges(dev, keyword_surges, halves[test])
        print(f"  tune {tune} → test {test}: setting {best}; test recall {t.recall:.2f} precision {t.precision:.2f} "
              f"{t.per_week:.1f}/wk (baseline there: recall {b.recall:.2f} precision {b.precision:.2f} "
              f"{b.per_week:.1f}/wk)")
        cv.append(f"{test} R {t.recall:.2f} P {t.precision:.2f} {t.per_week:.1f}/wk")
    table.append(f"{'surges':10s}  baseline R {s.recall:.2f} P {s.precision:.2f} {s.per_week:.1f}/wk | dev R {d.recall:.2f} "
                 f"P {d.precision:.2f} {d.per_week:.1f}/wk | CV halves: {'; '.join(cv)}")
    print("\n== Summary (targets on held-out data: events F1 ≥ 0.75, storylines F1 ≥ 0.70, surges R ≥ 0.75, P ≥ 0.6, "
          "≤ 3/wk)")
    print("\n".join(table))


if __name__ == "__main__":
    main()
