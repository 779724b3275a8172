import json

import numpy as np

from pipeline.events.monitor import Monitor


def monitor():
    return Monitor(matcher=lambda item: [], nlp=None)


def outcome(stories, topics, batch):
    m = monitor()
    placed = []
    for lo in range(0, len(stories), batch):
        placed += m.process_stories(stories[lo:lo + batch], topics)
    return ([(p.id, p.event, p.storyline) for p in placed],
            [json.dumps(s.to_dict(), sort_keys=True) for s in m.surges()])


def test_the_burst_raises_a_surge(stream):
    stories, topics = stream
    _, surges = outcome(stories, topics, len(stories))
    about = [json.loads(s) for s in surges if "zorland" in (json.loads(s)["label"] + json.loads(s)["key"]).lower()]
    assert len(about) == 1
    assert len([s for s in surges if json.loads(s)["start"] >= "2023-05-16"]) == 1  # one alert for one happening


def test_batches_of_any_size_give_the_same_result(stream):
    stories, topics = stream
    whole = outcome(stories, topics, len(stories))
    for batch in (1, 13, 200):
        assert outcome(stories, topics, batch) == whole


def test_no_look_ahead(stream):
    """What is said about the first N items does not change when later items are appended."""
    stories, topics = stream
    full_groups, full_surges = outcome(stories, topics, 50)
    for n in (len(stories) // 3, len(stories) * 3 // 4, len(stories) - 5):
        groups, surges = outcome(stories[:n], topics, 50)
        assert groups == full_groups[:len(groups)]
        cut = stories[n - 1].published.isoformat()
        assert raised_by(surges, cut) == raised_by(full_surges, cut)


def raised_by(surges, cut):
    """(key, start) of the surges raised up to `cut`."""
    return [(json.loads(s)["key"], json.loads(s)["start"]) for s in surges if json.loads(s)["start"] <= cut]


def test_an_encoder_embeds_the_kept_stories_only():
    class Stub:
        def __init__(self):
            self.seen = []

        def encode(self, texts):
            self.seen += texts
            return np.tile(np.array([1.0, 0.0], dtype=np.float32), (len(texts), 1))

    stub = Stub()
    m = Monitor(matcher=lambda item: ["asylum"] if "Asylum" in item["title"] else [], nlp=FakeNlp(), encoder=stub)
    items = [{"id": "a", "published": "2023-05-01T10:00:00+00:00", "title": "Asylum deal signed", "summary": "Today."},
             {"id": "b", "published": "2023-05-01T11:00:00+00:00", "title": "Cup final tonight", "summary": ""}]
    placed = m.process(items)
    assert [p.id for p in placed] == ["a"] and stub.seen == ["Asylum deal signed. Today."]
    assert m.groups.events[placed[0].event].embedding == [1.0, 0.0]


class FakeNlp:
    def pipe(self, texts, batch_size=64):
        return [type("Doc", (), {"ents": []})() for _ in texts]
