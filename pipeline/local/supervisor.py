"""Keep the processes of a plan running, as Compose's `restart: always` does, and let a drill hold one down.

The plan is a JSON file (`plan.json`: name → command, environment, user, log file, stop signal), rewritten by
`up`; the supervisor reads it every half second, starts what is missing, restarts what exited, restarts what
the plan changed, and stops what left the plan. A process whose name has a file in `hold/` is not restarted
while the file is there: that is how a fault drill kills a worker and keeps it dead, then brings it back.
What runs, with its pid and restarts, is written to `state.json` for `status` and for the drill.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESTART_DELAY = 2.0  # seconds after an exit before the next start


@dataclass
class Running:
    process: subprocess.Popen
    digest: str
    started: float
    restarts: int = 0
    exited_at: float | None = None
    last_exit: int | None = None


def spec_digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def read_plan(state: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads((state / "plan.json").read_text())
    except (OSError, ValueError):
        return {}


def write_plan(state: Path, plan: dict[str, dict[str, Any]]) -> None:
    """Atomically, and private: the plan holds the environment, secrets included."""
    tmp = state / "plan.json.tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(plan, out, indent=1, sort_keys=True)
    os.replace(tmp, state / "plan.json")


def held(state: Path, name: str) -> bool:
    return (state / "hold" / name).exists()


def hold(state: Path, name: str) -> None:
    (state / "hold").mkdir(exist_ok=True)
    (state / "hold" / name).touch()


def release(state: Path, name: str) -> None:
    (state / "hold" / name).unlink(missing_ok=True)


def kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_process(process: subprocess.Popen, sig: int, timeout: float = 40) -> None:
    """Ask the process group to stop, then make sure: SIGKILL after `timeout`."""
    kill_group(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    kill_group(process.pid, signal.SIGKILL)  # whatever of the group is left (a pool child, a JVM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        pass


def start_process(spec: dict[str, Any]) -> subprocess.Popen:
    kwargs: dict[str, Any] = {}
    if spec.get("user"):
        uid, gid = spec["user"]
        kwargs = {"user": uid, "group": gid, "extra_groups": []}
    # never through a link: a service may own the folder, and this process is root
    with open(os.open(spec["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640), "ab") as log:
        return subprocess.Popen(spec["cmd"], env=spec["env"], cwd=spec.get("cwd"), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)


class Supervisor:
    """The loop; `run` returns once SIGTERM has stopped every process, last started first."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.running: dict[str, Running] = {}
        self.failed_starts: dict[str, float] = {}
        self.stopping = False

    def _stop_signal(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> None:
        """Until SIGTERM, or until the loop itself fails (a full disk writing the state): either way every child
        is stopped, since each runs in a session of its own and would outlive this process out of reach."""
        lock = hold_supervisor_lock(self.state)
        try:
            self._run()
        finally:
            os.close(lock)

    def _run(self) -> None:
        previous = read_state(self.state)
        other = previous.get("supervisor", {}).get("pid")
        if other and other != os.getpid() and supervisor_alive(self.state):  # one started before the lock was
            raise RuntimeError(f"another supervisor (pid {other}) runs on {self.state}")
        before = {sig: signal.signal(sig, self._stop_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.write_state()  # this one's pid first: `up`, `down` and the drill see it while it reaps
        reap_leftovers(previous)  # a supervisor that died (SIGKILL, OOM) left its children running
        try:
            while not self.stopping:
                self.step(read_plan(self.state))
                self.write_state()
                time.sleep(0.5)
        finally:
            plan = read_plan(self.state)
            for name in sorted(self.running, key=lambda n: -plan.get(n, {}).get("order", 0)):
                run = self.running[name]
                if run.process.poll() is None:
                    stop_process(run.process, plan.get(name, {}).get("stop_signal", signal.SIGTERM))
            self.running.clear()
            try:
                self.write_state()
            except OSError as exc:  # the error that ended the loop, most likely: it is raised as it is
                print(f"could not write the state: {exc}", file=sys.stderr, flush=True)
            for sig, handler in before.items():
                signal.signal(sig, handler)

    def step(self, plan: dict[str, dict[str, Any]]) -> None:
        now = time.monotonic()
        for name in [n for n in self.running if n not in plan]:
            stop_process(self.running.pop(name).process, signal.SIGTERM)
        for name, spec in sorted(plan.items(), key=lambda item: item[1].get("order", 0)):
            digest = spec_digest(spec)
            run = self.running.get(name)
            if run and run.process.poll() is None:
                if run.digest == digest:
                    continue
                stop_process(run.process, spec.get("stop_signal", signal.SIGTERM))  # the plan changed it
                run.exited_at, run.last_exit = now - RESTART_DELAY, run.process.returncode
            elif run and run.exited_at is None:
                kill_group(run.process.pid, signal.SIGKILL)  # what the dead leader left behind
                run.exited_at, run.last_exit = now, run.process.returncode
            if held(self.state, name) or (run and run.exited_at and now - run.exited_at < RESTART_DELAY) \
                    or now - self.failed_starts.get(name, -RESTART_DELAY) < RESTART_DELAY:
                continue
            try:
                process = start_process(spec)
            except OSError as exc:  # a binary missing while the venv is rebuilt: this one waits, the rest run
                print(f"{name}: could not start: {exc}", file=sys.stderr, flush=True)
                self.failed_starts[name] = now
                continue
            self.running[name] = Running(process, digest, time.time(), (run.restarts + 1) if run else 0,
                                         last_exit=run.last_exit if run else None)

    def write_state(self) -> None:
        out = {name: {"pid": run.process.pid, "alive": run.process.poll() is None, "started": run.started,
                      "restarts": run.restarts, "last_exit": run.last_exit, "held": held(self.state, name),
                      "ticks": start_ticks(run.process.pid)}
               for name, run in self.running.items()}
        out["supervisor"] = {"pid": os.getpid(), "alive": True}
        tmp = self.state / "state.json.tmp"
        tmp.write_text(json.dumps(out, indent=1))
        os.replace(tmp, self.state / "state.json")


def hold_supervisor_lock(state: Path) -> int:
    """An exclusive lock on `state/supervisor.lock`, held while the process lives: two supervisors started at
    once both read a state naming no live supervisor, and each would start every service. The lock goes with
    the process however it ends (SIGKILL too), so a stale file never blocks the next one."""
    fd = os.open(state / "supervisor.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        other = read_state(state).get("supervisor", {}).get("pid")
        raise RuntimeError(f"another supervisor (pid {other or 'unknown'}) runs on {state}") from None
    return fd


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (which may hold spaces and parentheses); [] when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot): with the pid, names one process for good, where a pid
    alone may have been handed to another since."""
    fields = _stat(pid)
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def _running(pid: int) -> bool:
    """Alive, not a zombie waiting for its parent."""
    return _stat(pid)[:1] not in ([], ["Z"])


def reap_leftovers(previous: dict[str, dict[str, Any]]) -> list[str]:
    """Stop the process groups a dead supervisor's `state.json` (`previous`) lists that still run (the same pid and
    start time): PostgreSQL, Redis or a node left running would hold their ports and locks, and every restart of
    the new supervisor's own would fail on them."""
    reaped = []
    for name, info in previous.items():
        pid = info.get("pid") if name != "supervisor" else None
        if pid and info.get("ticks") is not None and start_ticks(pid) == info["ticks"]:
            kill_group(pid, signal.SIGTERM)
            reaped.append(name)
    deadline = time.monotonic() + 40
    for name in reaped:
        pid = previous[name]["pid"]
        while time.monotonic() < deadline and _running(pid):
            time.sleep(0.2)
        kill_group(pid, signal.SIGKILL)
    return reaped


def read_state(state: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads((state / "state.json").read_text())
    except (OSError, ValueError):
        return {}


def supervisor_alive(state: Path) -> int | None:
    """The running supervisor's pid, or None."""
    pid = read_state(state).get("supervisor", {}).get("pid")
    if not pid:
        return None
    try:
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ProcessLookupError, PermissionError, OSError):
        return None
    return pid if b"supervise" in cmdline else None
