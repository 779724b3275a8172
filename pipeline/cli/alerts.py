"""`newswatch alerts list|test|run`: the subscriptions, a test message, one alerts pass."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import settings_from
from pipeline.cli.parsing import closest, print_lines
from pipeline.redact import redact
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.alerts.records import AlertReport
    from pipeline.alerts.subscriptions import Subscription


def cmd_alerts(args: argparse.Namespace) -> int:
    from pipeline.alerts import delivery
    from pipeline.alerts import records as alerts
    from pipeline.alerts.finding import find_alerts
    from pipeline.alerts.subscriptions import (
        configured_subscriptions,
        load_subscriptions,
        subscription_names,
        subscription_problems,
    )

    if args.action != "test" and (args.name or args.dry_run):  # `run --dry-run` must never be a real run
        args.parser.error(f"alerts {args.action} takes no subscription name and no --dry-run (they are for "
                          "`alerts test NAME [--dry-run]`); a run sends every pending alert")
    if args.file is not None and not args.file.is_file():
        args.parser.error(f"--file {args.file}: no such file")  # not "no subscriptions", and a run that does nothing
    settings = settings_from(args)
    path = args.file or settings.config_dir / "alerts.yaml"
    if args.action == "run" and args.file is not None and args.file.resolve() != (settings.config_dir / "alerts.yaml").resolve():
        args.parser.error(f"alerts run --file {args.file}: a run moves the one watermark every subscription shares, so "
                          f"the stories it checks would never be matched against {settings.config_dir / 'alerts.yaml'} "
                          "(and alerts pending under a name both files use would go to this file's channels); try it "
                          "with `alerts test NAME --file …`, or point NEWSWATCH_CONFIG_DIR at its folder")
    if args.action == "list":  # every usable subscription, and what is wrong with the others
        subs = load_subscriptions(path, strict=False)
        problems = [str(p) for p in subscription_problems(path)]
        with Store.open(settings) as store:
            rows = alerts.subscription_status(store, subs)
            configured = settings.config_dir / "alerts.yaml"  # another file's alerts are not orphans of this one
            orphans = alerts.orphaned_alerts(store, subscription_names(path) | (
                subscription_names(configured) if configured.exists() else set()))
        problems += [f"{n} alerts wait under subscription {name!r}, which {path} no longer has (renamed or "
                     f"removed?): nothing will send them; restore the name to have them sent"
                     for name, n in sorted(orphans.items())]
        if args.json:  # a line per subscription, then a line per subscription that cannot be used
            print_lines([*rows, *({"problem": p} for p in problems)])
            return 0
        for row in rows:
            print(f"{row['name']:<24} {row['mode']:<9} channels {row['channels']}  sent {row['sent']:>4}  "
                  f"pending {row['pending']:>3}  failed {row['failed']:>3}  expired {row['expired']:>3}  last delivery {row['last_delivery'] or '—'}"
                  + (f"\n    last error: {row['last_error']}" if row["last_error"] else ""))
        for problem in problems:
            print(f"NOT SENT: {problem}")
        return 0
    if args.action == "test" and not args.name:
        args.parser.error("alerts test needs the name of a subscription: newswatch alerts test NAME [--dry-run]")
    subs = configured_subscriptions(settings) if args.file is None else load_subscriptions(args.file, strict=False)
    if args.action == "test" and args.name not in {s.name for s in subs} and (
            own := [p for p in subscription_problems(path) if p.key.split("]")[0] == f"subscriptions[{args.name}"]):
        raise own[0]  # its own problem, not another subscription's (nor a later copy's, when it loads and works)
    if args.action == "test":
        chosen = [s for s in subs if s.name == args.name]
        if not chosen:
            guess = closest(args.name, [s.name for s in subs])
            args.parser.error(f"no subscription named {args.name!r}" + (f": did you mean {guess!r}?" if guess else "")
                              + f" (have: {', '.join(s.name for s in subs)})")
        if args.dry_run:
            print(dry_run(chosen[0]))
            return 0
        results = delivery.send_test(chosen[0])
        for channel, error in results.items():
            print(f"{'FAILED' if error else 'sent  '} {redact(channel.split('?')[0])}" + (f": {error}" if error else ""))
        return 1 if any(results.values()) else 0
    with Store.open(settings) as store:
        matching = configured_subscriptions(settings, matching=True) if args.file is None else \
            load_subscriptions(args.file, strict=False, matching=True)  # a channel down still gets its alerts recorded
        found = find_alerts(store, matching, settings.alerts)
        delivered = delivery.deliver_immediate(store, subs, settings.alerts, feedback=settings.feedback)
        digests = delivery.run_digests(store, subs, settings.alerts)
    passes = {"new": found, "immediate": delivered, "digests": digests}
    if args.json:
        print_lines({"pass": name, **report.counts()} for name, report in passes.items())
    else:
        print(run_summary(found, delivered, digests))
    return 1 if delivered.failed or digests.failed else 0


def dry_run(sub: Subscription) -> str:
    """What `alerts test` would send, as each channel's reader sees it: the recipients, the subject, the text."""
    from pipeline.alerts.delivery import test_message

    message = test_message(sub)
    # each channel as written, its `${VARS}` by name: filled in, the tokens Slack, Discord and Telegram keep in the
    # path or the host (where `redact` looks for none) were printed in full
    channels = "\n".join(f"  {redact(template)}" for template in sub.channels)
    return f"would send to:\n{channels}\nsubject: {message.title}\n\n{message.text}"


def run_summary(found: AlertReport, delivered: AlertReport, digests: AlertReport) -> str:
    """One alerts pass in three lines, and the errors that held messages back."""
    lines = [f"stories checked: {found.stories}   alerts created: {found.created}   syndicated copies: "
             f"{found.syndicated}   held back as too old: {found.too_old}",
             f"immediate: sent {delivered.sent}   folded into a burst {delivered.folded}   retrying "
             f"{delivered.retrying}   failed {delivered.failed}",
             f"digests: sent {digests.sent}   retrying {digests.retrying}   failed {digests.failed}"]
    lines += [f"  error: {redact(e)}" for e in dict.fromkeys(delivered.errors + digests.errors)]
    return "\n".join(lines)


def register(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command("alerts", "alert subscriptions: list, test NAME, run")
    p.add_argument("action", choices=["list", "test", "run"])
    p.add_argument("name", nargs="?")
    p.add_argument("--file", type=Path, help="subscriptions file (default: config/alerts.yaml)")
    p.add_argument("--json", action="store_true", help="with list and run: JSON Lines instead of text")
    p.add_argument("--dry-run", action="store_true", help="with test: print the message instead of sending it")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_alerts, parser=p)
