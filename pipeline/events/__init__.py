"""What is happening: kept stories grouped into events and storylines, and surges of coverage.

Hands on `track_events` (`live`): after each enrichment run, the enriched stories get their `event_id`
(one happening, a few days) and `storyline_id` (weeks), the event, storyline and surge documents are
updated, and surges are raised when a series (the topic, an event, a storyline, a person, organisation
or place) gets far more distinct stories than its own history leads one to expect. `Monitor`
(`monitor`) does the placing, on plain dataclasses; the offline contract `newswatch events|surges
--input` drives the same `Monitor` over a stream file.
"""

from pipeline import lazy_exports

_PUBLIC = {"Monitor": "monitor", "track_events": "live", "EventReport": "live"}
__all__ = sorted(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
