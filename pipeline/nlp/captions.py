"""Photo captions left in an article's text: "Benjamin Layne, a retired porter, looks at a display of photos
at Windsor station. ( THE CANADIAN PRESS FILE PHOTO )".

A caption is no part of the story's narration: the person it names is not who the next "he says" means.
Extraction keeps captions (they are often the only words under a picture and carry names an analyst wants),
so coreference is told where they are instead. A caption is the sentence that ends right before a
parenthesised photo credit; a dateline "(AP) —" is no credit, as no sentence ends before it.
"""

from __future__ import annotations

import re

_CREDIT = re.compile(r"(?<=[.!?\"”’)])\s*\(\s*[^()\n]{0,60}?\b(?:photo|photos|press|getty|reuters|ap|afp|cp|images|"
                     r"postmedia|file)\b[^()\n]{0,30}\)", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"”’]?\s+(?=[A-Z“\"])|\n")


def caption_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the captions in `text`, each from its sentence's start to the end of its credit."""
    spans: list[tuple[int, int]] = []
    for credit in _CREDIT.finditer(text):
        head = text[: credit.start()]
        body_end = len(head.rstrip().rstrip(".!?\"”’)"))  # the caption's own final stop is not its start
        starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, body_end)]
        start = max([0, *starts, *(end for _, end in spans if end <= credit.start())])
        spans.append((start, credit.end()))
    return spans
