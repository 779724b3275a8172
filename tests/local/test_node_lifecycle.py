"""The local node's start and stop under interruption and stale state: nothing left running, nothing wrongly killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from pipeline.local import es_node

pytestmark = pytest.mark.slow  # a real node starts (and is interrupted)


def test_ctrl_c_while_the_node_starts_leaves_no_node_behind(tmp_path: Path):
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    started = []
    real_popen = subprocess.Popen

    def recording(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        started.append(process.pid)
        return process

    def interrupt(*_):
        raise KeyboardInterrupt

    es_node.fetch_distribution(es_node.cache_dir(es_node.local_environment()))  # downloaded before the clock runs
    previous = signal.signal(signal.SIGALRM, interrupt)
    es_node.subprocess.Popen = recording  # the real launcher, its pid noted
    try:
        signal.alarm(2)  # long before the JVM answers
        with pytest.raises(KeyboardInterrupt):
            es_node.start_node(workdir=tmp_path / "es", state_dir=tmp_path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        es_node.subprocess.Popen = real_popen
    assert started
    with pytest.raises(ProcessLookupError):
        os.killpg(started[0], 0)  # its whole session is gone: the launcher and the JVM
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, left


def test_stop_local_never_kills_a_stale_pid_that_is_not_a_node(tmp_path: Path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (tmp_path / "es.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": other.pid}))
        assert es_node.stop_persistent_node(tmp_path) is False
        assert other.poll() is None  # still running
        assert json.loads((tmp_path / "es.json").read_text()) == {"url": "http://127.0.0.1:9", "pid": None}
        (tmp_path / "es.json").write_text('{"url": "http://127.0.0.1:9", "pi')  # half written
        assert es_node.stop_persistent_node(tmp_path) is False
    finally:
        other.kill()
        other.wait()


def test_run_local_stopped_by_sigterm_while_the_node_starts_leaves_no_node_behind(tmp_path: Path):
    """A CI cancel or `timeout` sends SIGTERM, a dropped SSH session SIGHUP: the cleanup ran only for Ctrl-C, and the
    node, in its own session, kept the data directory with nothing recording it."""
    import time

    es_node.fetch_distribution(es_node.cache_dir(es_node.local_environment()))
    env = {**os.environ, "NEWSWATCH_STATE_DIR": str(tmp_path / "state")}
    env.pop("NEWSWATCH_ES_URL", None)
    run = subprocess.Popen([str(Path(sys.executable).parent / "newswatch"), "run-local", "--source", "replay"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(4)  # the node is starting (it answers after some 15 s)
    run.send_signal(signal.SIGTERM)
    run.wait(120)
    time.sleep(2)
    where = {str(tmp_path), str((tmp_path / "state" / "es").resolve())}  # run as root, its data may live elsewhere
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if any(w in " ".join(p.info["cmdline"] or []) for w in where)]
    assert run.returncode != 0 and not left, (run.returncode, left, run.stdout.read()[-2000:] if run.stdout else "")


def test_the_test_scripts_node_stopped_by_sigterm_while_it_starts_leaves_no_node_behind(tmp_path: Path):
    """`python -m pipeline.local.es_node start` (scripts/test.sh, .ci/run) died on SIGTERM without its cleanup:
    the node ran on with nothing recording it, and the trap's `rm -rf` took its data folder from under it."""
    import time

    es_node.fetch_distribution(es_node.cache_dir(es_node.local_environment()))
    state = tmp_path / "state"
    start = subprocess.Popen([sys.executable, "-m", "pipeline.local.es_node", "start", "--state-dir", str(state)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[2])
    time.sleep(4)  # the node is starting
    start.send_signal(signal.SIGTERM)
    start.wait(120)
    time.sleep(2)
    where = {str(tmp_path), str((state / "es").resolve())}
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if any(w in " ".join(p.info["cmdline"] or []) for w in where)]
    assert start.returncode != 0 and not left, (start.returncode, left, start.stdout.read()[-2000:] if start.stdout else "")
