"""Which language a text is in (English or French), for texts that arrive without one (the `extract` contract).

py3langid (langid.py's naive Bayes over byte n-grams, restricted to the two languages Newswatch
analyses) rather than counting function words: it is as right on whole articles and right far more
often on a title's worth of text (scripts/eval_language.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

LANGUAGES = ["en", "fr"]


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)
    identifier.set_languages(LANGUAGES)
    return identifier


def guess_language(text: str) -> str:
    """"en" or "fr", whichever the text more likely is; English for a text with no letters."""
    if not any(c.isalpha() for c in text):
        return "en"
    return str(_identifier().classify(text)[0])
