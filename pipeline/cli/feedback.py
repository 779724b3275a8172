"""`newswatch feedback`: tell the product a story was (not) on topic; `feedback-report`: precision per rule and outlet."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable

from pipeline.cli.common import EXIT_CONFIG, settings_from
from pipeline.cli.parsing import refuse_unknown_topic
from pipeline.store import Store


def cmd_feedback(args: argparse.Namespace) -> int:
    from pipeline.alerts.feedback import UnknownStory, record_feedback
    from pipeline.config import load_topics

    settings = settings_from(args)
    if args.topic is not None:  # stored, a verdict for no topic would be read by no retrain
        topics_file = settings.config_dir / "topics.yaml"
        refuse_unknown_topic(args.parser, args.topic, [t.name for t in load_topics(topics_file)], topics_file)
    with Store.open(settings) as store:
        try:
            doc = record_feedback(store, args.story, args.verdict, args.topic, args.by or getpass.getuser())
        except UnknownStory as exc:
            print(exc)
            return EXIT_CONFIG
    assert doc is not None  # a fresh id is never taken
    print(f"{doc.story_id}: {doc.verdict} for {doc.topic or 'no topic'} by {doc.by} "
          f"({doc.outlet}; terms {', '.join(doc.terms) or 'none'})")
    return 0


def cmd_feedback_speaker(args: argparse.Namespace) -> int:
    from pipeline.alerts.feedback import UnknownStory, correct_speaker

    with Store.open(settings_from(args)) as store:
        try:
            doc = correct_speaker(store, args.quote, args.name, args.by or getpass.getuser())
        except (UnknownStory, ValueError) as exc:
            print(exc)
            return EXIT_CONFIG
    print(f"quote {doc.quote_id}: speaker {doc.was or '(none)'} → {doc.speaker} by {doc.by}")
    return 0


def cmd_feedback_report(args: argparse.Namespace) -> int:
    from pipeline.alerts.feedback import all_feedback, report

    with Store.open(settings_from(args)) as store:
        print(report(all_feedback(store)))
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("feedback", "mark a story relevant or irrelevant for a topic (stored with who and when)")
    p.add_argument("story", help="the story id")
    p.add_argument("verdict", choices=["relevant", "irrelevant"])
    p.add_argument("--topic", help="default: the story's first topic")
    p.add_argument("--by", help="who judged (default: the login name)")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_feedback, parser=p)
    p = command("feedback-speaker", "wrong speaker: give a quote its right speaker (the names registry learns it)")
    p.add_argument("quote", help="the quote id")
    p.add_argument("name", help="the right speaker's full name")
    p.add_argument("--by", help="who corrected it (default: the login name)")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_feedback_speaker)
    p = command("feedback-report", "feedback precision per rule term and per outlet")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_feedback_report)
