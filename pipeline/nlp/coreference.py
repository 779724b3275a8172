"""Who "he" or "she" is: the most salient person the pronoun agrees with, not the nearest name.

Salience follows Lappin and Leass (1994): every mention of a person outside quotes gives them a weight
for being recent and for its grammatical role (a subject counts more than an object, an object more than a
name inside a prepositional phrase, a name embedded in another noun phrase — "Lund's plan" — least), and
the weight halves with every sentence of narration that follows. A person who speaks is as salient as a
subject. A pronoun goes to the person with the most weight among those it agrees with in gender and number,
so "he said" after "It is a threat that Lund found alarming", with President Reed the subject a sentence
before, is Lund. Pronouns outside quotes are resolved in reading order and add their weight to the person
they resolve to, as the algorithm's equivalence classes do.

Gender comes from what the article itself marks: the pronouns that take over from a name (see `genders`),
honorifics (Mr, Mrs, Ms, M., Mme), nouns of lexical gender next to the name ("her father Omar",
"spokeswoman Jane Doe"), French grammatical gender of a title or apposition ("la ministre", "caporale"), and
reflexives bound by the name as subject ("Lund found herself"). A first name that at least 95 % of its bearers
share one way (`data/first-names.tsv`) weighs more than one pronoun guessed to follow the name and less than
a word that means the sex: "Michelle Rempel" is not who "he" is even when no pronoun of hers came before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from pipeline.nlp.doc_cache import doc_tokens
from pipeline.nlp.entities import Entity
from pipeline.nlp.given_names import by_first_name
from pipeline.nlp.offices import with_same_offices
from pipeline.nlp.speech import SPEECH_VERBS, inside
from pipeline.nlp.titles import TITLES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

SUBJECT = {"nsubj", "nsubjpass", "nsubj:pass", "csubj"}
TIME_MARKS = {"as", "when", "while", "after", "before", "because", "since", "until", "once"}  # not "if", "whether"
TOPIC_MARKS = {"as", "regarding", "concerning"}  # "As for X, he …": a topic set out before its clause
OBJECT = {"dobj", "obj", "iobj", "dative", "attr"}
EMBEDDED = {"poss", "compound", "nmod", "nmod:poss", "flat", "flat:name", "amod"}
# Lappin & Leass weights: recency 100 + head noun 80 + role (subject 80, object 50, oblique 40)
WEIGHTS = {"main": 270.0, "subject": 260.0, "object": 230.0, "oblique": 220.0, "embedded": 140.0}
SPEAKER = 80.0  # the voice of a quote: news hands "he said" on to whoever spoke, as parallel roles do
COMPLEMENT = {"de", "du", "des", "d", "d'", "d’", "of"}
MALE = {"he", "him", "his", "himself", "il"}
FEMALE = {"she", "her", "hers", "herself", "elle"}
SINGULAR = MALE | FEMALE
HONORIFICS = {"mr": "m", "mr.": "m", "m.": "m", "sir": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f",
              "miss": "f", "mme": "f", "mlle": "f", "madame": "f", "monsieur": "m", "dame": "f", "lady": "f"}
# nouns whose meaning carries the sex of the person they describe
GENDERED = {
    "m": {"father", "son", "husband", "brother", "boyfriend", "man", "boy", "spokesman", "chairman", "king", "prince",
          "uncle", "nephew", "grandfather", "grandson", "businessman", "congressman", "councilman", "actor", "dad",
          "widower", "fiancé", "père", "fils", "mari", "frère", "oncle", "homme"},
    "f": {"mother", "daughter", "wife", "sister", "girlfriend", "woman", "girl", "spokeswoman", "chairwoman", "queen",
          "princess", "aunt", "niece", "grandmother", "granddaughter", "businesswoman", "congresswoman",
          "councilwoman", "actress", "mom", "mum", "widow", "fiancée", "mère", "fille", "femme", "épouse", "sœur",
          "tante"},
}
NOUN_SEX = {word: sex for sex, words in GENDERED.items() for word in words}
GENDERED_NOUNS = frozenset(NOUN_SEX)  # nouns that can only mean a person


def role_of(token: Token) -> str:
    if token.dep_ in SUBJECT:  # the main clause's subject first, as centering ranks a sentence's entities
        return "main" if token.head.dep_ == "ROOT" else "subject"
    if token.dep_ in OBJECT:
        return "object"
    if token.dep_ in EMBEDDED or token.dep_ == "appos" and token.head.pos_ == "PROPN":
        return "embedded"
    if token.i and token.doc[token.i - 1].lower_ in COMPLEMENT and token.head.pos_ == "NOUN":
        return "embedded"  # "les travaux de Séralini": a noun's complement, not who the story follows
    return "oblique"


def _marked_gender(doc: Doc, span: Span) -> str | None:
    """The sex an honorific or a noun right beside the name marks: "Mr. Hawes", "her father Omar",
    "Anick Fournier, caporale", "la ministre Mélanie Joly"."""
    before = [t for t in doc[max(0, span.start - 3): span.start]]
    words = [t for t in span[:-1]] + before[::-1]
    for tok in words:
        lower = tok.lower_
        if lower in HONORIFICS:
            return HONORIFICS[lower]
        if lower in NOUN_SEX and tok.pos_ == "NOUN":
            return NOUN_SEX[lower]
        if tok.pos_ in {"ADP", "PUNCT", "VERB", "AUX", "CCONJ"}:
            break
    described = [c for c in span.root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
    if span.start > 0 and doc[span.start - 1].pos_ == "NOUN":
        described.append(doc[span.start - 1])
    for noun in described:
        if noun.lower_ in NOUN_SEX:
            return NOUN_SEX[noun.lower_]
        if doc.lang_ == "fr":  # French marks a title's gender: "la ministre", "caporale à la GRC"; the
            # masculine is also the generic form ("professeur" of a woman), so only a feminine form tells
            determiners = [g[0] for d in noun.children if d.dep_ == "det" and (g := d.morph.get("Gender", []))]
            if determiners:
                return "f" if determiners[0] == "Fem" else "m"
            if noun.morph.get("Gender", []) == ["Fem"]:
                return "f"
    return None


def genders(doc: Doc, persons: Sequence[Entity], quote_spans: list[tuple[int, int]]) -> dict[str, str]:
    """"m" or "f" per person, from what the article marks (the majority of its marks; none on a tie).

    Pronoun evidence: "Easley stayed. She crawled…" (the next sentence's main subject), "Easley said she…"
    (the subject of what a person says) and "Easley found herself" (a reflexive is bound by its clause's
    subject). Object and possessive pronouns are left out: they usually point at someone else ("Easley
    stayed over to monitor his breathing").
    """
    main_subject: dict[int, str] = {}  # sentence start → the person who is its main subject
    speaker_of: dict[int, str] = {}  # token index of a speech verb → its person subject
    votes: dict[tuple[str, str], float] = defaultdict(float)
    vote_later: list[tuple[str, Token]] = []  # (person, pronoun) pairs found before `vote` is defined
    for entity in persons:
        span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
        if span is None or inside(quote_spans, entity.start):
            continue
        marked = _marked_gender(doc, span)
        if marked:
            votes[(entity.canonical, marked)] += 2  # a word that means the sex outweighs one pronoun
        if span.root.dep_ not in SUBJECT:
            continue
        verb = span.root.head
        for child in verb.children:
            if child.dep_ in OBJECT and child.lower_ in {"himself", "herself"}:
                votes[(entity.canonical, "m" if child.lower_ == "himself" else "f")] += 1
        other = any(c.dep_ in {"dobj", "dative"} and c.pos_ == "PROPN" for c in verb.children)  # "asked Stefanson"
        for clause in verb.children:  # "Kinew told reporters as he walked inside": a clause's subject binds it
            if clause.dep_ == "advcl" and clause.i > verb.i and not other and any(
                    c.dep_ == "mark" and c.lower_ in TIME_MARKS for c in clause.children):
                subject = next((t for t in clause.children if t.dep_ in SUBJECT), None)
                if subject is not None and subject.pos_ == "PRON":
                    vote_later.append((entity.canonical, subject))
        if verb.dep_ == "ROOT" and not other:  # after "Nakoda asked Dupuis …", "she said" may be either
            main_subject[span.sent.start] = entity.canonical
        if verb.lemma_.lower() in SPEECH_VERBS and not other:  # "Kinew asked Stefanson if she …": either
            speaker_of[verb.i] = entity.canonical

    def vote(name: str, pronoun: Token) -> None:
        if inside(quote_spans, pronoun.idx):
            return
        if pronoun.lower_ in {"he", "il"}:
            votes[(name, "m")] += 1
        elif pronoun.lower_ in {"she", "elle"}:
            votes[(name, "f")] += 1

    for person, pronoun in vote_later:
        vote(person, pronoun)
    for previous, sent in pairwise(doc.sents):
        name = main_subject.get(previous.start)
        subject = next((t for t in sent.root.children if t.dep_ in SUBJECT), None)
        if name and subject is not None and subject.pos_ == "PRON" and sent.start not in main_subject:
            vote(name, subject)
    for verb_i, name in speaker_of.items():
        for comp in doc[verb_i].children:
            if comp.dep_ == "ccomp":
                subject = next((t for t in comp.children if t.dep_ in SUBJECT), None)
                if subject is not None and subject.pos_ == "PRON":
                    vote(name, subject)
    for name in {e.canonical for e in persons}:  # a clear first name outweighs one pronoun guessed to follow
        if sex := by_first_name(name):
            votes[(name, sex)] += 1.5
    out = {}
    for name in {n for n, _ in votes}:
        m, f = votes[(name, "m")], votes[(name, "f")]
        if m != f:
            out[name] = "m" if m > f else "f"
    return out


class Salience:
    """Person mentions with their weights, and the pronouns of the narration resolved in reading order."""

    def __init__(self, doc: Doc, quote_spans: list[tuple[int, int]], gender: dict[str, str]) -> None:
        self.doc = doc
        self.gender = gender
        self.sentence_of: dict[int, int] = {}  # token index → narrative sentence number
        narrative = 0
        tokens = doc_tokens(doc)
        for sent in doc.sents:
            if any(not t.is_space and not inside(quote_spans, t.idx) for t in tokens[sent.start: sent.end]):
                narrative += 1  # a sentence wholly inside a quote does not move the story on
            self.sentence_of.update(dict.fromkeys(range(sent.start, sent.end), narrative))
        self.mentions: list[tuple[int, int, str, float]] = []  # (token index, sentence, canonical, weight)
        self.mentioned: set[int] = set()  # tokens that are a mention of a person (not a voice)
        # French "il" and "elle" stand for things as often as people ("la grève … elle sera suivie"): there only
        # the subject of a verb of saying is taken for a person
        self.pending = [t for t in tokens if t.lower_ in SINGULAR and t.pos_ == "PRON" and not inside(quote_spans, t.idx)
                        and (doc.lang_ != "fr" or t.dep_ in SUBJECT and t.head.lemma_.lower() in SPEECH_VERBS)]
        self.resolved: dict[int, str | None] = {}
        self.one_person: set[str] = set()  # described speakers whose words hold "and": one person, not a pair

    def add(self, token: Token, canonical: str, role: str | None = None) -> None:
        if role is None and token.dep_ == "compound" and token.head.pos_ == "NOUN":
            return  # "the Acme Pipeline expansion": a name inside a compound is an anaphoric island (Postal)
        weight = SPEAKER if role == "speaker" else WEIGHTS[role or role_of(token)]
        self.mentions.append((token.i, self.sentence_of[token.i], canonical, weight))
        if role != "speaker":
            self.mentioned.add(token.i)

    def add_untagged(self, token: Token, name: str) -> None:
        """A speaker's name the model did not tag ("Patrol Chief James Hall" read as a work of art): a mention
        all the same, so the "he said" after his quote is him, with the sex a clear first name gives."""
        if name not in self.gender and (sex := by_first_name(name)):
            self.gender[name] = sex
        self.add(token, name)

    def add_titles(self, titles: Mapping[str, str], quote_spans: list[tuple[int, int]]) -> None:
        """"the mayor brought it up again": in the narration, a mention of the person who holds that title (or the
        same office in other words: "the judge" titled "Justice")."""
        titles = with_same_offices(titles)
        for tok in doc_tokens(self.doc):
            if (tok.pos_ == "NOUN" and tok.lower_ in titles and TITLES.match(tok.lower_ + " ")
                    and not inside(quote_spans, tok.idx)
                    and "Sing" in tok.morph.get("Number", []) and any(c.lower_ == "the" for c in tok.children)):
                self.add(tok, titles[tok.lower_])

    def add_at(self, char: int, canonical: str) -> None:
        """Someone spoke here: a factor of its own, on top of the role of their mention."""
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        if span is not None and len(span):
            self.add(span[0], canonical, "speaker")

    def pronoun(self, token: Token) -> str | None:
        """The person a third-person singular pronoun refers to, or None when nobody agrees with it."""
        if token.i in self.resolved:
            return self.resolved[token.i]
        while self.pending and self.pending[0].i < token.i:
            earlier = self.pending.pop(0)
            self._resolve(earlier)
        if self.pending and self.pending[0].i == token.i:
            self.pending.pop(0)
        return self._resolve(token)

    def salient(self, token: Token) -> str | None:
        """The most salient person where a description of one stands ("the 45-year-old"), of either sex."""
        return self._most_salient(token, None)

    def _resolve(self, token: Token) -> str | None:
        if token.i in self.resolved:
            return self.resolved[token.i]
        word = token.lower_.lstrip("-")  # "affirme-t-elle"
        wanted = "m" if word in MALE else "f" if word in FEMALE else None
        best = self._most_salient(token, wanted)  # nobody who agrees: "he" is someone the story never named
        self.resolved[token.i] = best
        if best is not None:
            self.add(token, best)
        return best

    def _most_salient(self, token: Token, wanted: str | None) -> str | None:
        here = self.sentence_of[token.i]
        if token.dep_ in SUBJECT:  # "Asked about Reed, he said": a pronoun's own clause does not hold its antecedent
            apart = {t.i for t in token.head.subtree}
            for clause in token.head.children:  # but "When Hancock was challenged, he did not answer": the subject
                if clause.i < token.i and (clause.dep_ == "advcl" and any(
                        c.dep_ == "mark" or c.dep_ == "advmod" and c.tag_ == "WRB" for c in clause.children)
                        or clause.dep_ in {"ccomp", "parataxis"} and clause.right_edge.i + 1 < token.i
                        and token.doc[clause.right_edge.i + 1].text == ";"):  # "Townsend reiterated …; she said"
                    apart -= {t.i for c in clause.children if c.dep_ in SUBJECT for t in c.subtree}  # of a clause before
                elif clause.i < token.i and clause.dep_ == "prep" and clause.lower_ in TOPIC_MARKS and (
                        clause.lower_ != "as" or any(c.lower_ in {"for", "to"} for c in clause.children)):
                    apart -= {t.i for t in clause.subtree}  # "As for Niyonkuru, he says": the topic set before it
            if token.head.dep_ == "parataxis":  # "Kerry, he said, have been …": what he speaks of, not who speaks
                apart |= {t.i for c in token.head.head.children if c.dep_ in SUBJECT and c.i < token.i for t in c.subtree}
        else:  # "Trudeau told him": nor is an object its own verb's subject
            apart = {t.i for t in token.head.children if t.dep_ in SUBJECT}
        objects = {t.i for c in token.head.children if c.dep_ in {"dobj", "dative", "iobj"} for t in c.subtree} \
            if token.dep_ in SUBJECT else set()  # "He told Fraser": whoever "he" is, not the one he told
        named_as_object = {name for at, _, name, _ in self.mentions if at in objects}
        per_sentence: dict[tuple[str, int], float] = {}  # role factors count once per sentence (Lappin & Leass)
        spoke: set[tuple[str, int]] = set()
        for at, sentence, name, weight in self.mentions:
            if at >= token.i or (" and " in name and name not in self.one_person) or (
                    wanted and self.gender.get(name, wanted) != wanted) or name in named_as_object:
                continue
            if sentence == here and at in apart:
                continue
            if weight == SPEAKER:
                spoke.add((name, sentence))
            else:
                per_sentence[(name, sentence)] = max(per_sentence.get((name, sentence), 0.0), weight)
        scores: dict[str, float] = {}
        for (name, sentence), weight in per_sentence.items():
            # the best recent realisation, not a sum over the story: a person just introduced as a subject
            # outranks someone the story followed for paragraphs (the centre shifts, as in centering theory)
            value = (weight + SPEAKER * ((name, sentence) in spoke)) / 2 ** (here - sentence)
            scores[name] = max(scores.get(name, 0.0), value)
        return max(scores, key=lambda n: scores[n]) if scores else None
