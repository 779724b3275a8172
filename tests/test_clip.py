"""What analysts read is cut between words (at a sentence end where one is near) with its quotation marks paired."""

from __future__ import annotations

import json
import re

from pipeline.text import balanced, clip


def test_the_issue_examples():
    quote = ("’s the lowest number recorded since the agreement took effect, officials said as irregular border "
             "crossings continued to fall")
    assert clip(quote, 90) == "…the lowest number recorded since the agreement took effect, officials said as irregular…"
    french = ("« Depuis l’entrée en vigueur des modifications à l’Entente sur les tiers pays sûrs, le phénomène "
              "migratoire a complètement changé, et nous devons nous adapter")
    assert clip(french, 120).endswith("a… »") and clip(french, 120).count("«") == clip(french, 120).count("»")
    assert clip("Il a dit. « Non » et puis il est parti très vite de la salle où tout le monde attendait", 40) \
        == "Il a dit. « Non » et puis il est parti…"
    assert balanced("texte »") == "« texte »" and balanced("“open") == "“open”" and balanced('a "b') == 'a "b"'


def test_every_annotated_quote_clipped_ends_on_a_word_with_paired_marks(shared_data):
    quotes = [q["quote"] for name in ("ggt-dev.jsonl", "quotes-fr-dev.jsonl")
              for line in (shared_data / name).read_text().splitlines() for q in json.loads(line)["quotes"]]
    assert len(quotes) > 300
    cut = 0
    for quote in quotes:
        for limit in (60, 120, 200):
            shown = clip(quote, limit)
            words = set(re.findall(r"\w+", " ".join(quote.split())))
            body = shown.removeprefix("…").removesuffix("…").strip(" «»“”\"")
            assert len(shown) <= limit + 6, (quote, shown)
            last = re.findall(r"\w+", body)[-1:] if body else []
            assert all(w in words for w in last), (quote, shown)  # the last word is a whole word of the quote
            for opening, closing in (("«", "»"), ("“", "”")):
                assert shown.count(opening) == shown.count(closing), shown
            assert shown.count('"') % 2 == 0, shown
            cut += shown.endswith("…")
    assert cut > 100  # long quotes were cut, and each cut is checked above
