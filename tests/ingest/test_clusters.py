"""Story clusters: MinHash signatures and LSH bands kept in the real node; copies join, other stories do not."""

from datetime import UTC, datetime

from pipeline.ingest.clusters import assign_clusters, signature, similarity
from pipeline.store.documents import Story

WIRE = ("OTTAWA — The federal government says asylum claims at irregular crossings fell by a third this year, "
        "while officials at the border warned that numbers could rise again in the spring as the agreement with "
        "the United States is renegotiated. ") * 6


def story(sid: str, title: str, text: str, outlet: str = "A") -> Story:
    now = datetime.now(UTC)
    return Story(story_id=sid, url=f"http://x/{sid}", canonical_url=f"http://x/{sid}", feed_id="f", outlet=outlet,
                 language="en", country="CA", title=title, text=text, published=now, ingested=now, run_id="r")


def test_a_copy_with_its_own_page_chrome_is_similar_and_another_story_is_not():
    original = signature(f"Claims fall\n{WIRE}")
    copy = signature(f"Claims fall | Wire\nThe Canadian Press\n{WIRE}\nMost read\nRepublished from the wire")
    other = signature("Budget vote\n" + "The city council voted on the transit budget after a long debate. " * 12)
    assert similarity(original.hashvalues, copy.hashvalues) > 0.6
    assert similarity(original.hashvalues, other.hashvalues) < 0.1
    assert set(original.bands) & set(copy.bands) and not set(original.bands) & set(other.bands)


def test_clusters_across_batches_through_the_index(store):
    [first] = assign_clusters(store, [story("s1", "Claims fall", WIRE)])
    assert first.cluster_id == "s1" and len(first.minhash_bands) == 32 + 16
    store.write_stories([first])
    later = assign_clusters(store, [story("s2", "Claims fall", WIRE + " Updated.", "B"),
                                    story("s3", "Budget vote", "The council voted on the budget. " * 30, "C"),
                                    story("s4", "Claims fall (wire)", "The Canadian Press. " + WIRE, "D")])
    by_id = {s.story_id: s.cluster_id for s in later}
    assert by_id == {"s2": "s1", "s3": "s3", "s4": "s1"}


def test_every_copy_at_the_threshold_is_found(store):
    """LSH must not lose a pair the similarity would join: 16 bands of 4 rows missed a third of the pairs at 0.5."""
    import random

    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(5000)]
    batch, pairs = [], []
    for n in range(60):
        words = rng.choices(vocabulary, k=300)
        edited = [w if rng.random() > 0.07 else rng.choice(vocabulary) for w in words]  # Jaccard of 5-grams ≈ 0.55
        batch += [story(f"o{n}", f"original {n}", " ".join(words)), story(f"c{n}", f"copy {n}", " ".join(edited))]
    clustered = {s.story_id: s for s in assign_clusters(store, batch)}
    for n in range(60):
        a, b = clustered[f"o{n}"], clustered[f"c{n}"]
        if similarity(a.minhash, b.minhash) >= 0.5:
            pairs.append(n)
            assert b.cluster_id == a.cluster_id, f"pair {n}: similarity {similarity(a.minhash, b.minhash):.2f}"
    assert len(pairs) >= 20  # the test holds enough pairs at the threshold to mean something


def test_racing_copies_settle_in_one_cluster_even_when_one_also_joined_an_older_story(store):
    """A and B are copies written at once by parallel shards; A is just similar enough to an older story O (so
    joined O's cluster), B just not. Each settling on "the earliest copy similar to me" left A in O's cluster
    and B in its own: two alerts. The oldest cluster around them is one answer for both."""
    import random
    from datetime import timedelta

    from pipeline.ingest.clusters import settled_cluster

    rng = random.Random(0)
    vocabulary = [f"w{n}" for n in range(5000)]
    old = rng.choices(vocabulary, k=300)
    a = [w if rng.random() > 0.06 else rng.choice(vocabulary) for w in old]
    b = [w if rng.random() > 0.01 else rng.choice(vocabulary) for w in a]
    now = datetime.now(UTC)
    docs = {}
    for sid, words, cluster, ago in (("O", old, "O", timedelta(days=1)), ("A", a, "O", timedelta(0)),
                                     ("B", b, "B", timedelta(seconds=1))):
        signed = signature(" ".join(words))
        docs[sid] = story(sid, sid, " ".join(words)).model_copy(update={
            "minhash": signed.hashvalues, "minhash_bands": signed.bands, "cluster_id": cluster,
            "ingested": now - ago})
    assert similarity(docs["A"].minhash, docs["O"].minhash) >= 0.5 > similarity(docs["B"].minhash, docs["O"].minhash)
    assert similarity(docs["A"].minhash, docs["B"].minhash) >= 0.5
    store.write_stories(list(docs.values()))
    store.refresh("stories")
    assert settled_cluster(store, docs["A"]) == settled_cluster(store, docs["B"]) == "O"


def test_a_copy_finds_the_newest_candidates_when_a_busy_window_passes_the_limit(store):
    """A batch's candidates were read oldest first and cut at 2,000: when older stories sharing a band filled
    the limit, the cut fell on the newest, the original a copy belongs with, and the copy started its own
    cluster (an alert of its own)."""
    from datetime import timedelta

    now = datetime.now(UTC)
    [original] = assign_clusters(store, [story("wire", "Claims fall", WIRE)])
    copy = story("copy", "Claims fall | Wire", "The Canadian Press. " + WIRE, "B")
    shared = sorted(set(original.minhash_bands) & set(signature(f"{copy.title}\n{copy.text}").bands))[0]
    store.write("stories", ((f"o{n:04d}", {"story_id": f"o{n:04d}", "minhash": [n] * 64, "minhash_bands": [shared],
                                           "ingested": (now - timedelta(days=2, seconds=n)).isoformat()})
                            for n in range(2000)), chunk=1000).require("older stories")
    store.write_stories([original.model_copy(update={"ingested": now - timedelta(hours=1)})])
    [clustered] = assign_clusters(store, [copy])
    assert clustered.cluster_id == "wire"
