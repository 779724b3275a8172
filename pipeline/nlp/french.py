"""French attribution: the speaker after the verb (« …, précise Judith Gadbois-St-Cyr »), `-t-elle`, incises.

French puts the attribution of a quote after its verb, often inside the guillemets, and the small
French model parses such inverted subjects poorly (as objects, or not at all), so these are read
from the word order: a speech verb, then a pronoun (`affirme-t-elle`), a name with its honorific
(`M. Caldwell`) or a description (`la toxicologue`), up to the next comma or full stop.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_text
from pipeline.nlp.speech import SPEECH_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# conjugated forms the small model often tags as nouns or adjectives in incises (« …, glisse Zineb »)
_FORMS = {
    "dit", "déclare", "affirme", "explique", "ajoute", "indique", "souligne", "précise", "estime", "rappelle",
    "assure", "raconte", "confie", "lance", "soutient", "admet", "reconnaît", "écrit", "annonce", "note",
    "avance", "insiste", "répond", "déplore", "dénonce", "poursuit", "glisse", "soupire", "conclut", "assène",
    "observe", "constate", "stipule", "résume", "martèle", "renchérit", "tranche", "lâche", "ironise", "avoue",
    "prévient", "plaide", "convient", "détaille", "relève", "juge", "commente", "s'inquiète", "s’inquiète",
}
FRENCH_VERBS = {"glisser", "soupirer", "conclure", "asséner", "constater", "stipuler", "résumer", "marteler",
                "renchérir", "trancher", "lâcher", "ironiser", "avouer", "prévenir", "plaider", "convenir",
                "détailler", "relever", "juger", "commenter", "inquiéter", "accuser", "rapporter", "signaler"}
PRONOUN = re.compile(r"^-?(t-)?(il|elle|ils|elles|on)$", re.I)
HONORIFICS = {"M.", "Mme", "Me", "Mlle", "Dr", "Pr", "MM.", "Mmes"}
DETERMINERS = {"le", "la", "les", "l'", "l’", "un", "une", "des", "ce", "cette", "son", "sa", "leur"}
STOP = {",", ".", ";", ":", "!", "?", "»", "«", "(", ")"}
OF = {"de", "du", "des", "d'", "d’"}


def is_speech_verb(tok: Token, language: str) -> bool:
    lemma = tok.lemma_.lower()
    if tok.pos_ in {"VERB", "AUX"} and (lemma in SPEECH_VERBS or language == "fr" and lemma in FRENCH_VERBS):
        # after a possessive or an article it is a noun the tagger took for a verb: "his client's answers"
        before = tok.doc[tok.i - 1] if tok.i > 0 else None  # ("they all said" is a verb: only articles count)
        return not (language == "en" and before is not None and (before.tag_ in {"POS", "PRP$"}
                                                                 or before.lower_ in {"the", "a", "an"}))
    if language != "fr":
        return False
    form = re.sub(r"-(t-)?(il|elle|ils|elles|on)$", "", tok.lower_)
    return form in _FORMS and in_incise(tok)


def _verb_group_start(verb: Token) -> int:
    """Where the verb group begins: "a constaté" at "a", "a-t-elle ajouté" at "a"."""
    doc = verb.doc
    i = verb.i
    while i > 0 and PRONOUN.match(doc[i - 1].text) and doc[i - 1].text.startswith("-") or i > 0 and doc[i - 1].text == "-t":
        i -= 1
    if i > 0 and doc[i - 1].pos_ == "AUX" or i > 0 and doc[i - 1].lower_ in {"a", "ont", "avait", "avaient", "est"}:
        i -= 1
    return i


def in_incise(verb: Token) -> bool:
    """The verb follows a comma or a closing guillemet (", a constaté la Ville"): its subject comes after it."""
    start = _verb_group_start(verb)
    return start > 0 and verb.doc[start - 1].text in {",", "»", "—"}


def inverted_speaker(verb: Token) -> tuple[Token, str] | None:
    """The speaker named right after a French speech verb, and its words as written."""
    doc = verb.doc
    attached = re.search(r"-(?:t-)?(il|elle|ils|elles|on)$", verb.text, re.I)
    if attached:  # the pronoun glued to the verb by the tokenizer: "affirme-t-elle"
        return verb, attached.group(1)
    for tok in doc[_verb_group_start(verb): verb.i]:  # on the auxiliary: "a-t-elle ajouté"
        glued = re.search(r"-(?:t-)?(il|elle|ils|elles|on)$", tok.text, re.I)
        if glued:
            return tok, glued.group(1)
    i = _past_asides(doc, verb.i + 1)
    if i < len(doc) and PRONOUN.match(doc[i].text):
        if doc[i].text in {"-t"} and i + 1 < len(doc):
            i += 1
        return doc[i], doc[i].text.lstrip("-").removeprefix("t-")
    if i < len(doc) and doc[i].text == "-t" and i + 1 < len(doc) and PRONOUN.match(doc[i + 1].text):
        return doc[i + 1], doc[i + 1].text.lstrip("-")
    words: list[Token] = []
    j = i
    if j < len(doc) and doc[j].lower_ in DETERMINERS:  # a description: "la toxicologue", "l’agence"
        while j < len(doc) and doc[j].text not in STOP and j - i < 10 and "\n" not in doc[j].text:
            if words and doc[j].pos_ == "ADP" and doc[j].lower_ not in OF:
                break  # "l’ASFC dans un courriel": the speaker ends where the circumstances begin
            if words and (doc[j].pos_ in {"SCONJ", "VERB", "AUX", "PRON"} or doc[j].lower_ in {"alors", "que", "qui"}):
                break  # "le porte-parole alors que l'individu …": a clause of the writer's follows
            if len(words) >= 2 and doc[j].text[:1].isupper() and words[-1].lower_ not in OF | DETERMINERS:
                return _name_from(doc, j)  # "la toxicologue Dominique Parent-Massin" ("ministère de l’Intérieur" is
            words.append(doc[j])  # the body the description names)
            j += 1
        if j + 1 < len(doc) and doc[j].text == "," and doc[j + 1].ent_type_ in {"PER", "PERSON"} and len(words) >= 2:
            return _name_from(doc, j + 1)  # "le porte-parole du ministère de l’Intérieur, Pierre-Henry Brandet"
        return (words[-1], _text(doc, words)) if len(words) >= 2 else None
    return _name_from(doc, j)


# what stands between an inverted speech verb and its subject: "a dit de son côté Thomas Mulcair", "a déclaré jeudi
# à l’AFP Sophie Beau"
_ASIDES = (("de", "son", "côté"), ("de", "leur", "côté"), ("pour", "sa", "part"), ("pour", "leur", "part"),
           ("à", "son", "tour"), ("quant", "à", "lui"), ("quant", "à", "elle"), ("lui", "aussi"), ("elle", "aussi"),
           ("ce", "matin"), ("ce", "soir"), ("hier",), ("aujourd’hui",), ("aujourd'hui",), ("encore",), ("aussi",),
           ("lundi",), ("mardi",), ("mercredi",), ("jeudi",), ("vendredi",), ("samedi",), ("dimanche",))


def _past_asides(doc: Doc, i: int) -> int:
    """The token after the asides and the outlet spoken to ("à l’AFP", "à La Presse") that follow a verb at `i`."""
    moved = True
    while moved and i < len(doc):
        moved = False
        for aside in _ASIDES:
            if tuple(t.lower_ for t in doc[i: i + len(aside)]) == aside:
                i, moved = i + len(aside), True
                break
        if not moved and doc[i].lower_ in {"à", "au"} and i + 1 < len(doc):
            k = i + 1 + (doc[i + 1].lower_ in {"la", "le", "l’", "l'"})
            if k < len(doc) and doc[k].ent_type_ == "ORG":  # the outlet or body spoken to, then the speaker
                while k < len(doc) and doc[k].ent_type_ == "ORG":
                    k += 1
                if k < len(doc) and doc[k].text[:1].isupper():
                    i, moved = k, True
    return i


def _name_from(doc: Doc, j: int) -> tuple[Token, str] | None:
    """A name with its honorific, from token `j` up to the next comma, full stop or lowercase word."""
    words: list[Token] = []
    while j < len(doc) and doc[j].text not in STOP and "\n" not in doc[j].text:
        tok = doc[j]
        word = tok.text.lstrip("-")
        if tok.text in HONORIFICS or word[:1].isupper() or tok.text in {"-", "’", "'"} or tok.lower_ in {"de", "du"} \
                and words:
            words.append(tok)
            j += 1
            continue
        break
    while words and (words[-1].text in {"-", "de", "du"}):
        words.pop()
    if not words or all(w.text in HONORIFICS for w in words):
        return None
    head = next((w for w in reversed(words) if w.text not in HONORIFICS), words[-1])
    return head, _text(doc, words)


def _text(doc: Doc, words: list[Token]) -> str:
    return doc[words[0].i: words[-1].i + 1].text  # not doc.text: spaCy rebuilds it from every token


def incise_parts(doc: Doc, qstart: int, qend: int, verb: Token) -> tuple[int, int] | None:
    """Where the first part of a quote split by an incise ends, and where its second part begins.

    « A, conclut Francine Dupuis. B » → (end of "A,", start of "B"); None when nothing follows the incise.
    """
    text = doc_text(doc)
    comma = text.rfind(",", qstart, verb.idx)
    if comma == -1:
        return None
    sent_end = re.search(r"[.!?]\s+(?=\S)", text[verb.idx:qend])
    if not sent_end:
        return None
    second = verb.idx + sent_end.end()
    if qend - second < 3:
        return None
    return comma + 1, second


def sentence_initial_pour(sent: Span) -> Token | None:
    """"Pour la toxicologue, …": a prepositional attribution at the head of a sentence."""
    if len(sent) < 4 or sent[0].lower_ != "pour":
        return None
    for tok in sent[1:7]:
        if tok.text == ",":
            return sent[0]
    return None
