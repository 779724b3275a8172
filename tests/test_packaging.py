"""`pip install .` gets what the code needs: pyproject's dependencies are requirements.txt's names, each pin inside its range."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from pipeline.settings import PROJECT_ROOT


def test_declared_dependencies_match_the_lock():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(d) for d in project["dependencies"]
                + [d for extra in project["optional-dependencies"].values() for d in extra]]
    pins = {}
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            pinned = Requirement(line)
            pins[re.sub(r"[-_.]+", "-", pinned.name.lower())] = str(pinned.specifier).removeprefix("==")
    names = {re.sub(r"[-_.]+", "-", r.name.lower()): r for r in declared}
    assert set(names) == set(pins), set(names) ^ set(pins)
    for name, requirement in names.items():
        assert requirement.specifier.contains(pins[name]), (name, str(requirement.specifier), pins[name])
    assert "apache-airflow" not in {re.sub(r"[-_.]+", "-", Requirement(d).name.lower()) for d in project["dependencies"]}
