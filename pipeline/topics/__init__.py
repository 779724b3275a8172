"""Topic matching: the analysts' rules, the relevance model beside them, training and evaluation.

Hands on `match_topics` and `TopicMatch` (in `rules`) to ingest, which matches items as it parses them.
It comes before ingest in the stage order for that reason.
"""

from pipeline import lazy_exports

_PUBLIC = {"match_topics": "rules", "TopicMatch": "rules", "load_relevance": "relevance", "RelevanceModel": "relevance"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
