"""The `newswatch` command as a user runs it: installed entry point, real node."""

import os
import subprocess
import sys
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **env}, timeout=600)


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
