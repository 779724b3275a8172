"""What is happening: kept stories grouped into events and storylines, and surges of coverage.

Hands on `Monitor` (`monitor`): one call per batch of polled items places each kept story in an
event (one happening, a few days) and a storyline (weeks), and raises surges when a series (the
topic, an event, a storyline, a person, organisation or place) gets far more distinct stories than
its own history leads one to expect. Plain dataclasses with `to_dict`/`from_dict`, no store: the
state is meant to live as documents in Elasticsearch between batches (not built yet: today the
offline contract `newswatch events|surges --input` drives it).
"""
