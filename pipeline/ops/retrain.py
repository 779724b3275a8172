"""The weekly retraining: the relevance model refitted on the labelled files plus analysts' feedback, shipped
only when it makes fewer mistakes on held-out items than the model in use, and rule exclusions proposed
for rule terms whose feedback precision is low.

Both recipes are judged on the same held-out items: each labelled outlet left out in turn (the model in
use refitted without it on what it was fitted on: the labels and the feedback a past run shipped it with; the
candidate refitted without it on the labels and today's feedback), and each feedback item left out in turn
(the model in use as it is where it never saw the item, else refitted without it; the candidate refitted on
the labels and the other feedback). A model judged on items it was fitted on would look better than it is,
and no candidate would ever replace it. The combination (C, veto, rescue) of the model in use is kept: the weekly
run learns from new verdicts, it does not re-choose the policy (`newswatch topics-train` does).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.alerts.feedback import all_feedback, latest_verdicts, precision_by
from pipeline.config import load_topics
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.store import Store
from pipeline.topics.relevance import RelevanceModel, load_relevance, model_lock, model_path
from pipeline.topics.signals import load_frames
from pipeline.topics.train import Labelled, fit, load_labelled, portable_path, prepare

FEEDBACK_WEIGHT = 22.0  # what an item of a random sample of the feed stands for (score_topics.py W3): an analyst judges live items
LOW_PRECISION = 0.5  # rule terms below this feedback precision, on at least MIN_VERDICTS, get a proposal
MIN_VERDICTS = 3
FEEDBACK_PREFIX = "feedback-"
FEEDBACK_FOLDS = 5  # feedback is judged in this many folds: a thousand verdicts must not mean two thousand fits


@dataclass
class RetrainResult:
    topic: str
    feedback_items: int
    current_errors: float
    candidate_errors: float
    shipped: bool
    proposals: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        return {"topic": self.topic, "feedback_items": self.feedback_items, "current_errors": self.current_errors,
                "candidate_errors": self.candidate_errors, "shipped": self.shipped, "proposals": len(self.proposals)}


class _Weighted(Labelled):
    """A feedback item: its weight is the analyst's, not a stratum's."""

    @property
    def weight(self) -> float:
        return FEEDBACK_WEIGHT


def feedback_items(store: Store, topic: str, before: datetime | None = None) -> list[Labelled]:
    """One labelled item per story with feedback for the topic: the majority of the latest verdicts (given before
    a time, with `before`)."""
    votes: dict[str, Counter[str]] = {}
    for f in latest_verdicts([f for f in all_feedback(store) if before is None or f.at <= before]):
        if f.topic == topic:
            votes.setdefault(f.story_id, Counter())[f.verdict] += 1
    labels = {story_id: "on" if count["relevant"] > count["irrelevant"] else "off"
              for story_id, count in votes.items() if count["relevant"] != count["irrelevant"]}
    return _items(store, labels)


def _items(store: Store, labels: dict[str, str]) -> list[Labelled]:
    """Feedback items for stories still in the index, each with the given label."""
    stories = store.get_many("stories", list(labels))
    return [_Weighted(f"{FEEDBACK_PREFIX}{story_id}", f"{story.title}\n{story.summary}", label, "feedback",
                      language=story.language if story.language in ("en", "fr") else "en")
            for story_id, label in labels.items() if (story := stories.get(story_id)) is not None]


def trained_feedback(store: Store, model: RelevanceModel, topic: str, saved: datetime) -> list[Labelled]:
    """The feedback a shipped model was fitted on, with the verdicts it was fitted with (analysts may have
    changed theirs since): the model in use is refitted on these, so it is never judged on items it saw.

    A model shipped before the map was recorded (`retrained` without `feedback`) saw the verdicts given before
    it was saved (`saved`, its file's time)."""
    retrained = model.cross_validation.get("retrained")
    if not isinstance(retrained, dict):
        return []
    recorded = retrained.get("feedback")
    if isinstance(recorded, dict):
        return _items(store, {str(k): str(v) for k, v in recorded.items()})
    return feedback_items(store, topic, before=saved)


def _errors(model: RelevanceModel, items: Sequence[Labelled]) -> float:
    """Weighted wrong verdicts of rules + model on held-out items, as production decides them: an item in a
    language the model was not trained for is kept or not by the rules alone (`match_topics`), so a candidate
    earns nothing there (a French feedback item, weighing 22, once counted as fixed by a veto never applied)."""
    wrong = 0.0
    for item in items:
        if item.language not in model.languages:
            kept = item.rules
        else:  # and no veto on an `any` term the model never saw, as `match_topics` decides
            kept = model.decides(item.rules, model.score_features(item.features), item.any_terms)
        wrong += item.weight if kept != (item.label == "on") else 0.0
    return wrong


def retrain(store: Store, settings: Settings, topic: str = "asylum-border", labelled: Sequence[Path] = (),
            log: Callable[[str], None] = print) -> RetrainResult:
    """Refit on labels + feedback; ship only when held-out errors fall; propose exclusions for weak rule terms.

    The labelled files are the model's `trained_on` (relative paths from the project root) unless given;
    a missing one is an error, so the weekly run never fits a model on the feedback alone."""
    in_use = model_path(settings.config_dir, topic)
    compared = in_use.read_bytes() if in_use.exists() else b""  # what the candidate is judged against
    current = load_relevance(settings.config_dir, topic)
    if current is None:
        raise ValueError(f"{model_path(settings.config_dir, topic)}: no model in use to compare with")
    paths = [p if p.is_absolute() else PROJECT_ROOT / p for p in map(Path, labelled or current.trained_on)]
    missing = [str(p) for p in paths if not p.exists()]
    if missing or not paths:  # never a model fitted on feedback alone
        raise ValueError(f"{model_path(settings.config_dir, topic)}: trained_on: labelled files not found: "
                         f"{', '.join(missing) or 'none listed'}")
    frames = load_frames(settings.config_dir / "frames.yaml", topic) if current.signals else None
    labels = load_labelled(paths)
    feedback = feedback_items(store, topic)
    saved = datetime.fromtimestamp(in_use.stat().st_mtime, UTC) if in_use.exists() else datetime.now(UTC)
    old_feedback = trained_feedback(store, current, topic, saved)  # what the model in use learnt besides the labels
    items, in_use_items = labels + feedback, labels + old_feedback
    topics = load_topics(settings.config_dir / "topics.yaml")
    prepare(items + old_feedback, topics, topic, frames)
    as_is = {i.id: i for i in feedback}  # the model in use judged with the frames it scores with in production
    if current.signals and current.frames != (frames or {}):  # `frames.yaml` edited since (or trained without one)
        copies = [replace(i, features=[]) for i in feedback]
        prepare(copies, topics, topic, current.frames)
        as_is = {i.id: i for i in copies}
    c = float(current.cross_validation.get("c", 1.0))

    def recipe(train: Sequence[Labelled]) -> RelevanceModel:
        model = fit(train, topic, c, frames=frames)
        model.veto, model.rescue, model.languages = current.veto, current.rescue, current.languages
        return model

    proposals = propose_exclusions(store, topic)  # first: a run that times out in the fits still proposes
    for line in proposals:
        log(line)
    outlets = sorted({i.outlet for i in labels if i.outlet != "articles"})
    current_errors = candidate_errors = 0.0
    for outlet in outlets:
        held = [i for i in labels if i.outlet == outlet and i.judged]
        current_errors += _errors(recipe([i for i in in_use_items if i.outlet != outlet]), held)
        candidate_errors += _errors(recipe([i for i in items if i.outlet != outlet]), held)
    seen = {i.id for i in old_feedback}
    k = min(FEEDBACK_FOLDS, len(feedback))  # each item left out once; at most 2 fits a fold, however much feedback
    for fold in (feedback[n::k] for n in range(k)):
        ids = {i.id for i in fold}
        learnt = [i for i in fold if i.id in seen]  # the model in use as it is where it never saw the item,
        current_errors += _errors(current, [as_is[i.id] for i in fold if i.id not in seen])  # else refitted without them
        current_errors += _errors(recipe([i for i in in_use_items if i.id not in ids]), learnt) if learnt else 0.0
        candidate_errors += _errors(recipe([i for i in items if i.id not in ids]), fold)
    log(f"{len(labels)} labelled items, {len(feedback)} feedback items; held-out errors (weighted): "
        f"model in use {current_errors:.1f}, candidate {candidate_errors:.1f}")
    shipped = bool(feedback) and candidate_errors < current_errors
    if shipped and (in_use.read_bytes() if in_use.exists() else b"") != compared:
        shipped = False  # a `topics-train` replaced the model meanwhile: the comparison was with another one
        log(f"kept {in_use}: it changed while this run compared against it; the next run compares again")
    if shipped:
        model = recipe(items)
        model.trained_on, model.frames = [portable_path(p) for p in paths], frames or {}
        model.cross_validation = {**current.cross_validation, "retrained": {
            "feedback_items": len(feedback), "held_out_errors_before": current_errors,
            "held_out_errors_after": candidate_errors,
            "feedback": {i.id.removeprefix(FEEDBACK_PREFIX): i.label for i in feedback}}}
        path = model_path(settings.config_dir, topic)
        with model_lock(path):  # no `topics-train` between the check and the move
            if (path.read_bytes() if path.exists() else b"") != compared:  # one finished during the fit
                shipped = False
                log(f"kept {path}: it changed while this run fitted the candidate; the next run compares again")
            else:
                model.save(path)  # atomic: a reader sees the old model or the new one, never half of one
        if shipped:
            log(f"shipped {path}: {current_errors - candidate_errors:.1f} fewer held-out errors "
                f"({current_errors:.1f} → {candidate_errors:.1f})")
    elif candidate_errors >= current_errors or not feedback:
        log(f"kept the model in use: the candidate is not better on held-out items "
            f"({current_errors:.1f} → {candidate_errors:.1f})")
    return RetrainResult(topic, len(feedback), current_errors, candidate_errors, shipped, proposals)


def propose_exclusions(store: Store, topic: str) -> list[str]:
    """For a person to accept: rule terms whose feedback precision is low, with the stories that made it so,
    as a `topics.yaml` exclusion to fill in (nothing is changed automatically)."""
    feedback = [f for f in all_feedback(store) if f.topic == topic]
    out = []
    for p in precision_by(feedback, "rule"):
        if p.relevant + p.irrelevant >= MIN_VERDICTS and p.precision < LOW_PRECISION:
            wrong = sorted({f.story_id for f in latest_verdicts(feedback) if f.verdict == "irrelevant"
                            and p.key in f.terms})
            out.append(f"proposal: rule term {p.key!r} has feedback precision {p.precision:.2f} "
                       f"({p.relevant} relevant, {p.irrelevant} irrelevant); consider an exclusion: "
                       + json.dumps({"why": f"analysts marked {len(wrong)} stories irrelevant", "drops": [p.key],
                                     "near": ["<words those stories share>"], "within": 8,
                                     "stories": wrong[:10]}))
    return out
