"""Language identification for the `extract` contract's missing `lang`: function-word counting against py3langid.

Every labelled text of ../shared/data (articles/ with their `lang`, the French quote set, the English GGT,
BBC/CNN and Guardian sets) is scored whole and as its first 60 characters (a title's length), with
accuracy and time per text. Run: .venv/bin/python scripts/eval_language.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def labelled() -> list[tuple[str, str]]:
    rows = [(a["text"], a["lang"]) for a in (json.loads(p.read_text()) for p in sorted((DATA / "articles").glob("*.json")))
            if a.get("lang") in ("en", "fr") and a.get("text")]
    for name, lang in (("quotes-fr-dev.jsonl", "fr"), ("ggt-dev.jsonl", "en")):
        rows += [(json.loads(line)["text"], lang) for line in (DATA / name).read_text().splitlines() if line.strip()]
    for name in ("topics-dev.jsonl", "topics-guardian-dev.jsonl"):
        for line in (DATA / name).read_text().splitlines():
            item = json.loads(line)
            rows.append((f"{item.get('title') or ''}. {item.get('description') or item.get('summary') or ''}", "en"))
    return rows


def main() -> None:
    import py3langid

    from pipeline.nlp.language import guess_language

    identifier = py3langid.langid.LanguageIdentifier.from_modelpath(py3langid.langid.MODEL_DIR / py3langid.langid.MODEL_FILE)
    identifier.set_languages(["en", "fr"])
    methods = {"function words (baseline)": lambda t: function_words(t),
               "py3langid (en, fr)": lambda t: identifier.classify(t)[0],
               "pipeline.nlp.language.guess_language": guess_language}
    rows = labelled()
    print(f"{len(rows)} labelled texts ({sum(lang == 'fr' for _, lang in rows)} French)")
    for cut, label in ((None, "whole text"), (60, "first 60 characters")):
        for name, method in methods.items():
            began = time.perf_counter()
            right = sum(method(text[:cut] if cut else text) == lang for text, lang in rows)
            spent = (time.perf_counter() - began) / len(rows) * 1000
            wrong_fr = sum(method(text[:cut] if cut else text) != lang for text, lang in rows if lang == "fr")
            print(f"  {label:<20} {name:<38} accuracy {right / len(rows):.4f} ({len(rows) - right} wrong, "
                  f"{wrong_fr} of them French)  {spent:.3f} ms/text")


def function_words(text: str) -> str:
    """The earlier rule: more French than English function words among the first 400 words."""
    words = text.lower().split()[:400]
    fr = sum(w in {"le", "la", "les", "des", "est", "une", "dans", "pour", "qui", "sur", "du", "au", "et"} for w in words)
    en = sum(w in {"the", "of", "and", "to", "is", "in", "that", "for", "was", "on", "with", "said"} for w in words)
    return "fr" if fr > en else "en"


if __name__ == "__main__":
    main()
