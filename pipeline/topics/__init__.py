"""Topic matching: the analysts' rules, the relevance model beside them, training and evaluation.

Hands on `match_topics` and `TopicMatch` (in `rules`) to ingest, which matches items as it parses them.
It comes before ingest in the stage order for that reason.
"""
