"""Where photo captions sit in an article's text (coreference skips them)."""

from pipeline.nlp.captions import caption_spans


def captions(text: str) -> list[str]:
    return [text[a:b] for a, b in caption_spans(text)]


def test_the_sentence_before_a_parenthesised_credit_is_a_caption():
    text = ("The council met on Monday. San Jose handed Edmonton its fifth loss on Saturday. "
            "(Jason Franson/Canadian Press)\n\nThe coach said little.")
    assert captions(text) == ["San Jose handed Edmonton its fifth loss on Saturday. (Jason Franson/Canadian Press)"]


def test_captions_run_together_on_one_line_are_each_their_own():
    text = ("This image shows Rebecca Ferguson in a scene. ( Kerry Brown / AP ) This image shows Patrick Stewart "
            "in a scene. ( Kerry Brown / AP )")
    assert [c.strip() for c in captions(text)] == ["This image shows Rebecca Ferguson in a scene. ( Kerry Brown / AP )",
                                                   "This image shows Patrick Stewart in a scene. ( Kerry Brown / AP )"]


def test_a_dateline_or_an_aside_in_brackets_is_no_caption():
    assert captions("WASHINGTON (AP) — The Senate voted on Friday. It passed (narrowly) at night.") == []
