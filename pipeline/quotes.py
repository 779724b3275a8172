"""Find who said what in a parsed article: direct quotes and reported speech, with their speakers.

Direct quotes are found from the quotation marks (straight, curly, « »), attributed from the
speech verb next to them ("…," Trudeau told reporters; said X in an email; X said: "…"), and
floating quotes inherit the speaker of the quote before them. Reported speech is a speech verb
with a clausal complement ("X said that …") or "according to X, …". Speakers resolve to a
canonical name through the article's people: surnames, pronouns and titles ("the minister").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collections import Counter

from pipeline.entities import TITLES, Entity, PersonNames

SPEECH_VERBS = {
    "say", "tell", "add", "state", "explain", "note", "claim", "argue", "insist", "warn", "write", "tweet",
    "ask", "reply", "respond", "answer", "announce", "acknowledge", "admit", "confirm", "deny", "suggest",
    "hint", "allege", "report", "testify", "predict", "estimate", "conclude", "recall", "continue", "urge",
    "joke", "complain", "emphasize", "emphasise", "stress", "observe", "remark", "caution", "mention",
    "indicate", "declare", "assert", "contend", "maintain", "concede", "promise", "vow", "recommend",
    "describe", "blurt", "chant", "post", "quip", "counter", "lament", "boast", "plead", "demand", "shout",
    "agree", "believe", "think", "point", "begin", "go", "call", "reveal", "find", "show", "tell", "quote",
    # French
    "dire", "déclarer", "affirmer", "expliquer", "ajouter", "indiquer", "souligner", "préciser", "estimer",
    "rappeler", "assurer", "raconter", "confier", "lancer", "soutenir", "admettre", "reconnaître", "écrire",
    "annoncer", "noter", "avancer", "insister", "répondre", "déplorer", "dénoncer", "poursuivre",
}
# Verbs that introduce reported speech only in their plain reporting sense.
REPORT_VERBS = SPEECH_VERBS - {"continue", "go", "begin", "call", "describe", "ask", "chant", "post", "find", "quote",
                                "show", "think", "believe", "agree", "point", "recall", "poursuivre"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "lundi", "mardi",
            "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
PRONOUNS = {"he", "she", "him", "her", "il", "elle"}
OPEN_CLOSE = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c", '"': '"'}
_WORD = re.compile(r"\w+")


@dataclass
class Quote:
    quote: str
    speaker: str
    speaker_canonical: str
    verb: str
    start: int
    end: int
    kind: str  # direct | reported


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of text between quotation marks, marks included, one per paragraph piece.

    A quote left open at a paragraph's end runs to that end (the convention for quotes that go on
    over several paragraphs); the next paragraph's opening mark starts a new piece.
    """
    spans = []
    offset = 0
    for para in text.split("\n"):
        i = 0
        while i < len(para):
            ch = para[i]
            close = OPEN_CLOSE.get(ch)
            if close is None or (ch == '"' and i > 0 and para[i - 1].isalnum()):
                i += 1
                continue
            j = para.find(close, i + 1)
            if ch == "\u201c":  # curly quotes may hold straight or nested ‘ ’; only ” closes
                pass
            if j == -1:
                spans.append((offset + i, offset + len(para.rstrip())))
                break
            spans.append((offset + i, offset + j + 1))
            i = j + 1
        offset += len(para) + 1
    return [(a, b) for a, b in spans if b - a > 2]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)


def _speaker_phrase(subject) -> str:
    """The subject's words, without relative clauses, appositions after a comma, or a heading above."""
    tokens = []
    for tok in subject.subtree:
        if tok.i > subject.i and (tok.text in {",", "(", "—", "–"} or tok.dep_ in {"relcl", "acl"} or "\n" in tok.text
                                  or tok.tag_ in {"WP", "WDT"}
                                  or tok.ent_type_ in {"DATE", "TIME"} or tok.lower_ in WEEKDAYS):
            break
        if tok.i < subject.i and ("\n" in tok.text_with_ws or tok.dep_ == "case" and tok.pos_ == "ADP"):
            tokens = []  # a heading above, or "selon" / "according to" before the speaker
            continue
        tokens.append(tok)
    if not tokens:
        return subject.text
    return subject.doc[tokens[0].i: tokens[-1].i + 1].text


def _subject_of(verb):
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"}]
    if subjects:  # two subjects is a misparse of "CLAUSE, he said": the one next to the verb speaks
        return min(subjects, key=lambda c: abs(c.i - verb.i))
    if verb.dep_ in {"advcl", "xcomp", "conj", "ccomp", "pcomp"} and verb.head.i != verb.i:  # "…, adding …"
        return _subject_of(verb.head)
    if verb.dep_ == "pobj" or verb.pos_ == "ADP" and verb.head.i != verb.i:  # "quoted as saying"
        return _subject_of(verb.head)
    return None


class Resolver:
    """Turns a speaker phrase into a canonical name, using what the article has said so far."""

    def __init__(self, doc, people: PersonNames, persons: list[Entity], quote_spans: list[tuple[int, int]],
                 organizations: list[Entity] = ()) -> None:
        self.people = people
        self.mentions: list[tuple[int, str]] = []  # (char offset, canonical) of people outside quotes
        self.subjects: list[tuple[int, str]] = []  # the same, where the person is a main clause's subject
        self.titles: dict[str, str] = {}  # "minister" → "Ahmed Hussen" from "Immigration Minister Ahmed Hussen"
        roles: Counter = Counter()  # (role word, person) seen close together: "McCallum's term as mayor"
        for entity in persons:
            span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if span is None or _inside(quote_spans, entity.start):
                continue
            name = entity.canonical
            self.mentions.append((entity.start, name))
            root = span.root
            if root.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"} and root.head.dep_ == "ROOT":
                self.subjects.append((entity.start, name))
            if not people.is_person(name):
                continue
            for tok in reversed(doc[max(0, span.start - 3): span.start]):
                if tok.pos_ in {"ADP", "PUNCT", "DET", "CCONJ"}:
                    break  # "a spokeswoman for Trudeau" is not Trudeau
                if tok.is_alpha and tok.pos_ in {"NOUN", "PROPN"} and tok.ent_type_ not in {"PERSON", "PER"}:
                    self.titles[tok.lower_] = name
            for child in root.children:
                if child.dep_ == "appos" and child.pos_ == "NOUN":
                    self.titles[child.lower_] = name
            sent = span.sent
            for tok in doc[max(sent.start, span.start - 8): min(sent.end, span.end + 8)]:
                if tok.pos_ == "NOUN" and TITLES.match(tok.lower_ + " "):
                    between = doc[min(tok.i, span.end): max(tok.i, span.start)]
                    if not any(t.pos_ == "ADP" and t.lower_ in {"for", "to", "of", "with"} for t in between):
                        roles[(tok.lower_, name)] += 1
        for (role, name), _ in roles.most_common():
            self.titles.setdefault(role, name)
        self._surname_mentions(doc, quote_spans, {e.start for e in persons})
        self.gender = _genders(doc, persons, quote_spans)
        # short forms of organisations the article also names in full: "Suncor", "EDC"
        self.org_long = {(e.start, e.end): e.canonical for e in organizations if e.canonical != e.text}
        self.last_speaker: tuple[int, str] | None = None

    def _surname_mentions(self, doc, quote_spans, seen: set[int]) -> None:
        """Surnames the model did not tag ("Easley offered to stay") still mention their person."""
        surnames: dict[str, list[str]] = {}
        for name in self.people.full:
            surnames.setdefault(name.split()[-1], []).append(name)
        for tok in doc:
            names = surnames.get(tok.text)
            if not names or len(names) > 1 or tok.idx in seen or tok.ent_type_ or _inside(quote_spans, tok.idx):
                continue
            self.mentions.append((tok.idx, names[0]))
            if tok.dep_ in {"nsubj", "nsubjpass", "nsubj:pass"} and tok.head.dep_ == "ROOT":
                self.subjects.append((tok.idx, names[0]))
        self.mentions.sort()
        self.subjects.sort()

    def resolve(self, phrase: str, subject, pos: int) -> str:
        """`subject` is the phrase's head token: "a spokesperson for Blair" is not Blair."""
        if not phrase:
            return ""
        start = subject.i
        while start > 0 and not subject.doc[start - 1].whitespace_ and not subject.doc[start - 1].is_space:
            start -= 1  # "Wilson-Raybould" is three tokens
        glued = subject.doc[start: subject.i + 1].text
        partners = [c for c in subject.children if c.dep_ == "conj" and c.ent_type_ in {"PERSON", "PER"}]
        if partners and subject.ent_type_ in {"PERSON", "PER"}:  # "Tore Sohlberg and Lehla Abreder said"
            first = self.people.find_in(subject.text) or subject.text
            others = [self.people.find_in(c.text) or c.text for c in partners]
            return " and ".join([first, *others])
        if phrase in self.people.full:
            return phrase
        names = [glued, subject.text] + [c.text for c in subject.children if c.dep_ in {"appos", "flat", "flat:name"}]
        for name in names:
            named = self.people.find_in(name)
            if named:
                return named
        if subject.ent_type_ in {"PERSON", "PER"}:
            return self.people.resolve(phrase) if len(phrase.split()) <= 3 else subject.text
        for (start, end), name in self.org_long.items():
            if start <= subject.idx < end:
                return name
        head = subject.text.lower()
        words = [w.lower() for w in _WORD.findall(phrase)]
        if head in PRONOUNS:
            # the person the story was last about: a main clause's subject or the last speaker,
            # skipping people whose pronoun, as the article uses it, is the other one
            wanted = "f" if head in {"she", "her", "elle"} else "m"
            candidates = [m for m in self.subjects if m[0] < pos]
            if self.last_speaker and self.last_speaker[0] < pos:
                candidates.append(self.last_speaker)
            candidates.sort()
            fitting = [c for c in candidates if self.gender.get(c[1], wanted) == wanted] or candidates
            if fitting:
                return fitting[-1][1]
            before = [m for m in self.mentions if m[0] < pos]
            fitting = [m for m in before if self.gender.get(m[1], wanted) == wanted]
            return (fitting or before)[-1][1] if before else phrase
        if words and words[0] in {"the", "a", "an", "le", "la", "our", "his", "her"}:
            role = subject.lower_ if subject.lower_ in self.titles else words[-1]
            if role in self.titles:
                return self.titles[role]
        return phrase

    def spoke(self, pos: int, canonical: str, main: bool = True) -> None:
        if main and self.people.is_person(canonical):
            self.last_speaker = (pos, canonical)


def _genders(doc, persons: list[Entity], quote_spans) -> dict[str, str]:
    """"m" or "f" per person, from the pronouns that take over from them as a sentence's subject.

    Evidence: "Easley stayed. She crawled…" (the next sentence's main subject) and "Easley said she…"
    (the subject of what a person says). Object and possessive pronouns are left out: they usually
    point at someone else ("Easley stayed over to monitor his breathing").
    """
    main_subject: dict[int, str] = {}  # sentence start → the person who is its main subject
    speaker_of: dict[int, str] = {}  # token index of a speech verb → its person subject
    for entity in persons:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        if span is None or span.root.dep_ not in {"nsubj", "nsubjpass"}:
            continue
        verb = span.root.head
        if verb.dep_ == "ROOT":
            main_subject[span.sent.start] = entity.canonical
        if verb.lemma_.lower() in SPEECH_VERBS:
            speaker_of[verb.i] = entity.canonical
    votes: Counter = Counter()
    sentences = list(doc.sents)

    def vote(name: str, pronoun) -> None:
        if _inside(quote_spans, pronoun.idx):
            return
        if pronoun.lower_ in {"he", "il"}:
            votes[(name, "m")] += 1
        elif pronoun.lower_ in {"she", "elle"}:
            votes[(name, "f")] += 1

    for previous, sent in zip(sentences, sentences[1:]):
        name = main_subject.get(previous.start)
        subject = next((t for t in sent.root.children if t.dep_ in {"nsubj", "nsubjpass"}), None)
        if name and subject is not None and subject.pos_ == "PRON" and sent.start not in main_subject:
            vote(name, subject)
    for verb_i, name in speaker_of.items():
        for comp in doc[verb_i].children:
            if comp.dep_ == "ccomp":
                subject = next((t for t in comp.children if t.dep_ in {"nsubj", "nsubjpass"}), None)
                if subject is not None and subject.pos_ == "PRON":
                    vote(name, subject)
    genders = {}
    for name in {n for n, _ in votes}:
        m, f = votes[(name, "m")], votes[(name, "f")]
        if m != f:
            genders[name] = "m" if m > f else "f"
    return genders


def _tokens_between(doc, start: int, end: int):
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _attribution(doc, quote_spans, qstart: int, qend: int, para_start: int, para_end: int):
    """The speech verb next to a quote: after it first when the quote ends in a comma, else before."""
    text = doc.text
    after_end = para_end
    for a, _ in quote_spans:
        if a >= qend:
            after_end = min(after_end, a)
            break
    m = re.search(r"[.!?](\s|$)", text[qend:after_end])
    after_end = qend + m.end() if m else after_end
    before_start = para_start
    for _, b in quote_spans:
        if b <= qstart:
            before_start = max(before_start, b)
    tail = text[before_start:qstart]
    m = None
    for m in re.finditer(r"[.!?]\s", tail):
        pass
    if m:
        before_start += m.end()
    inner_end = text[qstart:qend].rstrip("\u201d\u00bb\"' ").rstrip()
    windows = [(qend, after_end), (before_start, qstart)]
    if not inner_end.endswith(","):
        windows.reverse() if text[before_start:qstart].strip().endswith((":", ",")) else None
    for start, end in windows:
        for tok in _tokens_between(doc, start, end):
            if _inside(quote_spans, tok.idx):
                continue
            if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in SPEECH_VERBS:
                return tok
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                return tok
            if tok.lower_ == "selon":
                return tok
    return _incise(doc, qstart, qend)


def _incise(doc, qstart: int, qend: int):
    """French puts the attribution inside the guillemets: « …, souligne Anick Fournier, caporale. … »"""
    if doc.text[qstart] != "\u00ab":
        return None
    for tok in _tokens_between(doc, qstart + 1, qend):
        if (tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ in {"VERB", "AUX"} and tok.i > 0
                and doc[tok.i - 1].text == "," and tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN"):
            return tok
    return None


def _speaker_of(verb):
    if verb.lower_ == "selon":  # French parses "selon" as a case marker on the noun it introduces
        return verb.head if verb.head.i != verb.i else None
    if verb.lower_ == "according":
        to = verb.doc[verb.i + 1]
        direct = [c for c in to.children if c.dep_ == "pobj"]  # "according to former governor David Dodge"
        if direct:
            return direct[0]
        for tok in to.subtree:
            if tok.dep_ in {"pobj", "obj", "nmod", "obl"} and tok.pos_ in {"PROPN", "NOUN", "PRON"}:
                return tok
        return None
    return _subject_of(verb)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, offset = [], 0
    for para in text.split("\n"):
        out.append((offset, offset + len(para)))
        offset += len(para) + 1
    return out


def _is_real_quote(text: str, start: int, end: int, attributed: bool) -> bool:
    """Short quoted phrases ("no longer working as intended") are scare quotes unless attributed."""
    words = _WORD.findall(text[start:end])
    if len(words) >= 4:
        return True
    return attributed and len(words) >= 1 and text[start:end].rstrip("\u201d\u00bb\"' ")[-1:] in ",.!?"


NAMING_VERBS = {"call", "dub", "label", "brand", "describe", "term"}


def _naming_verb(doc, qstart: int, qend: int):
    """The verb of "X called it “…”" when a quoted phrase is what a person named something."""
    span = doc.char_span(qstart, qend, alignment_mode="expand")
    if span is None:
        return None
    for tok in span:
        head = tok.head
        if head.i < span.start and head.lemma_.lower() in NAMING_VERBS and head.pos_ == "VERB":
            subject = _subject_of(head)
            if subject is not None and (subject.ent_type_ in {"PERSON", "PER"} or subject.lower_ in PRONOUNS):
                return head
    return None


def _embedded(doc, text: str, para_start: int, qstart: int) -> bool:
    """True for a quote that sits inside running prose rather than being what someone said."""
    before = text[para_start:qstart].rstrip()
    if not before or before.endswith((":", ",", ".", "?", "!", "—", "-")):
        return False
    end = para_start + len(before)
    last = doc.char_span(end - 1, end, alignment_mode="expand")
    if last is None or not len(last):
        return True
    tok = last[0]
    if tok.lower_ in {"that", "que", "qu'"} and tok.i > 0:
        tok = doc[tok.i - 1]
    return tok.lemma_.lower() not in SPEECH_VERBS


def extract_quotes(doc, entities: list[Entity], people: PersonNames, language: str = "en") -> list[Quote]:
    """Direct quotes and reported speech in reading order, each with its speaker resolved."""
    text = doc.text
    spans = find_quote_spans(text)
    paragraphs = _paragraphs(text)
    resolver = Resolver(doc, people, [e for e in entities if e.label == "person"], spans,
                        [e for e in entities if e.label == "organization"])

    direct: dict[tuple[int, int], object] = {}  # the quoted spans that are quotes, with their speech verb
    for a, b in spans:
        pstart, pend = next((p for p in paragraphs if p[0] <= a <= p[1]), (0, len(text)))
        verb = _attribution(doc, spans, a, b, pstart, pend)
        if _is_real_quote(text, a, b, verb is not None) and not _embedded(doc, text, pstart, a):
            direct[(a, b)] = verb  # else: a phrase quoted inside a sentence, part of its reported speech
        elif (caller := _naming_verb(doc, a, b)) is not None:
            direct[(a, b)] = caller  # "Rempel called him “chicken”": what someone called something is theirs
    direct_spans = list(direct)

    events: list[tuple[int, int, object]] = [(a, 0, span) for span in direct_spans for a in [span[0]]]
    events += [(sent.start_char, 1, sent) for sent in doc.sents]
    events.sort(key=lambda e: (e[0], e[1]))
    quotes: list[Quote] = []
    previous: tuple[int, str] | None = None  # (end, canonical) of the last attributed direct quote
    for _, kind, payload in events:
        if kind == 1:
            quotes.extend(_reported(payload, spans, direct_spans, paragraphs, resolver))
            continue
        a, b = payload  # type: ignore[misc]
        verb = direct[(a, b)]
        subject = _speaker_of(verb) if verb is not None else None
        incise = verb is not None and a <= verb.idx < b  # the French « …, souligne X, … »
        if subject is not None and (incise or not _inside(spans, subject.idx)):
            speaker = _speaker_phrase(subject)
            canonical, verb_text = resolver.resolve(speaker, subject, a), verb.text
        elif resolver.last_speaker and a - resolver.last_speaker[0] < 1500:
            # a floating quote goes on from whoever spoke last, in a quote or in reported speech
            speaker, canonical, verb_text = "", resolver.last_speaker[1], ""
        elif previous and a - previous[0] < 1200:
            speaker, canonical, verb_text = "", previous[1], ""
        else:
            speaker, canonical, verb_text = "", "", verb.text if verb is not None else ""
        quotes.append(Quote(text[a:b], speaker, canonical, verb_text, a, b, "direct"))
        if canonical:
            resolver.spoke(a, canonical)
            previous = (b, canonical)
    return quotes


def _content_of(tok, sent):
    """What a speech verb reports: its clausal complement, or the clause it is tacked onto.

    "X said (that) CLAUSE" → CLAUSE; "CLAUSE, X said." and "CLAUSE, X said, CLAUSE" (the verb hangs off
    the main clause as parataxis) → the sentence without the attribution.
    """
    doc = sent.doc
    comp = [c for c in tok.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"}]
    if comp:
        sub = list(comp[0].subtree)
        return doc[sub[0].i: sub[-1].i + 1]
    if tok.dep_ in {"parataxis", "ccomp"} and tok.head.i != tok.i and tok.head.i < tok.i:
        attribution = {t.i for t in tok.subtree}
        outside = [t for t in sent if t.i not in attribution]
        if outside:
            return doc[outside[0].i: outside[-1].i + 1]
    subject = _subject_of(tok)
    if (subject is not None and tok.dep_ == "ROOT" and subject.i == tok.i - 1 and subject.i > sent.start + 4
            and doc[subject.i - 1].text == "," and tok.i >= sent.end - 3):
        return doc[sent.start: subject.i - 1]  # "CLAUSE, he said." parsed with "said" as the root
    return None


def _reported(sent, spans, direct_spans, paragraphs, resolver: Resolver) -> list[Quote]:
    """Reported speech in one sentence: "X said (that) …", "…, X said" and "according to X, …"."""
    out = []
    doc = sent.doc
    for tok in sent:
        if _inside(spans, tok.idx):
            continue
        content = subject = None
        if tok.lower_ in {"according", "selon"}:
            subject = _speaker_of(tok)
            if subject is None:
                continue
            phrase_end = max(t.i for t in subject.subtree) + 1
            rest = doc[phrase_end: sent.end]
            head = doc[sent.start: tok.i]
            content = rest if len(rest) >= len(head) else head
        elif tok.pos_ == "VERB" and tok.lemma_.lower() in REPORT_VERBS:
            subject = _subject_of(tok)
            if subject is not None and subject.lower_ in {"who", "which", "that", "qui"} and tok.dep_ == "relcl":
                subject = tok.head  # "experts who contend …": the experts speak
            if subject is None or subject.pos_ == "PRON" and subject.lower_ in {"this", "that", "what"}:
                continue
            content = _content_of(tok, sent)
        if content is None or subject is None:
            continue
        while len(content) and (content[0].lower_ in {"that", "que", "qu'", ",", ":"} or content[0].is_punct
                                or content[0].is_space):
            content = content[1:]
        while len(content) and (content[-1].is_punct and content[-1].text not in {"”", '"', "»"} or content[-1].is_space):
            content = content[:-1]
        if len(content) < 4 or _inside(spans, subject.idx) or "\n" in content.text:
            continue
        inside = sum(_inside(direct_spans, t.idx) for t in content)
        if inside > len(content) / 2:
            continue  # the direct quote already covers it
        phrase = _speaker_phrase(subject)
        canonical = resolver.resolve(phrase, subject, content.start_char)
        verb = "according to" if tok.lower_ in {"according", "selon"} else tok.text
        out.append(Quote(content.text, phrase, canonical, verb, content.start_char, content.end_char, "reported"))
        resolver.spoke(content.start_char, canonical, main=tok.dep_ == "ROOT" or verb == "according to")
    return out
