"""The cluster's supervisor: its children never outlive it out of reach, and one that cannot start does not stop
the others (real processes, each in a session of its own as the supervisor starts them)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.local.supervisor import Supervisor, reap_leftovers, start_ticks, write_plan

SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)"]


def plan(state: Path, **commands: list[str]) -> None:
    (state / "logs").mkdir(parents=True, exist_ok=True)
    write_plan(state, {name: {"cmd": cmd, "env": dict(os.environ), "log": str(state / "logs" / f"{name}.log"),
                              "order": n} for n, (name, cmd) in enumerate(commands.items())})


def alive(pid: int) -> bool:
    return start_ticks(pid) is not None and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]


def test_children_left_by_a_dead_supervisor_are_stopped_by_the_next(tmp_path):
    """A SIGKILLed supervisor's PostgreSQL, Redis and nodes kept their ports; the next one's restarts failed on
    them every 2 s while `up` reported the cluster healthy."""
    left = subprocess.Popen(SLEEPER, start_new_session=True)
    other = subprocess.Popen(SLEEPER, start_new_session=True)  # the pid recorded, but another start time: not ours
    previous = {"redis": {"pid": left.pid, "ticks": start_ticks(left.pid)},
                "postgres": {"pid": other.pid, "ticks": (start_ticks(other.pid) or 0) - 1}, "supervisor": {"pid": 1}}
    try:
        assert reap_leftovers(previous) == ["redis"]
        left.wait(10)
        assert left.returncode is not None and other.poll() is None
    finally:
        for p in (left, other):
            p.kill()
            p.wait()


def test_a_failing_loop_stops_every_child_and_a_missing_binary_stops_only_itself(tmp_path, monkeypatch):
    plan(tmp_path, sleeper=SLEEPER, missing=["/nonexistent/bin/redis-server"])
    supervisor = Supervisor(tmp_path)
    supervisor.step(json.loads((tmp_path / "plan.json").read_text()))  # no exception for the missing binary
    assert list(supervisor.running) == ["sleeper"] and "missing" in supervisor.failed_starts
    pid = supervisor.running["sleeper"].process.pid
    writes = 0
    real = Supervisor.write_state

    def full_disk(self):
        nonlocal writes
        writes += 1
        if writes >= 2:
            raise OSError(28, "No space left on device")
        real(self)

    monkeypatch.setattr(Supervisor, "write_state", full_disk)
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(OSError, match="No space left"):
        supervisor.run()
    assert signal.getsignal(signal.SIGTERM) is handler  # pytest (a CI cancel) can still be stopped
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.2)
    assert not alive(pid)  # stopped with the supervisor, not left running in its own session


def test_two_supervisors_started_at_once_run_one(tmp_path):
    """Two `cluster.sh supervise` started together both read a state naming no live supervisor; each would have
    started PostgreSQL, Redis and the nodes, the second set failing on the first's ports for ever."""
    plan(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from pipeline.local.supervisor import hold_supervisor_lock; "
                               "hold_supervisor_lock(Path(sys.argv[1])); print('held', flush=True); time.sleep(300)",
                               str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not (tmp_path / "state.json").exists()  # the holder wrote no state: only the lock tells
        with pytest.raises(RuntimeError, match="another supervisor"):
            Supervisor(tmp_path).run()
    finally:
        holder.kill()
        holder.wait()
    supervisor = Supervisor(tmp_path)  # the lock went with its process, killed: the next one runs
    supervisor.stopping = True
    supervisor.run()
    assert json.loads((tmp_path / "state.json").read_text())["supervisor"]["pid"] == os.getpid()


def test_a_log_replaced_by_a_link_is_not_followed(tmp_path):
    """The supervisor runs as root and opened each service's log in a folder the service's user owns: a link put
    there (to /root/.ssh/authorized_keys, say) was followed and the file handed to the service."""
    plan(tmp_path, sleeper=SLEEPER)
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    log = tmp_path / "logs" / "sleeper.log"
    log.symlink_to(target)
    supervisor = Supervisor(tmp_path)
    supervisor.step(json.loads((tmp_path / "plan.json").read_text()))
    assert "sleeper" not in supervisor.running and "sleeper" in supervisor.failed_starts
    assert target.read_text() == "keep me\n"


def test_postgres_is_initialised_whole_or_not_at_all(tmp_path):
    """initdb writes PG_VERSION early: cut short by Ctrl-C it left a data folder every later `up` trusted, and
    PostgreSQL crash-looped on it. It now runs in a staging folder moved into place whole."""
    import shutil
    import tempfile

    from pipeline.local import cluster

    state = Path(tempfile.mkdtemp(prefix="newswatch-pg-test-"))
    state.chmod(0o755)
    try:
        (state / "pg" / "data.initdb").mkdir(parents=True)  # what a killed first run left
        (state / "pg" / "data.initdb" / "PG_VERSION").write_text("15\n")
        workdir, _ = cluster.init_postgres(state)
        assert (workdir / "data" / "PG_VERSION").exists() and (workdir / "data" / "global" / "pg_control").exists()
        assert not (workdir / "data.initdb").exists()
        rules = [line.split() for line in (workdir / "data" / "pg_hba.conf").read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
        assert all(rule[-1] == "scram-sha-256" for rule in rules if rule[0] == "local")  # no trust on the socket
    finally:
        shutil.rmtree(state, ignore_errors=True)
