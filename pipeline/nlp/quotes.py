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
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text, doc_tokens
from pipeline.nlp.entities import Entity, PersonNames
from pipeline.nlp.exchanges import answerer, labelled_speaker, signed_after_dash
from pipeline.nlp.french import in_incise, incise_parts, inverted_speaker, is_speech_verb, sentence_initial_pour
from pipeline.nlp.introduced import described_then_named, document_then_maker, named_by_apposition, office_named_next
from pipeline.nlp.naming import naming_verb
from pipeline.nlp.posts import author_canonical, embedded_posts, quoted_in_post
from pipeline.nlp.reported import as_reported_by, before_second_attribution, content_of
from pipeline.nlp.speakers import Resolver
from pipeline.nlp.speech import REPORT_VERBS, SPEECH_VERBS, inside
from pipeline.nlp.subjects import english_speaker, name_run_before, speaker_phrase, subject_of
from pipeline.nlp.surnames import honoured_surname

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# a wire story's dateline opening what was said: "OTTAWA — The federal government will …, officials said"
_DATELINE = re.compile(r"[A-Z][A-Z.'’ -]*[A-Z.](?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:\([^)\n]{1,20}\)\s*)?(?:--|—|–)\s")
OPEN_CLOSE = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c", '"': '"'}
_WORD = re.compile(r"\w+")
# a sentence ends at . ! or ? and a space, unless the period closes a title or an initial: "Dr. Luz Arroyo"
# a full stop after a title's abbreviation ends no sentence: "…,” Maj. Michael O'Connor, with the … said"
_TITLE_STOPS = ("Dr", "Mr", "Ms", "Mrs", "St", "Sen", "Rep", "Gov", "Prof", "Coun", "Cmdr", "Sgt", "Lt", "Gen", "Col",
                "Capt", "Cpl", "Det", "Const", "Jr", "Sr", "Maj", "Supt", "Insp", "Brig", "Adm", "Hon", "Rev", "Atty",
                "Cst", "Cllr", "Fr")
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])" + "".join(rf"(?<!\b{a})" for a in _TITLE_STOPS) + r"[.!?](\s|$)")


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
    paragraphs = text.split("\n")
    for n, para in enumerate(paragraphs):
        i = 0
        while i < len(para):
            ch = para[i]
            close = OPEN_CLOSE.get(ch)
            if ch == "\u2018" and (single := _single_close(para, i)) != -1:  # ‘wild west of email.’
                spans.append((offset + i, offset + single + 1))
                i = single + 1
                continue
            if close is None or (ch == '"' and i > 0 and para[i - 1].isalnum()):
                i += 1
                continue
            j = para.find(close, i + 1)
            if ch == "\u201c":  # curly quotes may hold straight ones or nested ‘ ’; a straight one may close
                j = _straight_close(para, i + 1, j)
                if j == -1:  # "… the neighborhood,“ Collins told": an opening mark typed for the closing one
                    j = next((k for k in range(i + 2, len(para)) if para[k] == "\u201c" and para[k - 1] in ",.!?"
                              and (k + 1 == len(para) or para[k + 1].isspace())), -1)
            if j == -1 and ch == '"':  # mixed copy: "… a career?” closes with a curly mark
                j = para.find("\u201d", i + 1)
            if j == -1 and ch == '"' and _stray(paragraphs, n):
                i += 1
                continue
            if j == -1:
                spans.append((offset + i, offset + len(para.rstrip())))
                break
            spans.append((offset + i, offset + j + 1))
            i = j + 1
        offset += len(para) + 1
    return [(a, b) for a, b in spans if b - a > 2]


def _single_close(para: str, start: int) -> int:
    """Where a quote opened with a single curly mark ends, or -1 when the mark opens none: it must open a word
    after a space, and its close (’, or ” in mixed copy: ‘dynamic representations of the business.”) must end
    a word before a space, punctuation or the paragraph's end, two words on at least. An apostrophe (don’t,
    ‘90s, rock ‘n’ roll) is no close: a letter follows it."""
    if start + 1 >= len(para) or not (start == 0 or para[start - 1] in " (—–") or not para[start + 1].isalpha():
        return -1
    for k in range(start + 2, len(para)):
        if para[k] in "\u2019\u201d" and not para[k - 1].isspace() and (
                k + 1 == len(para) or not para[k + 1].isalnum()):
            return k if len(para[start + 1:k].split()) >= 2 else -1
        if para[k] in "\u201c\u2018":
            return -1
    return -1


def _stray(paragraphs: list[str], n: int) -> bool:
    """A straight mark left open in paragraph `n` that the next paragraph does not take up with an opening mark
    of its own is no quote running on (a title's mark the page lost, a stray keystroke): it opens nothing."""
    following = next((p.strip() for p in paragraphs[n + 1:] if p.strip()), None)
    return following is not None and following[:1] not in OPEN_CLOSE


def _straight_close(para: str, start: int, curly: int) -> int:
    """Where a quote opened with “ ends when copy mixes its marks (“… asylum," he said): a straight mark
    after , . ! or ? and before a space or the paragraph's end, unless it closes a straight pair opened
    inside the quote (“He said "no," and left.”). Else the curly close, `curly` (-1: none)."""
    end = len(para) if curly == -1 else curly
    inner = 0
    for k in range(start, end):
        if para[k] != '"':
            continue
        if inner % 2 == 0 and para[k - 1] in ",.!?" and (k + 1 == len(para) or para[k + 1].isspace()):
            return k
        inner += 1
    return curly


def _tokens_between(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _attribution(doc: Doc, text: str, quote_spans: list[tuple[int, int]], qstart: int, qend: int, para_start: int,
                 para_end: int, language: str = "en") -> Token | None:
    """The speech verb next to a quote: after it first when the quote ends in a comma, else before.

    `text` is `doc.text`, passed in: spaCy joins every token again each time it is read."""
    after_end = para_end
    for a, b in quote_spans:
        if a >= qend and not _a_quoted_phrase(text, a, b):
            after_end = min(after_end, a)
            break
    m = _SENTENCE_END.search(text[qend:after_end])
    after_end = qend + m.end() if m else after_end
    before_start = para_start
    for a, b in quote_spans:
        if b <= qstart and not _a_quoted_phrase(text, a, b):
            before_start = max(before_start, b)
    tail = text[before_start:qstart]
    stops = [stop for stop in _SENTENCE_END.finditer(tail) if stop.group(1)]
    if stops:
        before_start += stops[-1].end()
    inner_end = text[qstart:qend].rstrip("\u201d\u00bb\"' ").rstrip()
    windows = [(qend, after_end), (before_start, qstart)]
    if inner_end.endswith((".", "?", "!")) and text[qend:after_end].lstrip().startswith("("):
        windows = windows[1:]  # "“… models project.” (Current models say …)": the writer's aside, not a tag
    opening = text[before_start:qstart].strip()
    # "… calls “dynamic representations.” Square has added …": the sentence ended with the quote, whose verb is
    # before it
    if not inner_end.endswith(",") and (opening.endswith((":", ",")) or
                                        inner_end.endswith((".", "?", "!")) and _WORD.search(opening)):
        windows.reverse()
    for start, end in windows:
        tokens = _tokens_between(doc, start, end)
        for tok in reversed(tokens) if end == qstart else tokens:  # before a quote, the verb nearest to it:
            # "When told of the statement, he said, “…”" is said, not told
            if inside(quote_spans, tok.idx):
                continue
            if is_speech_verb(tok, language):
                return tok
            if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                lead = [t for t in _tokens_between(doc, before_start, qstart) if not t.is_space]
                if end != qstart and lead and is_speech_verb(lead[-1], language):
                    return lead[-1]  # "Stephenson said “…,” according to Stelter": he spoke, Stelter reported it
                return tok
            if tok.lower_ == "selon":
                return tok
    return _incise(doc, text, qstart, qend, language)


def _lead_in_person(doc: Doc, text: str, qstart: int, spans: list[tuple[int, int]], resolver: Resolver) -> str | None:
    """The person a quote with no attribution is led in by: the subject of the sentence right before it,
    when that is a person the article names ("Outside the courthouse, Menendez expressed confidence.")."""
    before = [sent for sent in doc.sents if sent.end_char <= qstart]
    if not before or text[before[-1].end_char: qstart].strip() or not text[:before[-1].end_char].rstrip().endswith((".", ":")):
        return None
    subject = subject_of(before[-1].root)
    if subject is None or subject.pos_ != "PROPN" or inside(spans, subject.idx):
        return None
    phrase = speaker_phrase(subject)  # "Mr Wangui denied …": a person by the honorific, whatever the model tagged
    canonical = resolver.resolve(phrase, subject, subject.idx)
    return canonical if resolver.people.is_person(canonical) or honoured_surname(phrase) else None


_REACTION = re.compile(r"[\s.]*(?:This|That|These|Those|Such)\s+(?:was|were|is|are)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}?"
                       r"(?:reaction|response|words|message|verdict|comments?|view|warning|plea)\s+of\s+")


def _reaction_of(text: str, qend: int, resolver: Resolver) -> str | None:
    """"“Anger, anger and shame. …” / This was the reaction of Rome mayor Virginia Raggi in a Facebook post": a
    quote standing alone, then a sentence that says whose words they were; the person named right there."""
    found = _REACTION.match(text, qend)
    if found is None:
        return None
    return next((name for at, name in resolver.mentions if found.end() <= at <= found.end() + 40), None)


def _a_quoted_phrase(text: str, start: int, end: int) -> bool:
    """"Scott told “CBS This Morning” co-host Gayle King, “…”", "“…,” one source with “direct knowledge” of the
    talks told the paper": a few words in quotation marks with no punctuation of speech name a show or mark a
    phrase inside the attribution; they do not end its window."""
    inner = text[start + 1: end - 1].strip()
    return len(inner.split()) <= 5 and not _SPEECH_PUNCTUATION.search(inner)


_SPEECH_PUNCTUATION = re.compile(r"[.,!?;:…]")


def _incise(doc: Doc, text: str, qstart: int, qend: int, language: str) -> Token | None:
    """French puts the attribution inside the guillemets: « …, souligne Anick Fournier, caporale. … »"""
    if text[qstart] != "\u00ab":
        return None
    for tok in _tokens_between(doc, qstart + 1, qend):
        if tok.i > 0 and in_incise(tok) and is_speech_verb(tok, language) and inverted_speaker(tok):
            return tok
    return None


def _speaker_of(verb: Token, language: str = "en") -> tuple[Token, str | None] | None:
    """The token that names who speaks (and, for a French inverted subject, its words as written)."""
    if language == "fr" and verb.lower_ not in {"selon", "pour"}:
        before = [c for c in verb.children if c.dep_ in {"nsubj", "nsubj:pass"} and c.i < verb.i]
        after = inverted_speaker(verb) if in_incise(verb) or not before else None
        if after is not None:
            return after
    if verb.lower_ in {"selon", "pour"}:  # French parses "selon" as a case marker on the noun it introduces
        head = verb.head if verb.head.i != verb.i else None
        return (head, None) if head is not None else None
    subject = english_speaker(verb)
    return (subject, None) if subject is not None else None


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


def _embedded(doc: Doc, text: str, para_start: int, qstart: int) -> bool:
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


def extract_quotes(doc: Doc, entities: list[Entity], people: PersonNames, language: str = "en") -> list[Quote]:
    """Direct quotes and reported speech in reading order, each with its speaker resolved."""
    text = doc_text(doc)
    spans = find_quote_spans(text)
    paragraphs = _paragraphs(text)
    resolver = Resolver(doc, people, [e for e in entities if e.label == "person"], spans,
                        [e for e in entities if e.label == "organization"])

    direct: dict[tuple[int, int], Token | None] = {}  # the quoted spans that are quotes, with their speech verb
    for a, b in spans:
        pstart, pend = next((p for p in paragraphs if p[0] <= a <= p[1]), (0, len(text)))
        verb = _attribution(doc, text, spans, a, b, pstart, pend, language)
        if _is_real_quote(text, a, b, verb is not None) and not _embedded(doc, text, pstart, a):
            direct[(a, b)] = verb  # else: a phrase quoted inside a sentence, part of its reported speech
        elif (caller := naming_verb(doc, a, b)) is not None:
            direct[(a, b)] = caller  # "Rempel called him “chicken”": what someone called something is theirs
    direct_spans = list(direct)

    # direct quotes and sentences in reading order: a quote is attributed before the sentence it opens
    events: list[tuple[int, int, tuple[int, int] | None, Span | None]] = [(a, 0, (a, b), None) for a, b in direct_spans]
    events += [(sent.start_char, 1, None, sent) for sent in doc.sents]
    events.sort(key=lambda e: (e[0], e[1]))
    quotes: list[Quote] = []
    previous: tuple[int, str] | None = None  # (end, canonical) of the last attributed direct quote
    for _, _, quoted, sentence in events:
        if sentence is not None:
            quotes.extend(_reported(sentence, spans, direct_spans, resolver, language))
            continue
        if quoted is None:
            continue
        a, b = quoted
        para = next((p for p in paragraphs if p[0] <= a <= p[1]), (0, b))  # the quote's paragraph
        verb = direct[(a, b)]
        found = _speaker_of(verb, language) if verb is not None else None
        subject = found[0] if found else None
        incise = verb is not None and a <= verb.idx < b  # the French « …, souligne X, … »
        if verb is not None and subject is not None and (incise or not inside(spans, subject.idx)):
            speaker = (found[1] if found else None) or speaker_phrase(subject)
            canonical, verb_text = resolver.resolve(speaker, subject, a), verb.text
            parts = incise_parts(doc, a, b, verb) if incise and language == "fr" else None
            if parts:  # the quote goes on after the incise: two pieces, one speaker
                quotes.append(Quote(text[a:parts[0]], speaker, canonical, verb_text, a, parts[0], "direct"))
                quotes.append(Quote(text[parts[1]:b], "", canonical, "", parts[1], b, "direct"))
                resolver.spoke(a, canonical)
                previous = (b, canonical)
                continue
        elif said := (labelled_speaker(doc, text, para[0], a, resolver) or signed_after_dash(text, b, para[1], resolver)
                      or answerer(quotes, paragraphs, text, a)):
            speaker, canonical, verb_text = "", said, ""  # "Prelogar: “…”"; "“…” - coach X"; an answer to a question
        elif lead_in := _lead_in_person(doc, text, a, spans, resolver):
            speaker, canonical, verb_text = "", lead_in, ""  # "Menendez expressed confidence. “I have every …”"
        elif owner := _reaction_of(text, b, resolver):
            speaker, canonical, verb_text = "", owner, ""  # "“Anger and shame.” This was the reaction of …"
        elif resolver.last_speaker and a - resolver.last_speaker[0] < 1500 and not (
                previous and previous[0] > resolver.last_speaker[0]):
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
    described_then_named(quotes, resolver)
    office_named_next(quotes, resolver)
    named_by_apposition(quotes, resolver)
    document_then_maker(quotes)
    named = list(dict.fromkeys(name for _, name in resolver.mentions))
    for post in embedded_posts(text):  # a post's words are its author's: "… — Josh Marshall (@joshtpm)"
        quotes.append(Quote(text[post.start:post.end], post.author, author_canonical(post.author, named), "",
                            post.start, post.end, "direct"))
        if inner := quoted_in_post(text, post, named):  # "FM Lavrov: …" posted by an embassy: Lavrov's too
            quotes.append(Quote(text[inner[0]:post.end], inner[1], inner[2], "", inner[0], post.end, "direct"))
    return sorted(quotes, key=lambda q: q.start)


def _a_clause(content: Span) -> bool:
    """"he resigned", "there were fatalities": a subject and its finite verb are a report however short."""
    if not len(content):
        return False
    root = content.root
    finite = root.tag_ in {"VBD", "VBZ", "VBP", "MD"} or any(  # "he would resign", "he was withdrawing"
        c.dep_ in {"aux", "auxpass"} and c.tag_ in {"VBD", "VBZ", "VBP", "MD"} for c in root.children)
    return finite and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} and c.i < root.i for c in root.children)


def _reported(sent: Span, spans: list[tuple[int, int]], direct_spans: list[tuple[int, int]],
              resolver: Resolver, language: str = "en") -> list[Quote]:
    """Reported speech in one sentence: "X said (that) …", "…, X said" and "according to X, …"."""
    out = []
    doc = sent.doc
    pour = sentence_initial_pour(sent) if language == "fr" else None
    here = [(a, b) for a, b in spans if a < sent.end_char and b > sent.start_char]  # each token is looked up
    direct_here = [(a, b) for a, b in direct_spans if a < sent.end_char and b > sent.start_char]
    for tok in doc_tokens(doc)[sent.start: sent.end]:
        if inside(here, tok.idx):
            continue
        content = subject = None
        phrase: str | None = None
        incise, run = False, ""
        if tok.lower_ in {"according", "selon"} or tok is pour:
            if tok.head.lemma_.lower() in REPORT_VERBS and subject_of(tok.head) is not None and tok.i > sent.start:
                continue  # "…, he said, according to the Intelligencer": he spoke; the paper only reported it (at
                # the head of a sentence it is the source: "According to the government, the country had admitted")
            found = _speaker_of(tok, language)
            if found is None:
                continue
            subject = found[0]
            phrase_end = max(t.i for t in subject.subtree) + 1
            end = before_second_attribution(doc, phrase_end, sent.end, phrase_end)
            # "… fell 16.3 per cent according to the SMMT and sales have fallen": after its verb, the phrase ends
            # the report, and a clause joined to that verb is the writer's
            later = next((c for c in tok.head.children if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}
                          and c.i >= phrase_end > tok.head.i), None)
            rest = doc[phrase_end: min(end, later.left_edge.i) if later is not None else end]
            head = doc[sent.start: tok.i]
            content = rest if len(rest) >= len(head) else head
        elif language == "fr" and tok.i > sent.start + 3 and in_incise(tok) and \
                is_speech_verb(tok, language) and (inverted := inverted_speaker(tok)):
            subject, phrase = inverted  # "Les données … seront publiques, précise Jacqueline Roby."
            incise = True  # the sentence's speech, whatever the parser made the verb hang from
            content = doc[sent.start: tok.i - (2 if doc[tok.i - 1].pos_ == "AUX" else 1)]
        elif language == "en" and (as_by := as_reported_by(tok)) is not None:
            subject = as_by  # "As recently revealed by MG Siegler on his blog, one of the app’s features is …"
            outside = [t for t in sent if t.i not in {x.i for x in tok.subtree}]
            content = doc[outside[0].i: outside[-1].i + 1] if outside else None
        elif (tok.pos_ == "VERB" or tok.lower_ in {"said", "says"} and language == "en" and name_run_before(tok)) and (
                tok.lemma_.lower() in REPORT_VERBS or tok.lower_ in {"said", "says"} or language == "fr" and is_speech_verb(tok, language)):
            if any(c.dep_ in {"nsubjpass", "nsubj:pass"} or c.dep_ == "mark" and c.lower_ == "than"
                   or c.lower_ in {"how", "why"} and c.i < tok.i for c in tok.children):
                continue  # "more buses would be added", "he was told": the subject did not say it; "lower than X
                # says" compares; "disclose how the service responded" asks what no one has said yet
            quoted_as = tok.dep_ == "pcomp" and tok.head.lower_ == "as" and tok.head.head.lemma_ == "quote"
            subject = english_speaker(tok) if quoted_as else subject_of(tok)  # "Reuters quoted X as saying": X
            if subject is None and language == "en" and (run := name_run_before(tok)):  # "Responding to …, Minister
                subject, phrase = doc[tok.i - 1], run  # of State for Home Kiren Rijiju said …", parsed as an object
            if subject is not None and subject.lower_ in {"who", "which", "that", "qui"} and tok.dep_ == "relcl" \
                    and tok.head.pos_ in {"NOUN", "PROPN", "PRON"}:
                subject = tok.head  # "experts who contend …": the experts speak
            elif subject is not None and subject.lower_ in {"who", "qui"} and subject.i and doc[subject.i - 1].pos_ == "PROPN":
                subject = doc[subject.i - 1]  # "… spoke with Rytis Budrius who told him …", the clause hung on the verb
            if subject is None or subject.pos_ == "PRON" and subject.lower_ in {"this", "that", "what"}:
                continue
            content = content_of(tok, sent, language)
        if content is None or subject is None:
            continue
        while len(content) and (content[0].lower_ in {"que", "qu'", ",", ":"} or content[0].is_punct
                                or content[0].lower_ == "that" and content[0].dep_ != "nsubj" or content[0].is_space):
            content = content[1:]
        while len(content) and (content[-1].is_punct and content[-1].text not in {"”", '"', "»"} or content[-1].is_space):
            content = content[:-1]
        if len(content) and (dateline := _DATELINE.match(doc_text(content.doc), content.start_char)):
            content = content[next((k for k, t in enumerate(content) if t.idx >= dateline.end()), len(content)):]
        if len(content) < (2 if _a_clause(content) else 4) or inside(spans, subject.idx) or "\n" in content.text:
            continue
        covered = sum(inside(direct_here, t.idx) for t in content)  # content lies in the sentence
        if covered > len(content) / 2:
            continue  # the direct quote already covers it
        phrase = phrase or speaker_phrase(subject)
        canonical = resolver.resolve(phrase, subject, content.start_char)
        verb = "according to" if tok.lower_ in {"according", "selon"} else tok.text
        out.append(Quote(doc_text(content.doc)[content.start_char: content.end_char], phrase, canonical, verb,
                         content.start_char, content.end_char, "reported"))  # the article's characters
        resolver.spoke(content.start_char, canonical, main=tok.dep_ in {"ROOT", "parataxis"} or verb == "according to" or incise
                       or phrase == run,
                       named=(incise or phrase == run) and subject.pos_ == "PROPN" and subject.ent_type_ in {"", "MISC"}
                       and canonical[:1].isupper())
    return out
