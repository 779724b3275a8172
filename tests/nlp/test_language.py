"""A text without a language gets the right one, down to a title's length (see scripts/eval_language.py)."""

from __future__ import annotations

import json

from pipeline.nlp.language import guess_language


def test_french_and_english_titles_and_articles(shared_data):
    articles = [json.loads(p.read_text()) for p in sorted((shared_data / "articles").glob("*.json"))]
    labelled = [(a["text"], a["lang"]) for a in articles if a.get("lang") in ("en", "fr") and a.get("text")]
    labelled += [(json.loads(line)["text"], "fr") for line in (shared_data / "quotes-fr-dev.jsonl").read_text().splitlines()]
    assert sum(lang == "fr" for _, lang in labelled) >= 15
    for text, lang in labelled:
        assert guess_language(text) == lang
        assert guess_language(text[:60]) == lang, text[:60]  # where counting function words failed 4 of 18 French
    assert guess_language("") == "en" and guess_language("2024 — 12") == "en"
