"""`newswatch topics-eval` and `topics-train`: try topic rules on labelled items, train a relevance model."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from pipeline.cli.parsing import refuse_unknown_topic
from pipeline.settings import Settings


def cmd_topics_eval(args: argparse.Namespace) -> int:
    from pipeline.config import load_topics
    from pipeline.topics.evaluate import evaluate, report
    from pipeline.topics.relevance import load_relevance

    settings = Settings.from_env()
    topics_file = args.rules or settings.config_dir / "topics.yaml"
    topics = load_topics(topics_file)
    # an unknown topic scored zeros with exit 0: read as rules that find nothing
    refuse_unknown_topic(args.parser, args.topic, [t.name for t in topics], topics_file)
    if args.cv:
        from pipeline.topics.signals import load_frames
        from pipeline.topics.train import cross_validate, load_labelled, prepare

        frames = None if args.words_only else load_frames(settings.config_dir / "frames.yaml", args.topic)
        items = load_labelled([args.labelled, *args.more])
        prepare(items, topics, args.topic, frames)
        cross_validate(items, args.topic, args.cv, frames=frames)
        return 0
    model = None if args.rules_only else load_relevance(settings.config_dir, args.topic)
    result = evaluate(args.labelled, topics, args.topic, {args.topic: model} if model else None)
    if args.predictions:
        args.predictions.write_text("".join(json.dumps(p) + "\n" for p in result.predictions), encoding="utf-8")
    print(report(result))
    return 0


def cmd_topics_train(args: argparse.Namespace) -> int:
    from pipeline.config import load_topics
    from pipeline.topics.relevance import model_lock, model_path
    from pipeline.topics.signals import load_frames
    from pipeline.topics.train import train

    settings = Settings.from_env()
    topics = load_topics(settings.config_dir / "topics.yaml")
    refuse_unknown_topic(args.parser, args.topic, [t.name for t in topics], settings.config_dir / "topics.yaml")
    frames = None if args.words_only else load_frames(settings.config_dir / "frames.yaml", args.topic)
    model = train(args.labelled, topics, args.topic, args.folds, frames=frames)
    out = args.out or model_path(settings.config_dir, args.topic)
    with model_lock(out):  # not between the weekly retrain's check and its move
        model.save(out)
    print(f"wrote {out}")
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("topics-eval", "try topic rules on a labelled JSONL file: precision, recall, mistakes")
    p.add_argument("labelled", type=Path)
    p.add_argument("--topic", default="asylum-border")
    p.add_argument("--rules", type=Path, help="a topics.yaml to try (default: the configured one)")
    p.add_argument("--predictions", type=Path, help="write {id, topics} lines for score_topics.py")
    p.add_argument("--rules-only", action="store_true", help="leave the topic's relevance model out")
    p.add_argument("--cv", type=int, metavar="K", help="cross-validate rules + model: per outlet and K folds")
    p.add_argument("--more", type=Path, nargs="*", default=[], help="with --cv: more labelled files or directories")
    p.add_argument("--words-only", action="store_true", help="with --cv: words alone, no signals (config/frames.yaml)")
    p.set_defaults(func=cmd_topics_eval, parser=p)
    p = command("topics-train", "train a topic's relevance model from labelled files; the combination by CV")
    p.add_argument("labelled", type=Path, nargs="+", help="JSONL files of labelled items, or article directories")
    p.add_argument("--topic", default="asylum-border")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--words-only", action="store_true", help="words alone, no signals (config/frames.yaml)")
    p.add_argument("--out", type=Path, help="default: config/models/TOPIC.json")
    p.set_defaults(func=cmd_topics_train, parser=p)
