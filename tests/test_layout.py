"""The layout cannot rot: stage packages, a small package root, no huge module or class, no import cycle
(type-only imports included), and no module importing a later stage."""

from __future__ import annotations

import subprocess
import sys

from pipeline.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import layout_report  # noqa: E402

STAGE_PACKAGES = {"store", "topics", "ingest", "nlp", "events", "alerts", "ops", "cli"}


def test_the_layout_meets_its_targets():
    layout = layout_report.scan()
    packages = {name.removeprefix("pipeline.") for name in layout.subpackages}
    assert len(packages & STAGE_PACKAGES) >= 5, packages
    assert len(layout.root_modules) <= 8, layout.root_modules
    assert layout_report.largest_module(layout)[1] <= 450, layout_report.largest_module(layout)
    assert layout_report.largest_class(layout)[1] <= 250, layout_report.largest_class(layout)
    assert layout_report.cycles(layout) == []
    assert layout_report.upward(layout) == []


def test_every_package_says_what_it_hands_on():
    layout = layout_report.scan()
    for name, path in layout.modules.items():
        if path.name == "__init__.py":
            assert path.read_text(encoding="utf-8").lstrip().startswith('"""'), f"{name} has no docstring"


def test_the_report_runs():
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "layout_report.py")], capture_output=True,
                          text=True, check=True)
    assert "import cycles (type-only imports included): 0" in done.stdout
    assert "imports of a later stage: 0" in done.stdout


def test_every_stage_package_names_its_public_face_and_each_name_resolves():
    """`__all__` in each stage package; the names import on first use, so the package itself stays light."""
    import importlib
    import subprocess
    import sys

    for package in ("topics", "ingest", "nlp", "events", "alerts", "ops", "store"):
        module = importlib.import_module(f"pipeline.{package}")
        assert module.__all__, package
        for name in module.__all__:
            assert getattr(module, name) is not None, f"pipeline.{package}.{name}"
    light = subprocess.run([sys.executable, "-c", "import sys, pipeline.nlp, pipeline.events, pipeline.alerts; "
                            "print('spacy' in sys.modules)"], capture_output=True, text=True, check=True)
    assert light.stdout.strip() == "False"


def test_the_enrichment_stage_does_not_import_french_before_a_french_story():
    """A pass imports the enrichment stage before it stores its first story: spaCy's French package imported
    there (it compiles its tokenizer exceptions for about 2 s) delayed every pass's first story, English or not."""
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import sys, pipeline.nlp.enrich, pipeline.events.live; "
                             "print(sorted(m for m in sys.modules if m.startswith('spacy.lang.fr')))"],
                            capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
