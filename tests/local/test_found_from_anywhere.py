"""The CLI of a checkout finds its local node from any folder, and says how to start it when it is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.local.es_node import ensure_persistent_node, free_port, stop_persistent_node
from pipeline.settings import PROJECT_ROOT

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")


def run_elsewhere(folder: Path, state_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The installed command run from `folder`, with no NEWSWATCH_ES_URL: only the state file tells it the node."""
    environ = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_ES_URL"}
    environ.update(PYTHONPATH=str(PROJECT_ROOT), NEWSWATCH_STATE_DIR=str(state_dir), **env)
    return subprocess.run([NEWSWATCH, *args], capture_output=True, text=True, cwd=folder, env=environ, timeout=600)


def test_the_cli_finds_the_recorded_node_from_another_folder_and_explains_when_it_is_down(tmp_path, es_url, prefix):
    state, elsewhere = tmp_path / "state", tmp_path / "somewhere-else"
    state.mkdir()
    elsewhere.mkdir()
    (state / "es.json").write_text(json.dumps({"url": es_url, "pid": None}))  # as the node records itself
    env = {"NEWSWATCH_INDEX_PREFIX": prefix, "NEWSWATCH_SOURCE": "replay"}
    polled = run_elsewhere(elsewhere, state, "poll", "--feed", "replay-canada", "--no-enrich", **env)
    assert polled.returncode == 0, polled.stderr
    found = run_elsewhere(elsewhere, state, "search", "Roxham", "--json", **env)
    assert found.returncode == 0, found.stderr
    assert [json.loads(line)["url"] for line in found.stdout.splitlines()]
    shown = run_elsewhere(elsewhere, state, "settings", **env).stdout
    assert f"(now: {es_url}, the local node recorded in {state / 'es.json'})" in shown

    down = f"http://127.0.0.1:{free_port()}"
    (state / "es.json").write_text(json.dumps({"url": down, "pid": None}))  # stopped: the URL stays, nothing answers
    failed = run_elsewhere(elsewhere, state, "search", "Roxham", **env)
    assert failed.returncode == 4
    assert failed.stderr.startswith("newswatch: the local Elasticsearch is not running: start it with scripts/run.sh")
    assert down in failed.stderr and "creating the indices" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1

    given = run_elsewhere(elsewhere, state, "search", "Roxham", NEWSWATCH_ES_URL=down, **env)
    assert given.returncode == 4 and "not running" not in given.stderr  # a URL the user gave is theirs to fix


@pytest.mark.slow
def test_a_restarted_node_keeps_its_port(tmp_path):
    first = ensure_persistent_node(tmp_path)
    try:
        assert json.loads((tmp_path / "es.json").read_text())["url"] == first
        assert ensure_persistent_node(tmp_path) == first  # running: reused
    finally:
        assert stop_persistent_node(tmp_path)
    assert json.loads((tmp_path / "es.json").read_text()) == {"url": first, "pid": None}
    again = ensure_persistent_node(tmp_path)
    try:
        assert again == first  # the port was free: the printed URL still holds
    finally:
        stop_persistent_node(tmp_path)
