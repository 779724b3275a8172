"""A second `scripts/run.sh` only checks: nothing is installed when nothing changed, and polling starts within 15 s.

The scripts run in a copy of the checkout whose `.venv/bin/python` records every `pip` call instead of
making it (the shared virtualenv is never touched) and runs everything else with the real interpreter; a virtualenv
made again (`$PYTHON -m venv`) is another such one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

FILES = ("scripts/bootstrap.sh", "scripts/run.sh", "requirements.txt", "requirements-test.txt", "constraints.txt",
         "pyproject.toml")


def lay_out_venv(venv: Path) -> None:
    """The fake virtualenv, its pip's #! naming its python as `pip install --upgrade pip` writes it. Its python
    finds the checkout from where it is (one moved along with it logs in the new place)."""
    bin_dir = venv / "bin"
    bin_dir.mkdir(parents=True)
    real = sys.executable
    (bin_dir / "python").write_text(f"""#!/bin/bash
root=$(cd "$(dirname "$0")/../.." && pwd -P)
if [ "${{1:-}} ${{2:-}}" = "-m pip" ]; then echo "pip $*" >> "$root/pip.log"; exit 0; fi
PYTHONPATH={PROJECT_ROOT} exec {real} "$@"
""")
    (bin_dir / "newswatch").write_text(f"#!/bin/bash\nPYTHONPATH={PROJECT_ROOT} exec {real} -m pipeline.cli \"$@\"\n")
    (bin_dir / "pip").write_text(f"#!{venv.resolve()}/bin/python\nimport sys\n")
    for script in bin_dir.iterdir():
        script.chmod(0o755)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, root / name)
    lay_out_venv(root / ".venv")
    maker = tmp_path / "python3"  # `$PYTHON -m venv .venv`: notes where, and lays out another fake
    maker.write_text(f"""#!{sys.executable}
import sys
from pathlib import Path
sys.path.insert(0, {str(PROJECT_ROOT)!r})
from tests.local.test_run_sh import lay_out_venv
assert sys.argv[1:3] == ["-m", "venv"], sys.argv
with open("venvs.log", "a") as log:
    print(Path.cwd(), file=log)
lay_out_venv(Path(sys.argv[3]).absolute())
""")
    maker.chmod(0o755)
    return root


def bootstrap(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(root / "scripts" / "bootstrap.sh"), *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHON": str(root.parent / "python3")})


def venvs_made(root: Path) -> list[str]:
    log = root / "venvs.log"
    made = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return made


def pip_calls(root: Path) -> list[str]:
    log = root / "pip.log"
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return calls


@pytest.mark.slow
def test_a_second_bootstrap_installs_nothing_and_says_so(checkout):
    first = bootstrap(checkout)
    assert first.returncode == 0, first.stderr
    assert "bootstrap: installed Newswatch and its dependencies" in first.stdout and pip_calls(checkout)
    tested = bootstrap(checkout, "--test")  # what scripts/test.sh does: only the test dependencies are new
    assert "installed the test dependencies" in tested.stdout and "Newswatch and" not in tested.stdout
    assert all("requirements-test.txt" in call for call in pip_calls(checkout))
    again = bootstrap(checkout)  # scripts/run.sh after scripts/test.sh
    assert again.returncode == 0 and pip_calls(checkout) == []
    assert re.search(r"bootstrap: nothing needed installing \(checked in \d+\.\d s\)", again.stdout)
    (checkout / "requirements.txt").write_text((checkout / "requirements.txt").read_text() + "\n# changed\n")
    assert "installed Newswatch" in bootstrap(checkout).stdout and pip_calls(checkout)


@pytest.mark.slow
def test_a_moved_checkout_gets_a_virtualenv_of_its_own_once(checkout, tmp_path):
    """A moved or copied checkout kept its .venv, whose scripts' #! lines and editable install named the old folder
    ("bad interpreter", or the copy running the original's code), while the stamp said everything was installed."""
    assert bootstrap(checkout).returncode == 0
    assert venvs_made(checkout) == [] and pip_calls(checkout)
    moved = checkout.rename(tmp_path / "moved")
    first = bootstrap(moved)
    assert first.returncode == 0, first.stderr
    assert venvs_made(moved) == [str(moved.resolve())] and "installed Newswatch and its dependencies" in first.stdout
    assert any("-e ." in call for call in pip_calls(moved))  # the editable install, in the new place
    again = bootstrap(moved)
    assert again.returncode == 0 and venvs_made(moved) == [] and pip_calls(moved) == []
    assert "bootstrap: nothing needed installing" in again.stdout


@pytest.mark.slow
def test_a_second_run_starts_polling_within_15_seconds(checkout, es_url, prefix, tmp_path):
    assert bootstrap(checkout).returncode == 0
    state = tmp_path / "state"
    state.mkdir()
    (state / "es.json").write_text(json.dumps({"url": es_url, "pid": None}))  # the node of the first run, still up
    env = {**os.environ, "NEWSWATCH_STATE_DIR": str(state), "NEWSWATCH_INDEX_PREFIX": prefix}
    env.pop("NEWSWATCH_ES_URL", None)
    begun = time.monotonic()
    run = subprocess.Popen([str(checkout / "scripts" / "run.sh"), "--source", "replay"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    try:
        assert run.stdout is not None
        for line in run.stdout:
            lines.append(line)
            if line.startswith("polling "):
                break
    finally:
        run.kill()
        run.wait()
    waited = time.monotonic() - begun
    assert any(line.startswith("bootstrap: nothing needed installing") for line in lines), lines
    assert any(line.startswith(f"Elasticsearch: {es_url}") for line in lines), lines
    printed = float(re.match(r"polling ([\d.]+) s after scripts/run.sh started", lines[-1]).group(1))
    assert printed < 15 and waited < 15, (printed, waited)
