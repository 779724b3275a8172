"""The `newswatch` command as a user runs it: installed entry point, real node."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **env}, timeout=600)


@pytest.mark.slow
def test_poll_then_search(es_url, prefix):
    env = {"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"}
    polled = run("poll", "--force", "--run-id", "cli-test", env=env)
    assert polled.returncode == 0, polled.stderr
    assert "feeds polled: 7 (1 failed)" in polled.stdout
    assert "replay-not-a-feed" in polled.stdout and "ERROR not_a_feed" in polled.stdout
    people = next(line for line in polled.stdout.splitlines() if line.startswith("top people quoted"))
    assert "Agency" not in people and "the " not in people.split(":", 1)[1]  # people, not organisations

    found = run("search", '"safe third country"', env=env)
    assert found.returncode == 0, found.stderr
    block = next(b for b in found.stdout.split("\n\n") if "inches closer" in b)
    assert "[asylum-border]" in block and "matched: " in block and "safe third country" in block
    assert "quote: " in block and "— " in block
    assert block.splitlines()[0].startswith("2019-04-01")

    nothing = run("search", '"no such phrase anywhere zzz"', env=env)
    assert nothing.returncode == 1 and "no stories match" in nothing.stdout


def test_bad_config_is_reported_not_traced(tmp_path, es_url, prefix):
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - {id: x, url: nope, outlet: X, language: en, country: CA}\n")
    env = {"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "live",
           "NEWSWATCH_FEEDS_FILE": str(tmp_path / "feeds.yaml")}
    done = run("poll", "--force", env=env)
    assert done.returncode == 3  # configuration error (the exit codes table in the README)
    assert f"{tmp_path / 'feeds.yaml'}: feeds.0.url" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_exit_codes_and_json(es_url, prefix, es, tmp_path):
    """Each exit code of the README's table, as a user meets it."""
    from pipeline.local.es_node import free_port

    env = {"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"}
    assert run("--version", env=env).stdout.startswith("newswatch ")
    assert run("search", env=env).returncode == 2  # bad arguments: the query is missing
    unknown = run("poll", "--feed", "no-such-feed", env=env)
    assert unknown.returncode == 3 and "unknown feed ids: no-such-feed" in unknown.stderr  # configuration
    assert "Traceback" not in unknown.stderr
    down = run("search", "asylum", env={**env, "NEWSWATCH_ES_URL": f"http://127.0.0.1:{free_port()}"})
    assert down.returncode == 4 and len(down.stderr.strip().splitlines()) == 1  # Elasticsearch unreachable
    assert run("search", "asylum", "--debug", env={**env, "NEWSWATCH_ES_URL": f"http://127.0.0.1:{free_port()}"}) \
        .stderr.count("Traceback") == 1
    kibana = run("kibana-setup", "--kibana-url", f"http://127.0.0.1:{free_port()}", env=env)
    assert kibana.returncode == 6 and "Kibana is not reachable" in kibana.stderr  # any other reported failure

    run("poll", "--feed", "replay-canada", "--no-enrich", env=env)  # creates the indices, writes stories
    es.indices.put_settings(index=f"{prefix}-stories", settings={"index.blocks.write": True})
    try:
        rejected = run("poll", "--feed", "replay-quebec", "--no-enrich", env=env)
    finally:
        es.indices.put_settings(index=f"{prefix}-stories", settings={"index.blocks.write": False})
    # a write block refuses every write: a store error (exit 4) naming the block, nothing written, the pass retried
    assert rejected.returncode == 4 and "blocked" in rejected.stderr.lower(), rejected.stderr

    found = run("search", "Roxham", "--json", env=env)
    assert found.returncode == 0
    hits = [__import__("json").loads(line) for line in found.stdout.splitlines()]
    assert hits and all("text" not in h and h["url"].startswith("http") for h in hits)
    assert run("search", "zzzz-no-such-word", env=env).returncode == 1  # nothing found
    health = [__import__("json").loads(line) for line in run("feed-health", "--json", env=env).stdout.splitlines()]
    assert {h["feed_id"]: h["status"] for h in health}["replay-canada"] == "ok"
    listed = [__import__("json").loads(line) for line in run("alerts", "list", "--json", env={
        **env, "NEWSWATCH_ALERT_TO": "a@example.org", "NEWSWATCH_DIGEST_TO": "b@example.org"}).stdout.splitlines()]
    assert {s["name"] for s in listed} and not [s for s in listed if "problem" in s]

    from pipeline.store.documents import AlertRecord  # a subscription renamed while it held alerts: said, not lost
    es.index(index=f"{prefix}-alerts", id="orphan", document=AlertRecord(
        alert_id="orphan", kind="story", subscription="old-desk-name", mode="immediate", story_id="s",
        created="2026-12-01T08:00:00+00:00").to_source(),
        refresh=True)
    listed = [__import__("json").loads(line) for line in run("alerts", "list", "--json", env={
        **env, "NEWSWATCH_ALERT_TO": "a@example.org", "NEWSWATCH_DIGEST_TO": "b@example.org"}).stdout.splitlines()]
    assert [s["problem"] for s in listed if "problem" in s and "'old-desk-name'" in s["problem"]]


@pytest.mark.slow
def test_bad_input_lines_and_unreadable_config_are_one_line_with_exit_3(tmp_path):
    """No traceback for a JSONL line that is not an object, nor for a config file in the wrong encoding or shape."""
    src = tmp_path / "in.jsonl"
    for body, problem in (('{"text": "ok"}\n[1, 2]\n', "line 2: must be a JSON object, not a list"),
                          ('"just a string"\n', "line 1: must be a JSON object, not a string"),
                          ('{"text": "ok"}\n\n{"id": 2}\n', "line 3: missing string field 'text'"),
                          ('{"text": "ok"}\n{"text": \n', "line 2: not valid JSON"),
                          ('{"text": "ok", "title": 2024}\n', "line 1: 'title' must be a string, not 2024"),
                          (b'{"text": "caf\xe9"}\n', "line 1: not UTF-8 text")):
        src.write_bytes(body if isinstance(body, bytes) else body.encode())
        done = run("extract", "--input", str(src), env={})
        assert done.returncode == 3, (body, done.stderr)
        assert done.stderr.strip().splitlines() == [done.stderr.strip()] and f"{src}: {problem}" in done.stderr
    bad_time = run("feed-health", "--at", "yesterday", env={})  # a usage error in one line, exit 2
    assert bad_time.returncode == 2 and "not an ISO time: 'yesterday'" in bad_time.stderr
    assert "Traceback" not in bad_time.stderr
    for command in (("search", "asylum", "--size", "4000"), ("search", "asylum", "--size", "-1"),
                    ("figures", "--days", "-1")):  # Elasticsearch's "result window is too large", exit 4, before
        refused = run(*command, env={})
        assert refused.returncode == 2 and "out of range" in refused.stderr, (command, refused.stderr)
    missing = run("extract", "--input", str(tmp_path / "nope.jsonl"), env={})
    assert missing.returncode == 3 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr

    src.write_text('{"text": "ok"}\n')  # a good input: the config file is what is wrong now
    config = tmp_path / "config"
    config.mkdir()
    (config / "topics.yaml").write_bytes("topics:\n  - name: réfugiés\n".encode("latin-1"))
    latin = run("extract", "--input", str(src), env={"NEWSWATCH_CONFIG_DIR": str(config)})
    assert latin.returncode == 3 and f"{config / 'topics.yaml'}: line 2: not UTF-8 text" in latin.stderr
    assert len(latin.stderr.strip().splitlines()) == 1
    (tmp_path / "alerts.yaml").write_text("- desk\n- policy\n")
    listed = run("alerts", "list", "--file", str(tmp_path / "alerts.yaml"), env={})
    assert listed.returncode == 3 and "(top level): must be a mapping (key: value), not a list" in listed.stderr
    assert len(listed.stderr.strip().splitlines()) == 1
    for wrong in (["run", "--dry-run"], ["run", "desk"], ["list", "--dry-run"]):  # never a real run meant as a preview
        refused = run("alerts", *wrong, "--file", str(tmp_path / "alerts.yaml"), env={"NEWSWATCH_ES_URL": "http://127.0.0.1:9"})
        assert refused.returncode == 2 and "takes no subscription name and no --dry-run" in refused.stderr, wrong
    typo = run("alerts", "run", "--file", str(tmp_path / "alertz.yaml"), env={"NEWSWATCH_ES_URL": "http://127.0.0.1:9"})
    assert typo.returncode == 2 and "alertz.yaml: no such file" in typo.stderr
    # another file's run would move the watermark all subscriptions share: config/alerts.yaml's would miss those stories
    other = run("alerts", "run", "--file", str(tmp_path / "alerts.yaml"), env={"NEWSWATCH_ES_URL": "http://127.0.0.1:9"})
    assert other.returncode == 2 and "moves the one watermark every subscription shares" in other.stderr


def test_alerts_test_is_refused_only_for_the_named_subscriptions_own_problem(tmp_path):
    """Another subscription's unset secret refused `alerts test good`: an operator could test nothing."""
    (tmp_path / "alerts.yaml").write_text(
        "subscriptions:\n  - {name: good, channels: ['json://localhost/hook'], rule: {}}\n"
        "  - {name: waiting, channels: ['mailto://${ALERT_NEVER_SET_X}@example.org'], rule: {}}\n"
        "  - {name: good, channels: ['json://localhost/copy'], rule: {}, digest: {at: '25:00'}}\n")  # a later copy
    env = {"NEWSWATCH_CONFIG_DIR": str(tmp_path), "ALERT_NEVER_SET_X": ""}
    good = run("alerts", "test", "good", "--dry-run", env=env)
    assert good.returncode == 0 and "json://localhost/hook" in good.stdout, good.stderr
    waiting = run("alerts", "test", "waiting", "--dry-run", env=env)
    assert waiting.returncode == 3 and "subscriptions[waiting].channels.0" in waiting.stderr
    assert "ALERT_NEVER_SET_X is not set" in waiting.stderr


def test_a_dry_run_never_prints_the_tokens_filled_into_a_channel(tmp_path):
    """Slack, Discord and Telegram hold their token in the path or the host, not in user:pass@ nor in a parameter
    named like a secret: `alerts test NAME --dry-run` printed each channel filled in, tokens and all."""
    tokens = {"SLACK_TOKEN_DESK": "xoxbSlackT0kenValue12345", "ALERT_DISCORD_TOKEN": "DiscordWebh00kT0kenValue9876",
              "ALERT_TELEGRAM_TOKEN": "TelegramB0tT0kenValueabcdefghijk"}
    (tmp_path / "alerts.yaml").write_text(
        "subscriptions:\n  - name: desk\n    rule: {}\n    channels:\n"
        "      - 'slack://T1234ABCD/B1234ABCD/${SLACK_TOKEN_DESK}/#desk'\n"
        "      - 'discord://1234567890/${ALERT_DISCORD_TOKEN}'\n"
        "      - 'tgram://123456789:${ALERT_TELEGRAM_TOKEN}/12345'\n")
    shown = run("alerts", "test", "desk", "--dry-run", "--file", str(tmp_path / "alerts.yaml"), env=tokens)
    assert shown.returncode == 0, shown.stderr
    assert not [t for t in tokens.values() if t in shown.stdout], shown.stdout
    assert "slack://T1234ABCD/B1234ABCD/${SLACK_TOKEN_DESK}/#desk" in shown.stdout  # which channel, as written


def test_a_labelled_file_that_cannot_be_read_is_one_line_naming_it(tmp_path, shared_data):
    """Event labels need their stream beside them: the evaluation printed a traceback instead of saying so; a
    missing file is the user's to fix (exit 3, as without --cv), not a defect (exit 6)."""
    labels = tmp_path / "events-extra.labels.jsonl"
    labels.write_text('{"id": "a1", "topic": "on", "event": "e", "storyline": ""}\n')
    for args in (("topics-eval", str(shared_data / "topics-dev.jsonl"), "--cv", "5", "--more", str(labels)),
                 ("topics-eval", str(tmp_path / "missing.jsonl"), "--cv", "5")):
        done = run(*args, env={})
        assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
        assert str(tmp_path) in done.stderr


def test_a_pass_whose_enrichment_was_refused_or_set_aside_says_so_and_exits_5(store, settings):
    """Only the poll's own refusals set exit 5: a cron job saw success while stories sat unenriched."""
    import io

    from pipeline.cli.poll import poll_exit, print_summary
    from pipeline.ingest.poll import PollReport
    from pipeline.nlp.enrich import EnrichReport

    clean, refused = EnrichReport(stories=3), EnrichReport(stories=2, rejected={"s1": "mapper_parsing_exception"})
    aside = EnrichReport(stories=2, set_aside={"s2": "analysis failed: ValueError"})
    assert poll_exit(PollReport(), clean) == 0 and poll_exit(PollReport(), None) == 0
    assert poll_exit(PollReport(), refused) == 5 and poll_exit(PollReport(), aside) == 5
    assert poll_exit(PollReport(rejected={"s3": "version conflict"}), clean) == 5
    out = io.StringIO()
    print_summary(PollReport(), store, settings, out=out, enriched=refused)
    assert "ENRICHMENT REJECTED by Elasticsearch: 1 documents" in out.getvalue() and "s1: mapper_parsing" in out.getvalue()
    out = io.StringIO()
    print_summary(PollReport(), store, settings, out=out, enriched=aside)
    assert "SET ASIDE (enrich_error, not retried): 1 stories: s2: analysis failed" in out.getvalue()
    both = EnrichReport(rejected={"s4": "mapper_parsing_exception"}, set_aside={"s4": "mapper_parsing_exception"})
    out = io.StringIO()  # refused for good: set aside, not also "tried again next pass"
    print_summary(PollReport(), store, settings, out=out, enriched=both)
    assert "SET ASIDE" in out.getvalue() and "ENRICHMENT REJECTED" not in out.getvalue()


def test_topics_eval_names_the_file_and_line_it_cannot_read(tmp_path):
    """A missing file, a directory, bytes that are not UTF-8 or a line that is not an object were tracebacks (exit 1),
    a byte order mark exit 6, and a label "On" counted as neither on nor off without a word."""
    good = '{"id": "a", "title": "Asylum seekers cross at Roxham Road", "label": "on"}\n'
    labels = tmp_path / "labels.jsonl"
    for body, problem in ((None, f"{tmp_path / 'missing.jsonl'}: (file): does not exist"),
                          (good.encode() + b'{"id": "b", "title": "caf\xe9", "label": "off"}\n', "line 2: not UTF-8 text"),
                          (good + '["b", "off"]\n', "line 2: not a JSON object"),
                          (good + '{"id": "b", "title": "t", "label": "On"}\n', "line 2: label 'On' is not one of on, "
                                                                                "off, borderline")):
        path = tmp_path / "missing.jsonl" if body is None else labels
        if body is not None:
            labels.write_bytes(body if isinstance(body, bytes) else body.encode())
        done = run("topics-eval", str(path), env={})
        assert done.returncode == 3 and problem in done.stderr, (problem, done.stderr[-500:])
        assert "Traceback" not in done.stderr and str(path) in done.stderr
    folder = run("topics-eval", str(tmp_path), env={})
    assert folder.returncode == 3 and f"{tmp_path}: (file): cannot be read" in folder.stderr, folder.stderr[-500:]
    labels.write_bytes(b"\xef\xbb\xbf" + good.encode())  # as Windows editors save UTF-8
    with_bom = run("topics-eval", str(labels), env={})
    assert with_bom.returncode == 0 and "tp 1, fp 0, fn 0" in with_bom.stdout, with_bom.stderr[-500:]
    unknown = run("topics-eval", str(labels), "--topic", "asylum-bordr", env={})  # printed zeros with exit 0
    assert unknown.returncode == 2 and "did you mean 'asylum-border'?" in unknown.stderr


def test_a_node_url_that_is_not_http_names_the_variable_or_the_option(tmp_path):
    """"localhost:9200" was a ValueError traceback from the client; "ftp://x:1" a cluster reported down (exit 4)."""
    for env, args, named in (({"NEWSWATCH_ES_URL": "localhost:9200"}, (), "NEWSWATCH_ES_URL"),
                             ({"NEWSWATCH_ES_URL": "http://127.0.0.1:9,ftp://x:1"}, (), "NEWSWATCH_ES_URL"),
                             ({}, ("--es-url", "localhost:9200"), "--es-url")):
        done = run("init", *args, env={**env, "NEWSWATCH_STATE_DIR": str(tmp_path)})
        assert done.returncode == 3 and done.stderr.startswith(f"newswatch: {named}: "), done.stderr[-500:]
        assert "is not an http(s)://host[:port] URL" in done.stderr and "Traceback" not in done.stderr
    kibana = run("kibana-setup", env={"NEWSWATCH_KIBANA_URL": "kibana:5601", "NEWSWATCH_STATE_DIR": str(tmp_path)})
    assert kibana.returncode == 3 and kibana.stderr.startswith("newswatch: NEWSWATCH_KIBANA_URL: "), kibana.stderr[-500:]


def test_settings_lists_unset_lists_as_unchanged(tmp_path):
    """Every comma-list setting (ALLOW, CHANNEL_VARIABLES) showed "(now: ('a', 'b'))" beside its own default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    done = subprocess.run([NEWSWATCH, "settings"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                          env={**env, "NEWSWATCH_STATE_DIR": str(tmp_path), "NEWSWATCH_FETCH__ALLOW": "a.example, b"})
    assert done.returncode == 0, done.stderr
    changed = [line for line in done.stdout.splitlines() if "(now: " in line]
    assert changed == ["NEWSWATCH_FETCH__ALLOW=   (now: a.example,b)", f"NEWSWATCH_STATE_DIR={PROJECT_ROOT / '.newswatch'}"
                       f"   (now: {tmp_path})"]  # no node recorded there: the URL is the default


def test_a_defect_is_one_line_with_exit_6_not_a_traceback_with_the_exit_status_of_nothing_found(monkeypatch, capsys):
    """Python's own exit status for an uncaught error is 1, the status `search` and `feed-health --strict` give
    for "nothing found": a script would have taken a crash for a quiet day."""
    import pipeline.cli
    from pipeline.cli import events
    from pipeline.cli.common import EXIT_EMPTY, EXIT_OTHER

    def broken(args):
        raise ZeroDivisionError("division by zero in a stage")

    monkeypatch.setattr(events, "cmd_stream", broken)  # the parser takes the command's function at registration
    assert pipeline.cli.main(["events", "--input", "x.jsonl"]) == EXIT_OTHER != EXIT_EMPTY
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: division by zero in a stage" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        pipeline.cli.main(["--debug", "events", "--input", "x.jsonl"])


def test_run_local_exits_5_when_stories_were_refused_as_poll_does(monkeypatch, tmp_path):
    """`scripts/run.sh` printed "REJECTED …" and exited 0: a cron job or CI smoke step saw green."""
    import argparse
    import contextlib
    import signal

    import pipeline.cli.poll as poll_cli
    import pipeline.local.es_node as es_node
    from pipeline.ingest.poll import PollReport
    from pipeline.store import Store

    monkeypatch.setenv("NEWSWATCH_STATE_DIR", str(tmp_path))
    monkeypatch.setattr(es_node, "ensure_persistent_node", lambda state: "http://127.0.0.1:1")
    monkeypatch.setattr(Store, "open", classmethod(lambda cls, settings: contextlib.nullcontext(None)))
    monkeypatch.setattr(poll_cli, "print_summary", lambda *a, **k: None)
    outcome = {"report": PollReport(rejected={"s1": "mapper_parsing_exception"})}
    monkeypatch.setattr(poll_cli, "_poll_and_enrich", lambda *a: (outcome["report"], None, None))
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        args = argparse.Namespace(source="replay", started=None)
        assert poll_cli.cmd_run_local(args) == 5
        outcome["report"] = PollReport()
        assert poll_cli.cmd_run_local(args) == 0
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
