"""Operations: feed health, the health page, operator alerts, Kibana objects, links and search.

Hands on reports and pages for the people running Newswatch; nothing in the pipeline imports it.
"""

from pipeline import lazy_exports

_PUBLIC = {"feed_health": "feed_health", "create_app": "health_app", "saved_objects": "kibana", "search_stories": "search", "with_store": "tasks"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
