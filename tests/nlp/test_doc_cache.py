"""The text and tokens read once per doc: the same as spaCy's, and dropped once the analysis is done."""

from pipeline.nlp.analyze import analyze_stream, load_model
from pipeline.nlp.doc_cache import doc_text, doc_tokens, forget

TEXT = "Refugees crossed near Lacolle, Que., on Monday.\n\nStory continues below advertisement\n\n“We wait,” she said."


def test_text_and_tokens_are_spacys_and_built_once():
    doc = load_model("en")(TEXT)
    assert doc_text(doc) == doc.text == TEXT
    assert [t.i for t in doc_tokens(doc)] == list(range(len(doc)))
    assert [t.text for t in doc_tokens(doc)] == [t.text for t in doc]
    assert doc_tokens(doc) is doc_tokens(doc)  # kept, not rebuilt
    forget(doc)
    assert not doc.user_data


def test_analysis_leaves_nothing_on_the_doc():
    docs = []
    nlp = load_model("en")
    original = nlp.pipe

    def keep(*args, **kwargs):  # the docs the analysis read, to look at them after it
        for item in original(*args, **kwargs):
            docs.append(item[0] if isinstance(item, tuple) else item)
            yield item

    nlp.pipe = keep
    try:
        [(_, analysis)] = list(analyze_stream([(TEXT, None)]))
    finally:
        del nlp.pipe
    assert analysis.quotes and "We wait" in analysis.quotes[0].quote
    assert docs and not docs[0].user_data  # no token list left holding the doc in a cycle


def test_the_text_a_doc_is_made_from_is_its_text():
    """`analyze_stream` keeps the input as the doc's text (know_text): spaCy must lose no character of it."""
    odd = "Two  spaces,\ttab,\r\nCRLF, a non-breaking\u00a0space, “curly” quotes, an emoji 🙂 and a trailing space "
    assert load_model("en")(odd).text == odd


def test_a_failing_extractor_leaves_nothing_on_the_doc(monkeypatch):
    import pipeline.nlp.analyze as analyze

    docs = []

    def fails(doc, language):
        doc_tokens(doc)  # the cache is built, as the real extractors build it
        docs.append(doc)
        raise RuntimeError("an extractor failed")

    monkeypatch.setattr(analyze, "extract_entities", fails)
    try:
        list(analyze_stream([(TEXT, None)]))
    except RuntimeError:
        pass
    assert docs and not docs[0].user_data  # serialisable again: to_bytes() refuses a token list in user_data
    docs[0].to_bytes()
