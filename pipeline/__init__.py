"""Newswatch: RSS/Atom feeds → topics → entities and quotes → Elasticsearch → alerts.

The stages, in the order they import one another: base modules at this root (settings, errors, config,
text, timing, redact, bounds), then `local` (development only), `store`, `topics`, `ingest`, `nlp`,
`events`, `alerts`, `ops` and `cli`. A stage imports only base modules and earlier stages.

Each stage package names its public face in `__all__`; the names are imported on first use
(`lazy_exports`), so `import pipeline.nlp` does not load spaCy and the DAG files parse fast.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_exports(package: str, public: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports each public name from its module (`name → module`) when first used."""

    def getattr_(name: str) -> object:
        if name in public:
            return getattr(import_module(f"{package}.{public[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return getattr_

