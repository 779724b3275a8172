"""The command line's promises to scripts and to people: JSON Lines, quiet pipes, helpful mistakes, readable alerts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pipeline.local.es_node import free_port
from pipeline.settings import PROJECT_ROOT

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}  # this checkout's `pipeline`, whatever the venv points at


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**ENV, **(env or {})}, timeout=600)


def into_closed_pipe(*args: str, env: dict) -> subprocess.CompletedProcess:
    """Run with stdout a pipe whose reader is already gone: every write fails, as after `| head -1`."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([NEWSWATCH, *args], stdout=write, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
                              env={**ENV, **env}, timeout=600)
    finally:
        os.close(write)
    return done


@pytest.fixture(scope="module")
def polled(es_url):
    """Two replay feeds polled through the CLI: one that works and one that has never worked. Once for the
    module: its tests read what the poll left (`alerts run` adds only alert records, which the others never read)."""
    from pipeline.settings import Settings
    from pipeline.store import Store

    prefix = f"t{uuid.uuid4().hex[:10]}"
    env = {"NEWSWATCH_ES_URL": es_url, "NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"}
    done = run("poll", "--feed", "replay-canada", "--feed", "replay-not-a-feed", "--no-enrich", env=env)
    assert done.returncode == 0, done.stderr
    yield env
    with Store.open(Settings(es_url=es_url, index_prefix=prefix), ensure=False) as store:
        store.drop()


def test_json_is_json_lines_and_a_never_working_feed_is_failing(polled):
    found = run("search", "Roxham", "--json", env=polled)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    hits = [json.loads(line) for line in lines]  # each line one object, no array around them
    assert len(hits) >= 2 and all(isinstance(h, dict) and h["url"].startswith("http") for h in hits)

    health = [json.loads(line) for line in run("feed-health", "--json", env=polled).stdout.splitlines()]
    status = {h["feed_id"]: h["status"] for h in health}
    assert status["replay-canada"] == "ok"
    assert status["replay-not-a-feed"] == "failing"  # one failed poll and never a success: not `ok`
    text = run("feed-health", env=polled).stdout
    assert "next due" in text.splitlines()[0]
    assert next(h for h in health if h["feed_id"] == "replay-canada")["next_due"][:16] in text


def test_a_closed_pipe_ends_the_command_quietly(polled):
    for args in (("feed-health", "--json"), ("settings",), ("search", "Roxham")):
        done = into_closed_pipe(*args, env=polled)
        assert done.returncode == 0 and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, (args, done)
    shell = subprocess.run(f"{NEWSWATCH} feed-health --json | head -1; echo \"exit ${{PIPESTATUS[0]}}\"", shell=True,
                           executable="/bin/bash", capture_output=True, text=True, env={**ENV, **polled}, cwd="/")
    first, status = shell.stdout.splitlines()
    assert json.loads(first)["feed_id"] and status == "exit 0" and shell.stderr == ""


def test_mistakes_get_a_suggestion_and_the_commands_own_usage():
    typo = run("serch", "asylum")
    assert typo.returncode == 2 and "did you mean 'search'?" in typo.stderr
    flag = run("search", "--jsn", "asylum")
    assert flag.returncode == 2 and flag.stderr.startswith("usage: newswatch search")
    assert "--jsn (did you mean --json?)" in flag.stderr
    nameless = run("alerts", "test")
    assert nameless.returncode == 2 and "needs the name of a subscription" in nameless.stderr
    assert "None" not in nameless.stderr
    wrong = run("alerts", "test", "miler-quotes")
    assert wrong.returncode == 2 and "did you mean 'miller-quotes'?" in wrong.stderr


def test_the_readme_subscription_renders_without_sending():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "newswatch alerts test miller-quotes" in readme  # the example the README gives exists
    done = run("alerts", "test", "miller-quotes", "--dry-run", env={"NEWSWATCH_SMTP_PORT": str(free_port())})
    assert done.returncode == 0, done.stderr
    assert "would send to:" in done.stdout and "subject: [Newswatch]" in done.stdout
    assert "Read the story: https://example.org/newswatch-test" in done.stdout and "`" not in done.stdout


def test_a_failed_channel_is_one_line_without_a_log_prefix():
    done = run("alerts", "test", "miller-quotes", env={"NEWSWATCH_SMTP_PORT": str(free_port())})
    assert done.returncode == 1
    assert [line for line in done.stdout.splitlines() if line.startswith("FAILED")] == done.stdout.splitlines()
    assert len(done.stdout.splitlines()) == 1 and "Connection error" in done.stdout
    assert " - WARNING - " not in done.stdout and "Connection error" not in done.stderr


def test_alerts_run_is_a_readable_summary(polled):
    done = run("alerts", "run", env=polled)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stories checked: ") and "immediate: sent " in done.stdout
    assert not done.stdout.lstrip().startswith("{")
    lines = [json.loads(line) for line in run("alerts", "run", "--json", env=polled).stdout.splitlines()]
    assert [line["pass"] for line in lines] == ["new", "immediate", "digests"]



def test_on_a_terminal_feed_health_is_a_table_and_in_a_pipe_plain_columns(polled):
    import pty

    env = polled
    leader, follower = pty.openpty()  # stdout a terminal, as a user at a shell has it
    try:
        done = subprocess.run([NEWSWATCH, "feed-health"], stdout=follower, stderr=subprocess.PIPE, cwd=PROJECT_ROOT,
                              env={**ENV, **env, "COLUMNS": "200", "TERM": "xterm"}, timeout=600)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    text = shown.decode()
    assert done.returncode == 0, done.stderr
    assert "\x1b[" in text and "replay-canada" in text and "next due" in text  # rich's table, in colour
    plain = run("feed-health", env=env)
    assert "\x1b[" not in plain.stdout and plain.stdout.startswith("feed ")  # a pipe gets plain columns
