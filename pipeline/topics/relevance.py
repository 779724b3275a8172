"""A relevance model beside the topic rules: a linear model on folded words and word pairs.

The rules stay the readable first judgement; the model gives every item a score (the probability
that it is on topic), and a policy chosen by cross-validation (`pipeline.topics.train`) combines the
two: keep an item the rules keep unless its score is below `veto`, and keep an item the rules miss
when its score reaches `rescue`. Every kept story says why: the rule terms, and the score.
The model is a JSON file of feature weights (trained by `newswatch topics-train`), small enough to
ship in the repository and loaded in milliseconds; scoring is a few dictionary look-ups.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.text import fold

_WORD = re.compile(r"\w+")


def features(text: str) -> list[str]:
    """Folded words (two letters or more, not numbers) and adjacent word pairs."""
    words = [w for w in _WORD.findall(fold(text)) if len(w) > 1 and not w.isdigit()]
    return list(dict.fromkeys(words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]))


@dataclass
class RelevanceModel:
    topic: str
    weights: dict[str, float]
    bias: float
    veto: float = 0.0  # rules fire, but the score is below this: dropped
    rescue: float = 1.01  # the rules miss, but the score reaches this: kept (above 1: never)
    languages: list[str] = field(default_factory=lambda: ["en"])  # where there was training data to judge by
    trained_on: list[str] = field(default_factory=list)
    cross_validation: dict[str, Any] = field(default_factory=dict)
    signals: bool = False  # whether it also weighs where the evidence sits (`pipeline.topics.signals`)
    frames: dict[str, list[str]] = field(default_factory=dict)  # the frames it was trained with

    def score(self, text: str, signals: Sequence[str] = ()) -> float:
        """The probability that `text` is on topic; `signals` are its structural features, if the model uses them."""
        return self.score_features([*features(text), *signals])

    def score_features(self, found: Sequence[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in found)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def knows(self, terms: Iterable[str]) -> bool:
        """Whether any of these rule terms fired in the items it was trained on. A term added to the rules' `any`
        list since ("DACA", "Windrush") is one it cannot judge: its veto is for the rules it learnt, until it is
        retrained on items the new term fires on."""
        return any(f"@t:{term}@{where}" in self.weights for term in terms for where in ("title", "body"))

    def keeps(self, rules_fire: bool, score: float) -> bool:
        return (rules_fire and score >= self.veto) or score >= self.rescue

    def decides(self, rules_fire: bool, score: float, any_terms: Iterable[str]) -> bool:
        """Production's verdict (`match_topics`), which the weekly retrain must judge a model by too: the policy,
        except that no veto falls on an item an `any` term fired on that the model never saw in training."""
        return self.keeps(rules_fire, score) or rules_fire and self.signals and any(
            not self.knows([term]) for term in any_terms)

    def save(self, path: Path) -> None:
        """Written beside, then moved into place: a poll's workers load a model whenever its file changes, and
        half a file would break every feed of that pass. The staged file reaches the disk before the move, and the
        move before this returns: after a power loss the rename alone could survive, naming an empty file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}.new")
        try:
            with open(staged, "w", encoding="utf-8") as out:
                out.write(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, indent=0) + "\n")
                out.flush()
                os.fsync(out.fileno())
            staged.replace(path)
            _sync_directory(path.parent)
        finally:
            staged.unlink(missing_ok=True)  # a full disk leaves nothing half-written behind


def _sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable. Best effort: some platforms and file systems refuse to open or fsync a
    directory, and the model is in place either way."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def model_lock(path: Path) -> Iterator[None]:
    """One writer of a topic's model at a time (`topics-train`, the weekly retrain's compare-then-ship)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def model_path(config_dir: Path, topic: str) -> Path:
    return config_dir / "models" / f"{topic}.json"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# what each field must hold; an entry of `weights` or `frames` is named on its own ("weights.asylum")
_FIELDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "topic": ("a string", lambda v: isinstance(v, str)),
    "weights": ("an object of feature weights", lambda v: isinstance(v, dict)),
    "bias": ("a number", _number), "veto": ("a number", _number), "rescue": ("a number", _number),
    "languages": ("a list of strings", _strings), "trained_on": ("a list of strings", _strings),
    "cross_validation": ("an object", lambda v: isinstance(v, dict)),
    "signals": ("true or false", lambda v: isinstance(v, bool)),
    "frames": ("an object of frame terms", lambda v: isinstance(v, dict)),
}
_ENTRIES: dict[str, tuple[str, Callable[[Any], bool]]] = {"weights": ("a number", _number),
                                                           "frames": ("a list of strings", _strings)}


def _json_kind(value: Any) -> str:
    kinds = {type(None): "null", bool: "true/false", str: "a string", list: "a list", dict: "an object"}
    return kinds.get(type(value), "a number" if _number(value) else f"{value}")  # NaN and Infinity by name


def _check_fields(path: str, fields: Any, topic: str) -> None:
    """Types at load, and the topic the file is loaded for. `"weights": null` loaded fine and then broke every item's
    matching of the pass, far from the file; a model copied from another topic's file scored this one's items
    with weights learnt for the other, without a word."""
    if not isinstance(fields, dict):
        raise ConfigError(path, "(model)", f"must be a JSON object of the model's fields, not {_json_kind(fields)}")
    for key, (kind, valid) in _FIELDS.items():
        if key in fields and not valid(fields[key]):
            raise ConfigError(path, key, f"must be {kind}, not {_json_kind(fields[key])}")
    for key, (kind, valid) in _ENTRIES.items():
        bad = next((name for name, value in fields.get(key, {}).items() if not valid(value)), None)
        if bad is not None:
            raise ConfigError(path, f"{key}.{bad}", f"must be {kind}, not {_json_kind(fields[key][bad])}")
    if "topic" in fields and fields["topic"] != topic:
        raise ConfigError(path, "topic", f"is {fields['topic']!r}, but this file is read as the model of topic "
                          f"{topic!r} (a model trained for another topic, copied?)")


@lru_cache(maxsize=16)
def _load(path: str, mtime: float, topic: str) -> RelevanceModel:
    try:
        fields = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:  # not JSON, not UTF-8
        raise ConfigError(path, "(model)", f"not a relevance model this version can read: {exc}") from None
    _check_fields(path, fields, topic)
    try:
        return RelevanceModel(**fields)
    except TypeError as exc:  # a field it does not know or lacks
        raise ConfigError(path, "(model)", f"not a relevance model this version can read: {exc}") from None


def load_relevance(config_dir: Path, topic: str) -> RelevanceModel | None:
    """The topic's model, if one was trained (`config/models/<topic>.json`)."""
    path = model_path(config_dir, topic)
    if not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime, topic)
