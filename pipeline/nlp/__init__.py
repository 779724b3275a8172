"""Enrichment: spaCy over stored stories, handing on entities with canonical names and attributed quotes.

Hands on `enrich_stories` (in `enrich`) and `analyze` (in `analyze`).
"""

from pipeline import lazy_exports

_PUBLIC = {"enrich_stories": "enrich", "EnrichReport": "enrich", "analyze": "analyze", "load_model": "analyze"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
