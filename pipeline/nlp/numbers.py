"""Number expressions in English and French text: digits, words and vague amounts, with their qualifier.

"53", "fifty-three", "more than 1,000", "5 millions", "one and a half million", "1m", "des centaines",
"tens of thousands", "une centaine", "quatre-vingt-dix": each becomes an `Amount` (character span, value or
None for a vague amount, qualifier). Hands on `find_amounts(text, language)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
            "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
            "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1}
FR_UNITS = {"zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
            "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
            "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "cent": 100, "cents": 100,
          "mille": 1000, "millions": 10**6, "milliard": 10**9, "milliards": 10**9, "m": 10**6, "bn": 10**9,
          "k": 1000}
VAGUE = {"dozens": "dozens", "scores": "scores", "hundreds": "hundreds", "thousands": "thousands",
         "millions": "millions", "tens of thousands": "tens of thousands",
         "hundreds of thousands": "hundreds of thousands", "dizaines": "des dizaines", "centaines": "des centaines",
         "milliers": "des milliers", "dizaines de milliers": "des dizaines de milliers",
         "centaines de milliers": "des centaines de milliers"}
APPROX = {"dozen": 12, "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
          "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000}
QUALIFIERS = ["more than", "over", "at least", "about", "around", "some", "nearly", "almost", "up to", "as many as",
              "fewer than", "less than", "roughly", "approximately", "an estimated", "close to", "upwards of",
              "plus de", "au moins", "environ", "près de", "quelque", "quelques", "jusqu'à", "moins de", "presque",
              "pas moins de", "quelque", "approximativement", "autour de", "un peu plus de"]

_WORDS_EN = "|".join(sorted((w for w in EN_UNITS if w not in ("a", "an")), key=len, reverse=True))
_WORDS_FR = "|".join(sorted(FR_UNITS, key=len, reverse=True))
_SCALE = r"(?:hundred|thousand|million|billion|mille|millions?|milliards?|cents?)"
_DIGITS = r"\d{1,3}(?:(?:,|\u202f|\u00a0| (?=\d{3}\b))\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_W = rf"(?:{_WORDS_EN}|{_WORDS_FR}|{_SCALE})"
_WORDNUM = (rf"(?:(?:a|an|half(?:\s+a)?)\s+)?{_W}"  # "two hundred and fifty thousand", "vingt-et-un", "soixante et onze"
            rf"(?:(?:\s+and\s+a\s+half\s+|(?<=hundred)\s+and\s+(?=(?:{_WORDS_EN})\b(?![\s-]+hundred\b))"
            rf"|(?<=thousand)\s+and\s+(?=(?:{_WORDS_EN})\b(?![\s-]+(?:hundred|thousand)\b))"
            rf"|(?:(?<=vingt)|(?<=trente)|(?<=quarante)|(?<=cinquante)|(?<=soixante))[\s-]+et[\s-]+(?=(?:une?|onze)\b)"
            rf"|[\s-]+){_W})*(?:\s+and\s+a\s+half)?\b")  # not "between one hundred and two hundred", "cinq et onze"
_QUAL = "|".join(re.escape(q) for q in sorted(set(QUALIFIERS), key=len, reverse=True))
# Every expression starts a word: trying the alternatives only there, not at each letter, is 2.5× faster and
# no longer reads "a dozen" into "Canada dozen" or "de hundreds" into "made hundreds".
_EXPR = re.compile(
    rf"(?<!\w)(?=\w)(?:(?P<qual>{_QUAL})\s+)?(?:"
    rf"(?P<vague>(?:des|plusieurs|de)?\s*(?:tens of thousands|hundreds of thousands|dozens|scores|hundreds|thousands|millions"
    rf"|dizaines de milliers|centaines de milliers|dizaines|centaines|milliers)\b)"
    rf"|(?:une?\s+|an?\s+)?(?P<approx>{'|'.join(APPROX)})\b"
    rf"|(?P<digits>(?<![\w.,])(?:{_DIGITS}))(?:\s?(?P<dscale>million|millions|billion|milliards?|thousand|mille|m|bn|k)\b)?"
    rf"|(?P<words>\b{_WORDNUM}))",
    re.IGNORECASE)


@dataclass
class Amount:
    start: int
    end: int
    text: str
    value: float | None
    qualifier: str | None


def word_value(words: str) -> float | None:
    """"fifty-three" → 53, "one and a half million" → 1,500,000, "quatre-vingt-dix" → 90, "deux mille" → 2000."""
    parts = [w for w in re.split(r"[\s-]+", words.lower()) if w and w not in ("and", "et")]
    if parts[-3:] == ["a", "half"] or parts[-2:] == ["a", "half"]:  # "a million and a half"
        rest = word_value(" ".join(parts[:-2]))
        scale = max((SCALES[w] for w in parts[:-2] if w in SCALES), default=1)
        return rest + scale / 2 if rest else None
    if parts[:1] == ["half"]:  # "half a million"
        rest = word_value(" ".join(parts[1:]))
        return rest / 2 if rest else None
    total, current, half, article = 0.0, 0.0, False, False
    for w in parts:
        if w == "half":
            half = True
            continue
        if w in ("a", "an"):
            current, article = current or 1, not current  # one only before a scale: "a hundred", not "a six"
            continue
        if article and (w in EN_UNITS or w in FR_UNITS):
            current = 0.0
        article = False
        if w in ("vingt", "vingts") and current == 4:  # quatre-vingt(s)
            current = 80
            continue
        if w in EN_UNITS:
            current += EN_UNITS[w]
        elif w in FR_UNITS:
            current += FR_UNITS[w]
        elif w in SCALES:
            scale = SCALES[w]
            current = (current or 1) + (0.5 if half else 0.0)
            half = False
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        else:
            return None
    value = total + current
    if half and value:
        value += 0.5
    return value or None


def digits_value(digits: str, scale: str | None, language: str) -> float | None:
    d = digits.replace("\u202f", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?", d):
        d = d.replace(",", "").replace(" ", "")
    elif "," in d:
        d = d.replace(",", ".")  # "4,5 millions"
    try:
        value = float(d)
    except ValueError:
        return None
    if scale:
        value *= SCALES.get(scale.lower(), 1)
    return value


def find_amounts(text: str, language: str = "en") -> list[Amount]:
    """Every number expression in the text, with its qualifier ("more than") where one stands before it."""
    out = []
    for m in _EXPR.finditer(text):
        value: float | None = None
        qualifier = m.group("qual").lower() if m.group("qual") else None
        if m.group("vague"):
            key = re.sub(r"^(?:des|plusieurs|de)\s+", "", m.group("vague").strip().lower())
            qualifier = VAGUE.get(key, key)
            if m.group("qual"):
                continue  # "more than thousands": not a count
        elif m.group("approx"):
            word = m.group("approx").lower()  # "a dozen" is twelve; "une douzaine" about twelve
            value, qualifier = APPROX[word], qualifier or (None if word == "dozen" else "about")
            if text[max(0, m.start() - 5): m.start()].lower() == "half ":
                value /= 2  # "half a dozen"
        elif m.group("digits"):
            if not m.group("dscale") and text[m.end(): m.end() + 1].isalpha():
                continue  # a measure with its unit glued on: "222kph", "5km", "10am"
            value = digits_value(m.group("digits"), m.group("dscale"), language)
        else:
            words = m.group("words").strip()
            if words.lower() in SCALES or words.lower() in ("a", "an", "half", "un", "une"):
                continue  # a lone "cent", "m", "un": not a number here
            value = word_value(words)
        if value is None and not m.group("vague"):
            continue
        start = m.start("qual") if m.group("qual") else m.start() + (len(m.group()) - len(m.group().lstrip()))
        out.append(Amount(start, m.end(), text[start:m.end()],
                          int(value) if value is not None and float(value).is_integer() else value, qualifier))
    return _ranges(text, out)


_RANGE_JOIN = re.compile(r"\s*(?:to|-|–|à|or|ou)\s*$|\s+(?:and|et)\s+$", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"(?:between|entre)\s+$", re.IGNORECASE)
# "from 46 to 53", "rose by 12 to 53", "rose 12 to 53", "est passé de 46 à 53": a change, no range
_FROM = re.compile(r"(?:\b(?:from|(?:rise|rose|risen|rises|increased|jumped|climbed|fell|fallen|dropped|grew|up|down)(?:\s+by)?)|"
                   r"\b(?:pass|augment|baiss|grimp|chut)\w*\s+(?:de|d['’]environ))\s+$", re.IGNORECASE)


def _ranges(text: str, amounts: list[Amount]) -> list[Amount]:
    """"20 to 30 protesters", "1,000-1,500 people", "between 50 and 60": one amount, its upper bound "up to" (read
    apart, the top was an exact figure, and a later "about 25" a dispute). Not "from 46 to 53", a change."""
    out: list[Amount] = []
    for amount in amounts:
        low = out[-1] if out else None
        between = text[low.end:amount.start] if low else ""
        joined = low is not None and low.value is not None and amount.value is not None and low.value < amount.value \
            and bool(_RANGE_JOIN.fullmatch(between) or _RANGE_JOIN.search(between) and between.strip() in ("-", "–"))
        opened = _RANGE_OPEN.search(text[max(0, low.start - 9):low.start]) if joined and low is not None else None
        if joined and low is not None and not _FROM.search(text[max(0, low.start - 30):low.start]) and (
                opened or between.strip().lower() not in ("and", "et")):
            start = low.start - len(opened.group()) if opened else low.start
            out[-1] = Amount(start, amount.end, text[start:amount.end], amount.value, "up to")  # "some 200 to 300":
            # its top as an upper bound, whatever stood before it (an "about 300" would dispute "about 250")
        else:
            out.append(amount)
    return out
