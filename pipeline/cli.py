"""The `newswatch` command: run a poll pass, search the index, extract entities and quotes."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pipeline.redact import install_log_redaction, redact
from pipeline.settings import Settings
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.enrich import EnrichReport
    from pipeline.poll import PollReport


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file, each with a string `text`; a bad line is a ConfigError naming it."""
    from pipeline.errors import ConfigError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), "(file)", "does not exist" if isinstance(exc, FileNotFoundError)
                          else f"cannot be read: {exc.strerror or exc}") from None
    rows = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(str(path), f"line {number}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ConfigError(str(path), f"line {number}", f"not valid JSON: {exc}") from None
        if not isinstance(row, dict):
            kind = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(row), "a number")
            raise ConfigError(str(path), f"line {number}", f"must be a JSON object, not {kind}")
        if not isinstance(row.get("text"), str):
            raise ConfigError(str(path), f"line {number}", "missing string field 'text'")
        rows.append(row)
    return rows


def cmd_extract(args: argparse.Namespace) -> int:
    """The measurement contract: JSONL in, one JSON line per input out, same order."""
    from pipeline.articles import blank_junk
    from pipeline.config import load_topics
    from pipeline.nlp import analyze, guess_language
    from pipeline.topics import match_topics

    settings = Settings.from_env()
    topics = load_topics(settings.config_dir / "topics.yaml")
    rows = _read_jsonl(args.input)
    by_lang: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        lang = row.get("lang") or guess_language(row["text"])
        row["_lang"] = lang if lang in ("en", "fr") else "en"
        by_lang.setdefault(row["_lang"], []).append(i)
    results: dict[int, dict] = {}
    for lang, indices in by_lang.items():
        analyses = analyze((blank_junk(rows[i]["text"]) for i in indices), lang, settings.nlp.batch_size)
        for i, analysis in zip(indices, analyses, strict=True):
            results[i] = analysis.as_dict()
    out = sys.stdout
    for i, row in enumerate(rows):
        text = ((row.get("title") or "") + "\n" + row["text"]).strip()
        matched = match_topics(text, topics, row["_lang"])
        record = {"id": row.get("id"), **results[i], "topics": [m.topic for m in matched],
                  "topic_hits": {m.topic: [h.__dict__ for h in m.hits] for m in matched}}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


STATE_DIR = Path(".newswatch")
# Exit codes (the README's table; tests/test_cli.py pins each): 1 nothing found or a check failed,
# 2 bad arguments (argparse), 3 configuration, 4 Elasticsearch unreachable or refusing, 5 stories
# rejected (indexed on the next pass), 6 any other reported failure.
EXIT_EMPTY, EXIT_CONFIG, EXIT_STORE, EXIT_REJECTED, EXIT_OTHER = 1, 3, 4, 5, 6


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(es_url=getattr(args, "es_url", None), source=getattr(args, "source", None))
    if not settings.es_url_set and (STATE_DIR / "es.json").exists():
        settings = settings.replace(es_url=json.loads((STATE_DIR / "es.json").read_text())["url"])  # run-local's node
    return settings


def print_summary(report: PollReport, store: Store, settings: Settings, out: TextIO = sys.stdout,
                  enriched: EnrichReport | None = None) -> None:
    """The pass's summary; with the enrichment that ran right after it, when there was one."""
    from pipeline.poll import top_quoted

    c = report.counts()
    print(f"feeds polled: {c['feeds_polled']} ({c['feeds_failed']} failed)", file=out)
    print(f"items seen: {c['items_seen']}   stories matched: {c['stories_matched']}   "
          f"stories indexed: {c['stories_indexed']}   quotes indexed: {enriched.quotes if enriched else 0}", file=out)
    freshness = [f"pass {c['seconds']} s"]
    if c["first_searchable_seconds"] is not None:
        freshness.append(f"first story searchable after {c['first_searchable_seconds']} s")
    if "searchable_delay_p50" in c:
        freshness.append(f"feed → searchable p50 {c['searchable_delay_p50']} s, p95 {c['searchable_delay_p95']} s")
    print("   ".join(freshness), file=out)
    if enriched is not None:
        e = enriched.counts()
        line = f"enriched {e['stories_enriched']} stories in {e['seconds']} s"
        if "enriched_delay_p50" in e:
            line += f"   feed → enriched p50 {e['enriched_delay_p50']} s, p95 {e['enriched_delay_p95']} s"
        print(line, file=out)
    if c["stories_rejected"]:
        print(f"REJECTED by Elasticsearch: {c['stories_rejected']} stories (tried again next pass): "
              + "; ".join(f"{k}: {v}" for k, v in list(report.rejected.items())[:3]), file=out)
    for f in report.feeds:
        line = f"  {f.feed_id:<28} {f.outcome:<13} items {f.items:>3}  matched {f.matched:>3}  new {f.new:>3}"
        print(redact(line + (f"  ERROR {f.error}" if f.error else "") + (f"  WARNING {f.warning}" if f.warning else "")),
              file=out)
    people = top_quoted(store, settings.search.top_people)
    if people:
        print("top people quoted (all stories): " + ", ".join(f"{name} ({n})" for name, n in people), file=out)


def cmd_poll(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with Store.open(settings) as store:
        report, enriched = _poll_and_enrich(store, settings, args.feed, args.force, args.run_id, not args.no_enrich)
        print_summary(report, store, settings, enriched=enriched)
    return EXIT_REJECTED if report.rejected else 0


def _poll_and_enrich(store: Store, settings: Settings, feed_ids: list[str], force: bool, run_id: str,
                     enrich: bool) -> tuple[PollReport, EnrichReport | None]:
    """A pass (text first), then enrichment of every story waiting for it."""
    from pipeline.enrich import enrich_stories
    from pipeline.poll import due_feeds, poll_feeds

    gc.freeze()  # the stages' modules too (see main)
    show = _progress()
    ids = feed_ids or due_feeds(store, settings, force=force)
    report = poll_feeds(store, settings, ids, run_id=run_id,
                        progress=lambda r: show(f"feeds polled {len(r.feeds)}/{len(ids)}   stories indexed {r.indexed}"))
    enriched = None
    if enrich:
        enriched = enrich_stories(
            store, settings, progress=lambda e: show(f"stories indexed {report.indexed}   enriched {e.stories}"))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    return report, enriched


def cmd_run_local(args: argparse.Namespace) -> int:
    """The main job on embedded defaults: local Elasticsearch, configured feeds (or the replay), one pass."""
    from pipeline.local.es_node import ensure_persistent_node
    from pipeline.sources import feeds_file, resolved_source

    STATE_DIR.mkdir(exist_ok=True)
    url = ensure_persistent_node(STATE_DIR.resolve())
    print(f"Elasticsearch: {url} (data in {STATE_DIR / 'es'}; stop it with `newswatch stop-local`)")
    settings = Settings.from_env(es_url=url, source=args.source)
    source = resolved_source(settings)
    settings = settings.replace(source=source)
    kind = "bundled offline replay served from 127.0.0.1" if source == "replay" else "live"
    print(f"feeds: {feeds_file(settings)} ({kind})")
    run_id = "local-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    with Store.open(settings) as store:
        report, enriched = _poll_and_enrich(store, settings, [], True, run_id, True)
        print_summary(report, store, settings, enriched=enriched)
    venv = Path(sys.executable).parent
    print(f"""
Next:
  search:   {venv / 'newswatch'} search "safe third country"
  Airflow:  export NEWSWATCH_ES_URL={url} NEWSWATCH_SOURCE={source} AIRFLOW_HOME=$PWD/.newswatch/airflow \\
                   AIRFLOW__CORE__DAGS_FOLDER=$PWD/dags AIRFLOW__CORE__PLUGINS_FOLDER=$PWD/plugins \\
                   AIRFLOW__CORE__LOAD_EXAMPLES=False
            {venv / 'airflow'} standalone     # then open http://localhost:8080, unpause and trigger newswatch_poll
            (the admin password is printed by standalone and kept in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)""")
    return 0


def cmd_stop_local(args: argparse.Namespace) -> int:
    from pipeline.local.es_node import stop_persistent_node

    print("stopped" if stop_persistent_node(STATE_DIR.resolve()) else "no local node recorded")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from pipeline.search import as_json, format_hit, search_stories

    settings = _settings(args)
    with Store.open(settings) as store:
        hits = search_stories(store, args.query, topic=args.topic, size=args.size or settings.search.size,
                              collapse=not args.all_copies)
    if args.json:
        print(json.dumps([as_json(h) for h in hits], ensure_ascii=False, indent=1))
        return 0 if hits else EXIT_EMPTY
    if not hits:
        print(f"no stories match {args.query!r}")
        return EXIT_EMPTY
    for hit in hits:
        print(format_hit(hit))
    return 0


def cmd_topics_eval(args: argparse.Namespace) -> int:
    from pipeline.config import load_topics
    from pipeline.relevance import load_relevance
    from pipeline.topic_eval import evaluate, report

    settings = Settings.from_env()
    topics = load_topics(args.rules or settings.config_dir / "topics.yaml")
    if args.cv:
        from pipeline.topic_train import cross_validate, load_labelled, prepare

        items = load_labelled([args.labelled, *args.more])
        prepare(items, topics, args.topic)
        cross_validate(items, args.topic, args.cv)
        return 0
    model = None if args.rules_only else load_relevance(settings.config_dir, args.topic)
    result = evaluate(args.labelled, topics, args.topic, {args.topic: model} if model else None)
    if args.predictions:
        args.predictions.write_text("".join(json.dumps(p) + "\n" for p in result.predictions), encoding="utf-8")
    print(report(result))
    return 0


def cmd_topics_train(args: argparse.Namespace) -> int:
    from pipeline.config import load_topics
    from pipeline.relevance import model_path
    from pipeline.topic_train import train

    settings = Settings.from_env()
    model = train(args.labelled, load_topics(settings.config_dir / "topics.yaml"), args.topic, args.folds)
    out = args.out or model_path(settings.config_dir, args.topic)
    model.save(out)
    print(f"wrote {out}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from pipeline import alerts, delivery
    from pipeline.subscriptions import configured_subscriptions, load_subscriptions, subscription_problems

    settings = _settings(args)
    path = args.file or settings.config_dir / "alerts.yaml"
    if args.action == "list":  # every usable subscription, and what is wrong with the others
        subs = load_subscriptions(path, strict=False)
        problems = [str(p) for p in subscription_problems(path)]
        with Store.open(settings) as store:
            rows = alerts.subscription_status(store, subs)
        if args.json:
            print(json.dumps({"subscriptions": rows, "problems": problems}, ensure_ascii=False, indent=1))
            return 0
        for row in rows:
            print(f"{row['name']:<24} {row['mode']:<9} channels {row['channels']}  sent {row['sent']:>4}  "
                  f"pending {row['pending']:>3}  failed {row['failed']:>3}  last delivery {row['last_delivery'] or '—'}"
                  + (f"\n    last error: {row['last_error']}" if row["last_error"] else ""))
        for problem in problems:
            print(f"NOT SENT: {problem}")
        return 0
    subs = configured_subscriptions(settings, strict=args.action == "test") if args.file is None else \
        load_subscriptions(args.file, strict=args.action == "test")
    if args.action == "test":
        chosen = [s for s in subs if s.name == args.name]
        if not chosen:
            print(f"no subscription named {args.name!r} (have: {', '.join(s.name for s in subs)})", file=sys.stderr)
            return 2
        results = delivery.send_test(chosen[0])
        for channel, error in results.items():
            print(f"{'FAILED' if error else 'sent  '} {redact(channel.split('?')[0])}" + (f": {error}" if error else ""))
        return 1 if any(results.values()) else 0
    store = Store.open(settings)
    found = alerts.find_new_alerts(store, subs, settings.alerts)
    delivered = delivery.deliver_immediate(store, subs, settings.alerts)
    digests = delivery.run_digests(store, subs, settings.alerts)
    print(json.dumps({"new": found.counts(), "immediate": delivered.counts(), "digests": digests.counts()}))
    return 0


def cmd_feed_health(args: argparse.Namespace) -> int:
    from pipeline.config import load_feeds
    from pipeline.feed_health import feed_health, report
    from pipeline.sources import feeds_file

    settings = _settings(args)
    feed_ids = [f.id for f in load_feeds(feeds_file(settings))]
    at = datetime.fromisoformat(args.at) if args.at else None
    with Store.open(settings) as store:
        rows = feed_health(store, feed_ids, at=at, config=settings.health)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        print(report(rows))
    return 1 if any(r.status in ("failing", "silent") for r in rows) and args.strict else 0


def cmd_kibana_setup(args: argparse.Namespace) -> int:
    from pipeline.kibana import import_objects

    result = import_objects(args.kibana_url or Settings.from_env().kibana_url, wait=args.wait)
    print(f"imported {result.get('successCount', 0)} saved objects into Kibana")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create or update the index templates and indices (idempotent): the Docker stack's first step."""
    settings = _settings(args)
    with Store.open(settings) as store:
        names = ", ".join(store.index(kind) for kind in ("stories", "quotes", "feeds", "feed-health", "alerts", "state"))
    print(f"indices ready in {settings.index_prefix}: {names}")
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    from pipeline.retention import expire_records

    settings = _settings(args)
    with Store.open(settings) as store:
        deleted = expire_records(store, settings.retention)
    print(f"deleted {deleted['feed_health']} poll records older than {settings.retention.feed_health_days} days, "
          f"{deleted['alerts']} alert records older than {settings.retention.alerts_days} days")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    """Every NEWSWATCH_* variable with its default and, where set, the value in force."""
    current = Settings.from_env()
    values = current.model_dump()
    for variable, default in Settings.variables().items():
        path = variable.removeprefix("NEWSWATCH_").lower().split("__")
        value: Any = values
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        shown = "" if value is None else redact(str(value))  # a password inside a URL too
        if "password" in variable.lower() or "api_key" in variable.lower():
            shown = "***" if shown else ""
        marker = "" if shown == default else f"   (now: {shown})"
        print(f"{variable}={default}{marker}")
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newswatch")
    except PackageNotFoundError:
        return "(not installed)"


def _progress(stream: TextIO = sys.stderr) -> Callable[[str], None]:
    """One line that updates in place on a terminal; a line every 10 seconds in a log."""
    last = [0.0]

    def show(line: str) -> None:
        if stream.isatty():
            stream.write(f"\r{line:<100}")
            stream.flush()
        elif time.monotonic() - last[0] >= 10:
            last[0] = time.monotonic()
            print(line, file=stream, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswatch", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    parser.add_argument("--version", action="version", version=f"newswatch {_version()}")
    common = argparse.ArgumentParser(add_help=False)  # the same flags after the command: `newswatch poll -v`
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    p = command("extract", "entities, quotes and topics for a JSONL file of texts")
    p.add_argument("--input", required=True, type=Path)
    p.set_defaults(func=cmd_extract)
    p = command("run-local", "start a local Elasticsearch and run one poll pass over all feeds")
    p.add_argument("--source", choices=["auto", "live", "replay"], default="auto")
    p.set_defaults(func=cmd_run_local)
    p = command("stop-local", "stop the Elasticsearch node that run-local started")
    p.set_defaults(func=cmd_stop_local)
    p = command("poll", "poll due feeds (or --feed ID ...) into the configured Elasticsearch")
    p.add_argument("--feed", action="append", default=[])
    p.add_argument("--force", action="store_true", help="poll every feed, due or not")
    p.add_argument("--source", choices=["auto", "live", "replay"])
    p.add_argument("--es-url")
    p.add_argument("--run-id", default="manual")
    p.add_argument("--no-enrich", action="store_true", help="index text only; leave entities and quotes to later")
    p.set_defaults(func=cmd_poll)
    p = command("topics-eval", "try topic rules on a labelled JSONL file: precision, recall, mistakes")
    p.add_argument("labelled", type=Path)
    p.add_argument("--topic", default="asylum-border")
    p.add_argument("--rules", type=Path, help="a topics.yaml to try (default: the configured one)")
    p.add_argument("--predictions", type=Path, help="write {id, topics} lines for score_topics.py")
    p.add_argument("--rules-only", action="store_true", help="leave the topic's relevance model out")
    p.add_argument("--cv", type=int, metavar="K", help="cross-validate rules + model: per outlet and K folds")
    p.add_argument("--more", type=Path, nargs="*", default=[], help="with --cv: more labelled files or directories")
    p.set_defaults(func=cmd_topics_eval)
    p = command("topics-train", "train a topic's relevance model from labelled files; the combination by CV")
    p.add_argument("labelled", type=Path, nargs="+", help="JSONL files of labelled items, or article directories")
    p.add_argument("--topic", default="asylum-border")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--out", type=Path, help="default: config/models/TOPIC.json")
    p.set_defaults(func=cmd_topics_train)
    p = command("alerts", "alert subscriptions: list, test NAME, run")
    p.add_argument("action", choices=["list", "test", "run"])
    p.add_argument("name", nargs="?")
    p.add_argument("--file", type=Path, help="subscriptions file (default: config/alerts.yaml)")
    p.add_argument("--json", action="store_true", help="with list: JSON instead of text")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_alerts)
    p = command("feed-health", "per-feed status: ok, failing, silent, slow, new")
    p.add_argument("--at", help="judge as of this ISO time (default: now)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a feed is failing or silent")
    p.add_argument("--json", action="store_true", help="one JSON array of feeds instead of text")
    p.add_argument("--source", choices=["auto", "live", "replay"])
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_feed_health)
    p = command("kibana-setup", "import the data views, searches and dashboard into Kibana")
    p.add_argument("--kibana-url", help="default: NEWSWATCH_KIBANA_URL or http://localhost:5601")
    p.add_argument("--wait", type=float, default=0, help="seconds to wait for Kibana to come up")
    p.set_defaults(func=cmd_kibana_setup)
    p = command("init", "create or update the Elasticsearch index templates and indices")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_init)
    p = command("expire", "delete poll and alert records past their retention (stories are kept)")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_expire)
    p = command("settings", "list every NEWSWATCH_* variable with its default and current value")
    p.set_defaults(func=cmd_settings)
    p = command("search", "search indexed stories")
    p.add_argument("query")
    p.add_argument("--topic")
    p.add_argument("--size", type=int, help="how many stories (default: NEWSWATCH_SEARCH__SIZE, 10)")
    p.add_argument("--all-copies", action="store_true", help="list syndicated copies as hits of their own")
    p.add_argument("--json", action="store_true", help="one JSON array of stories instead of text")
    p.add_argument("--es-url")
    p.set_defaults(func=cmd_search)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # the client logs each retry with a traceback; the one-line error below says it all
        logging.getLogger("elastic_transport").setLevel(logging.CRITICAL)
    install_log_redaction()  # feed URLs with credentials are logged by stages that never see a secret as such
    from pipeline.errors import ConfigError, NewswatchError, StoreError

    # What is loaded by now lives until exit: kept out of the collector's full passes, a pass over a
    # thousand feeds does not walk the libraries' objects again and again, nor once more at exit.
    gc.freeze()
    try:
        return int(args.func(args))
    except NewswatchError as exc:
        if args.debug:
            raise
        print(f"newswatch: {redact(str(exc))}", file=sys.stderr)
        if isinstance(exc, ConfigError):
            return EXIT_CONFIG
        return EXIT_STORE if isinstance(exc, StoreError) else EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main())
