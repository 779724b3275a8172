"""Match stories against the analysts' topic rules and keep the evidence: which rule, which terms, where.

Rules live in `config/topics.yaml` (see `pipeline.config` for the schema). A term is a word or a
phrase; `*` at the end of a word matches any ending (`deport*` → deported, deportation). Matching is
case- and accent-insensitive and treats ’ and ' alike, so `demandeurs d'asile` finds
« demandeurs d’asile »; only a term written in capitals (an acronym: ICE, UNHCR) needs the same capitals.
It runs on title and description before any page fetch, so it is kept cheap: one tokenisation per text,
dictionary look-ups per term.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.config import Exclusion, LanguageRules, LongText, Topic
from pipeline.text import fold, in_capitals, term_words
from pipeline.topics.signals import signals

if TYPE_CHECKING:
    from pipeline.topics.relevance import RelevanceModel

_TOKEN = re.compile(r"\w+", re.UNICODE)
_HYPHENS = "-\u2010\u2011"
_HYPHEN = re.compile(f"[{_HYPHENS}]")


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: `term` as written in the rule, `text` as found, char offsets in the input."""

    rule: str
    term: str
    text: str
    start: int
    end: int


@dataclass
class TopicMatch:
    topic: str
    hits: list[Hit] = field(default_factory=list)
    score: float | None = None  # the relevance model's probability, where the topic has a model

    @property
    def terms(self) -> list[str]:
        """Distinct matched words, strongest rule first, then in reading order."""
        order = {"any": 0, "all": 1, "near": 2, "context": 3}
        ranked = sorted(self.hits, key=lambda h: (order.get(h.rule, 9), h.start))
        return list(dict.fromkeys(h.text.lower() for h in ranked))



@dataclass
class Tokens:
    """A text cut into folded words, with an index from word to positions."""

    text: str
    words: list[str]
    spans: list[tuple[int, int]]
    index: dict[str, list[int]]
    vocabulary: list[str] = field(default_factory=list)  # sorted distinct words, for prefix look-ups
    found: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # term → ranges, computed once
    starts: dict[str, list[int]] = field(default_factory=dict)  # term → sorted first positions, computed once
    exclusions: dict[int, Any] = field(default_factory=dict)  # id(exclusion) → its phrases present here
    joined: frozenset[int] = frozenset()  # positions i where word i and word i + 1 are one hyphenated word

    @classmethod
    def of(cls, text: str) -> Tokens:
        # the folded text's offsets are the text's own only where every character folds to one: comparing lengths
        # let "main-d’œuvre expulsée" decomposed through (œ → oe adds one, the accent drops one), its hits one off
        if text.isascii() or all(len(_fold_char(c)) == 1 for c in set(text) if not c.isascii()):
            matches = [(m.group(), m.span()) for m in _TOKEN.finditer(fold(text))]
        else:
            matches = _mapped_words(text)
        words = [w for w, _ in matches]
        spans = [s for _, s in matches]
        index: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            index.setdefault(word, []).append(i)
        joined = frozenset(i for i, ((_, end), (start, _)) in enumerate(zip(spans, spans[1:], strict=False))
                           if start - end == 1 and text[end] in _HYPHENS) if _HYPHEN.search(text) else frozenset()
        return cls(text, words, spans, index, sorted(index), joined=joined)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


def _mapped_words(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Folded words with their offsets in `text`, for a text whose folding changes its length. Cutting the raw text
    into words split a decomposed "Québec" at its combining accent ("Québec : des réfugiés arrivent" sent decomposed
    matched nothing) and "Asylum" at a soft hyphen inside it; each folded character here remembers the one it came
    from."""
    pieces, origin = [], []
    for i, char in enumerate(text):
        piece = _fold_char(char)
        pieces.append(piece)
        origin += [i] * len(piece)
    folded = "".join(pieces)
    return [(m.group(), (origin[m.start()], origin[m.end() - 1] + 1)) for m in _TOKEN.finditer(folded)]


@lru_cache(maxsize=4096)
def _compile(term: str) -> tuple[tuple[str, bool], ...]:
    """A term becomes a sequence of (word, is_prefix); `*` after a word makes it a prefix."""
    return term_words(term)


_in_capitals = lru_cache(maxsize=4096)(in_capitals)


def _word_positions(tokens: Tokens, word: str, prefix: bool) -> list[int]:
    if not prefix:
        return tokens.index.get(word, [])
    found: list[int] = []
    vocabulary = tokens.vocabulary
    i = bisect_left(vocabulary, word)
    while i < len(vocabulary) and vocabulary[i].startswith(word):
        found.extend(tokens.index[vocabulary[i]])
        i += 1
    return found


def find_term(tokens: Tokens, term: str) -> list[tuple[int, int]]:
    """Word ranges [first, last] where `term` occurs (remembered per text: rules share terms)."""
    cached = tokens.found.get(term)
    if cached is None:
        cached = tokens.found[term] = _find_term(tokens, term)
    return cached


def _find_term(tokens: Tokens, term: str) -> list[tuple[int, int]]:
    parts = _compile(term)
    if not parts:
        return []
    first, prefix = parts[0]
    capitals = _in_capitals(term)
    ranges = []
    for pos in _word_positions(tokens, first, prefix):
        end = pos + len(parts) - 1
        if end >= len(tokens.words):
            continue
        ok = all(
            tokens.words[pos + k].startswith(w) if p else tokens.words[pos + k] == w
            for k, (w, p) in enumerate(parts[1:], start=1)
        )
        if ok and (not capitals or _written_in_capitals(tokens, pos, parts)):
            ranges.append((pos, end))
    return ranges


def _written_in_capitals(tokens: Tokens, first: int, parts: tuple[tuple[str, bool], ...]) -> bool:
    """Whether the words at `first` are in capitals as the acronym term is ("ICE", not "ice"; a prefix's ending
    may be lower case)."""
    for k, (word, prefix) in enumerate(parts):
        start, end = tokens.spans[first + k]
        written = tokens.text[start:end]
        if any(c.islower() for c in (written[:len(word)] if prefix else written)):
            return False
    return True


def _hit(tokens: Tokens, rule: str, term: str, first: int, last: int) -> Hit:
    start, end = tokens.spans[first][0], tokens.spans[last][1]
    return Hit(rule, term, tokens.text[start:end], start, end)


def starts(tokens: Tokens, term: str) -> list[int]:
    """Sorted first-word positions of `term` (remembered per text), for range look-ups by bisection."""
    cached = tokens.starts.get(term)
    if cached is None:
        cached = tokens.starts[term] = sorted(a for a, _ in find_term(tokens, term))
    return cached


def _any_start_in(tokens: Tokens, term: str, low: int, high: int) -> int | None:
    """A position of `term` starting in [low, high], or None: one bisection, not a scan of every occurrence."""
    positions = starts(tokens, term)
    i = bisect_left(positions, low)
    return positions[i] if i < len(positions) and positions[i] <= high else None


def _present(tokens: Tokens, ex: Exclusion) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    """The exclusion's phrases and neighbours that occur in this text, with their word counts (remembered
    per text): most texts contain none, so most hits check nothing."""
    cached = tokens.exclusions.get(id(ex))
    if cached is None:
        phrases = tuple((p, len(_compile(p))) for p in ex.phrases if _compile(p) and starts(tokens, p))
        near = tuple((n, len(_compile(n))) for n in ex.near if _compile(n) and starts(tokens, n))
        cached = tokens.exclusions[id(ex)] = (phrases, near)
    return cached


def _excluded(tokens: Tokens, hit_range: tuple[int, int], term: str, exclusions: list[Exclusion]) -> bool:
    """Whether an exclusion covers or is near the hit; each check is a bisection, so matching stays linear."""
    first, last = hit_range
    for ex in exclusions:
        if ex.drops and term.casefold() not in (d.casefold() for d in ex.drops):  # case ignored, as in matching
            continue
        phrases, nears = _present(tokens, ex)
        for phrase, length in phrases:
            if _any_start_in(tokens, phrase, first - length + 1, last) is not None:
                return True  # a phrase occurrence [a, a + length - 1] overlaps the hit
        for near, length in nears:
            if _any_start_in(tokens, near, first - ex.within, first + ex.within) is not None:
                return True
            if _any_start_in(tokens, near, last - length + 1 - ex.within, last - length + 1 + ex.within) is not None:
                return True
    return False


def _nearest_partner(partners: list[tuple[str, list[tuple[int, int]], list[int]]], hit: tuple[int, int],
                     within: int, joined: frozenset[int]) -> tuple[tuple[int, int], str] | None:
    """The first partner (in rule order) starting within `within` words of the hit, found by bisection.

    A partner in the hit's own hyphenated word does not count: "Cross-border mergers hit record" fired
    `border*` with `cross*`, and a cross-border merger crosses nothing."""
    for term, ranges, positions in partners:
        i = bisect_left(positions, hit[0] - within)
        while i < len(ranges) and positions[i] <= hit[0] + within:
            if ranges[i] != hit and not (joined and _one_word(joined, hit, ranges[i])):
                return ranges[i], term
            i += 1
    return None


def _one_word(joined: frozenset[int], one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two word ranges apart are parts of one hyphenated word: only hyphens between them."""
    low, high = (one[1], other[0]) if one[1] < other[0] else (other[1], one[0])
    return low < high and all(i in joined for i in range(low, high))


@dataclass
class _FirstWords:
    """Every term of a rule set by its first word, so a text only tries the terms it could contain."""

    exact: dict[str, set[str]]
    prefixes: dict[int, dict[str, set[str]]]  # prefix length → prefix → terms


_FIRST_WORDS: dict[int, tuple[LanguageRules, _FirstWords]] = {}


def _first_words(rules: LanguageRules) -> _FirstWords:
    cached = _FIRST_WORDS.get(id(rules))
    if cached and cached[0] is rules:
        return cached[1]
    terms = set(rules.any) | {t for g in rules.all for t in g} | {t for c in rules.context for t in c.terms}
    terms |= {t for p in rules.near for t in (*p.terms, *p.with_)}
    index = _FirstWords({}, {})
    for term in terms:
        parts = _compile(term)
        if not parts:
            continue
        word, prefix = parts[0]
        if prefix:
            index.prefixes.setdefault(len(word), {}).setdefault(word, set()).add(term)
        else:
            index.exact.setdefault(word, set()).add(term)
    _FIRST_WORDS[id(rules)] = (rules, index)
    return index


def _candidate_terms(tokens: Tokens, rules: LanguageRules) -> set[str]:
    index = _first_words(rules)
    found: set[str] = set()
    for word in tokens.vocabulary:
        found |= index.exact.get(word, set())
        for length, table in index.prefixes.items():
            if len(word) >= length:
                found |= table.get(word[:length], set())
    return found


def match_rules(tokens: Tokens, rules: LanguageRules) -> list[Hit]:
    """All evidence for one language's rules, or [] when the rules do not fire."""
    present = _candidate_terms(tokens, rules)
    cache: dict[str, list[tuple[int, int]]] = {}

    def kept(rule: str, term: str) -> list[tuple[int, int]]:
        """The term's ranges not excluded, in reading order (remembered: rules share terms)."""
        if term not in present:
            return []
        if term not in cache:
            cache[term] = sorted(r for r in find_term(tokens, term) if not _excluded(tokens, r, term, rules.exclude))
        return cache[term]

    hits: list[Hit] = []
    for term in rules.any:
        hits += [_hit(tokens, "any", term, a, b) for a, b in kept("any", term)]
    for prox in rules.near:
        term_hits = [(term, kept("near", term)) for term in prox.terms]
        if not any(ranges for _, ranges in term_hits):
            continue
        partners = [(t, ranges, [a for a, _ in ranges]) for t in prox.with_ for ranges in [kept("near", t)]]
        for term, ranges in term_hits:
            for a, b in ranges:
                close = _nearest_partner(partners, (a, b), prox.within, tokens.joined)
                if close:
                    (pa, pb), partner = close
                    hits.append(_hit(tokens, "near", term, a, b))
                    hits.append(_hit(tokens, "near", partner, pa, pb))
    for ctx in rules.context:
        found = {t: kept("context", t) for t in ctx.terms}
        distinct = [t for t, r in found.items() if r]
        if len(distinct) >= ctx.min and _apart(found, ctx.min):
            hits += [_hit(tokens, "context", t, a, b) for t in distinct for a, b in found[t]]
    group_hits: list[Hit] = []
    for group in rules.all:
        found_group = [_hit(tokens, "all", t, a, b) for t in group for a, b in kept("all", t)]
        if not found_group:
            group_hits = []
            break
        group_hits += found_group
    hits += group_hits
    unique = {(h.start, h.end, h.rule): h for h in hits}
    return sorted(unique.values(), key=lambda h: h.start)


def _apart(found: Mapping[str, list[tuple[int, int]]], enough: int) -> bool:
    """Whether `enough` terms each have a hit at a place of the text of its own. Terms that hit the same words are
    one piece of evidence: `frontière*` and `frontieres` both hit "frontières", and a `min: 2` fired on one word.
    Overlapping hits make one place; each term claims a place, a claimed one passed on where its owner has another
    (augmenting paths over a handful of terms)."""
    places: dict[tuple[int, int], int] = {}
    place, reach = -1, -1
    for a, b in sorted({r for ranges in found.values() for r in ranges}):
        if a > reach:  # past every earlier hit: a new place
            place += 1
        places[(a, b)], reach = place, max(reach, b)
    options = {term: sorted({places[r] for r in ranges}) for term, ranges in found.items() if ranges}
    owner: dict[int, str] = {}

    def claim(term: str, tried: set[int]) -> bool:
        for spot in options[term]:
            if spot not in tried:
                tried.add(spot)
                if spot not in owner or claim(owner[spot], tried):
                    owner[spot] = term
                    return True
        return False

    counted = 0
    for term in options:
        counted += claim(term, set())
        if counted >= enough:
            return True
    return False


def _enough_for_length(tokens: Tokens, hits: list[Hit], long_text: LongText) -> bool:
    if len(tokens.words) <= long_text.words:
        return True
    lead_end = tokens.spans[long_text.lead_words - 1][1]
    return len(hits) >= long_text.min_hits or any(h.start < lead_end for h in hits)


def match_topics(text: str, topics: list[Topic], language: str = "en",
                 models: Mapping[str, RelevanceModel] | None = None) -> list[TopicMatch]:
    """The topics whose rules for `language` fire on `text` (rules of the other language are not used).

    With a topic's relevance model (`models`), its policy decides: the rules' verdict can be vetoed by
    a low score, and an item the rules miss kept on a high one; the match carries the score.
    """
    tokens = Tokens.of(text)
    matches = []
    for topic in topics:
        rules = topic.languages.get(language)  # type: ignore[call-overload]
        if rules is None:
            continue
        hits = match_rules(tokens, rules)
        fire = bool(hits) and _enough_for_length(tokens, hits, topic.long_text)
        model = (models or {}).get(topic.name)
        if model is None or language not in model.languages:
            if fire:
                matches.append(TopicMatch(topic.name, hits))
            continue
        if not fire and model.rescue > 1.0:
            continue  # the model never rescues: an item the rules miss needs no score
        score = model.score(text, item_signals(tokens, hits, model.frames) if model.signals else ())
        if model.decides(fire, score, [h.term for h in hits if h.rule == "any"]):  # a term added since: no veto
            matches.append(TopicMatch(topic.name, hits if fire else [], round(score, 4)))
    return matches


def item_signals(tokens: Tokens, hits: list[Hit], frames: Mapping[str, list[str]]) -> list[str]:
    """The relevance model's structural features for a text already matched (`pipeline.topics.signals`)."""
    return signals(tokens.text, hits, frames,
                   lambda term: [tokens.spans[a][0] for a, _ in find_term(tokens, term)])
