"""Figures: the numbers of people a text reports, each with what is counted, the kind of event, place and date.

A number expression (`numbers.find_amounts`) is a figure when the dependency parse ties it to people: it
counts a person noun ("56 people", "hundreds of Colorado residents", "des milliers de réfugiés") or it is
itself the subject or object of a verb said of people ("nearly 50,000 displaced", "Thirty rescued"), or it
carries on a count of people just made ("520,000 refugees … could rise to four million"). The kind comes
from a lexicon of verbs, adjectives and nouns met on the way from the counted word up the parse (killed →
died, fled → displaced, held → detained, …); the place is the nearest place named in the sentence, else the
text's focus; a quote around the number gives the speaker. Hands on `extract_figures(doc, located, quotes)`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipeline.nlp.doc_cache import doc_text
from pipeline.nlp.numbers import find_amounts
from pipeline.nlp.places import Located, qualifying

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from pipeline.nlp.quotes import Quote

# Kinds of figure by the lemmas that announce them (English and French), most telling first.
KIND_WORDS: dict[str, set[str]] = {
    "died": {"kill", "die", "dead", "death", "drown", "perish", "freeze", "toll", "body", "fatality", "murder",
             "massacre", "slay", "execute", "fatally", "tuer", "mourir", "mort", "décéder", "décès", "noyer", "périr",
             "cadavre", "corps", "exécuter", "mortellement"},
    "missing": {"missing", "disappear", "unaccounted", "lose", "search", "disparaître", "disparu", "introuvable"},
    "rescued": {"rescue", "save", "secourir", "sauver", "repêcher", "sauvetage"},
    "deported": {"deport", "deportation", "remove", "removal", "expel", "transfer", "deportee", "expulser",
                 "renvoyer", "déporter", "reconduire", "expulsion", "refouler"},
    "detained": {"detain", "hold", "arrest", "imprison", "jail", "lock", "intercept", "apprehend", "intern", "capture",
                 "custody", "detainee", "détenir", "arrêter", "interpeller", "intercepter", "incarcérer", "retenir"},
    "crossed": {"cross", "crossing", "traverser", "franchir", "traversée"},
    "arrived": {"arrive", "arrival", "land", "aground", "ashore", "disembark", "arriver", "débarquer", "accoster",
                "migrate", "immigrate"},
    "applied": {"apply", "application", "claim", "applicant", "demander", "demande", "demandeur", "postuler"},
    "displaced": {"flee", "displace", "evacuate", "evacuation", "escape", "uproot", "exodus", "pour", "spill",
                  "fuir", "déplacer", "évacuer", "quitter", "exiler", "leave"},
    "hosted": {"host", "house", "shelter", "welcome", "accommodate", "sponsor", "harbour", "harbor", "refuge",
               "accueillir", "héberger", "loger", "abriter", "recevoir"},
}
# Words that say the count is of something else (injured, employed, granted a visa): the kind is "other".
KIND_WORDS["other"] = {"injure", "wound", "hurt", "affect", "employ", "grant", "issue", "give", "blesser",
                       "attack", "assault", "agresser", "hospital", "hospitalise", "hospitalize", "hôpital",
                       "population", "trap", "injury"}
PHRASES = {("take", "in"): "hosted", ("run", "aground"): "arrived", ("send", "back"): "deported",
           ("pick", "up"): "rescued", ("lock", "up"): "detained", ("turn", "back"): "deported",
           ("round", "up"): "detained", ("lock", "down"): "other"}
WANTED = {"suspect", "fugitive", "gunman", "attacker", "killer", "robber", "thief", "culprit", "perpetrator",
          "escapee", "smuggler", "trafficker"}  # people searched for who are not missing
YEAR_BEFORE = {"the", "in", "since", "of", "by", "from", "until", "before", "after", "during", "'s", "’s"}
ASYLUM = {"asylum", "refuge", "protection", "status", "asile"}  # what one claims when one applies
REFUGEES = {"refugee", "réfugié", "evacuee", "exilé", "displaced", "déplacé"}  # counted without a verb: displaced
LEFT_BEHIND = {"leave", "quitter"}  # people who are left (the object) stay: those who leave are the displaced
CAPACITY = {"capacity", "capacité", "room", "space", "bed", "lit", "place"}  # "capacity for 200 people": places
VENUES = {"arena", "stadium", "venue", "hall", "theatre", "theater", "auditorium", "room", "boat", "vessel", "ship",
          "bus", "plane", "aircraft", "building", "church", "school", "centre", "center", "facility", "tent"}
BUILT_FOR = {"build", "design", "plan", "equip", "intend", "construire", "concevoir", "prévoir"}
KEEPERS = {"police", "authority", "officer", "agent", "government", "they", "we", "he", "she", "it", "ice", "court"}
HELD = {"detainee", "prisoner", "inmate", "migrant", "refugee", "seeker", "suspect", "child", "minor", "family", "man", "woman"}
CUSTODY = {"custody", "detention", "jail", "prison", "détention", "garde"}
TRANSPARENT = {"include", "including", "among", "dont", "notamment", "carry", "believe", "have", "be"}
KIND_OF = {lemma: kind for kind, lemmas in KIND_WORDS.items() for lemma in lemmas}
PEOPLE = {"people", "person", "migrant", "refugee", "asylum", "seeker", "child", "kid", "woman", "man", "adult",
          "baby", "family", "resident", "civilian", "student", "worker", "employee", "staff", "soldier", "troop",
          "passenger", "survivor", "victim", "body", "national", "citizen", "evacuee", "deportee", "detainee",
          "prisoner", "inmate", "applicant", "application", "visa", "minor", "teenager", "patient", "volunteer",
          "scholar", "gardener", "member", "individual", "crew", "pupil", "orphan", "villager", "local", "guest",
          "arrival", "death", "casualty", "life", "hostage", "protester", "demonstrator", "official", "officer",
          "source", "doctor", "nurse", "journalist", "fighter", "boy", "girl", "youngster", "infant", "newborn",
          "fan", "supporter", "spectator", "suspect", "mourner", "witness", "tourist", "visitor", "voter", "parent",
          "mother", "father", "son", "daughter", "relative", "neighbour", "neighbor", "defendant", "athlete",
          "personne", "réfugié", "demandeur", "enfant", "femme", "homme", "famille", "habitant",
          "civil", "étudiant", "élève", "travailleur", "mineur", "victime", "mort", "exilé", "ressortissant",
          "passager", "rescapé", "survivant", "détenu", "gens", "individu", "ukrainien", "afghan", "syrien",
          "haïtien", "mexicain", "demande", "bébé", "soldat", "blessé", "disparu"}
NOT_PEOPLE = {"reactor", "generator", "motor", "sensor", "detector", "processor", "elevator", "radiator",
              "tractor", "factor", "sector", "vector", "indicator", "corridor", "ventilator", "simulator",
              "order", "paper", "center", "centre", "container", "meter", "letter", "incident", "document",
              "event", "segment", "element", "payment", "comment", "agreement", "statement", "government",
              "department", "apartment", "tent", "cent", "percent", "number", "year", "border", "river",
              "tower", "computer", "monitor", "quarter", "hour", "minister", "parliament", "point", "amount",
              "degree", "fee", "tree", "committee", "guarantee", "centimeter", "kilometer", "litre", "liter",
              "shelter", "trailer", "chapter", "charter", "cluster", "filter", "poster", "banner", "barrier",
              "corner", "disorder", "shower", "water", "matter", "flower", "cover", "helicopter", "theater", "theatre",
              "character", "register", "counter", "dinner", "finger", "folder", "laser", "error", "mirror", "floor",
              "door", "color", "colour", "honor", "honour", "labor", "labour", "favor", "rumor", "tumor", "interior"}
PERSON_ENDINGS = ("ers", "ors", "ists", "ians", "ees", "ants", "ents", "eurs", "iens", "ais", "aises")
NUMBER_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"}
STREETS = {"street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "drive", "highway",
           "chemin", "rue", "route", "rang", "autoroute", "montée", "côte"}
SUBJECT_OBJECT = {"nsubj", "nsubjpass", "nsubj:pass", "dobj", "obj", "pobj", "obl", "conj", "appos", "ROOT",
                  "attr", "npadvmod", "dep", "nmod", "obl:arg", "obl:mod", "oprd"}  # oprd: "left five dead"


def _lemma(tok: Token) -> str:
    return (tok.lemma_ or tok.text).lower()


def _is_person_noun(tok: Token) -> bool:
    lemma, text = _lemma(tok), tok.text.lower()
    if lemma in NOT_PEOPLE or text in NOT_PEOPLE:
        return False
    if lemma in PEOPLE or text in PEOPLE or tok.ent_type_ == "NORP" and tok.pos_ in ("PROPN", "NOUN"):
        return True
    return tok.pos_ == "NOUN" and text.endswith(PERSON_ENDINGS) and len(text) > 5


def _counted_noun(span: Span, doc: Doc) -> Token | None:
    """The noun a number counts: its head when it modifies one, or the noun after "of"/"de", or the next
    noun over adjectives and compounds ("two aid workers", "desperate Ukrainian refugees")."""
    root = span[-1]
    if root.dep_ == "nummod" and root.head.pos_ in ("NOUN", "PROPN") and root.head.i > root.i:
        return root.head
    i = span.end
    if i + 1 < len(doc) and doc[i].text in ("-", "–") and doc[i + 1].lower_ == "strong":
        i += 2  # "a 300-strong group of migrants", "a 50-strong crowd"
        if i + 1 < len(doc) and doc[i].lower_ in ("group", "crowd", "contingent", "team", "delegation") \
                and doc[i + 1].lower_ == "of":
            i += 1  # the people the group is of
    if i < len(doc) and doc[i].lower_ in ("of", "de", "d'", "d’"):
        i += 1
    for tok in doc[i:i + 5]:
        if tok.lower_ in ("more", "others", "more,", "de", "plus"):
            return None
        if tok.pos_ in ("NOUN", "PROPN") and (tok.i + 1 >= len(doc) or doc[tok.i + 1].pos_ not in ("NOUN",)
                                              or not _is_person_noun(doc[tok.i + 1])):
            return tok
        if tok.pos_ not in ("ADJ", "DET", "PROPN", "NOUN", "NUM", "ADV") or tok.is_punct:
            return None
    return None


def _kind(noun: Token, root: Token) -> str | None:
    """The first lemma of the lexicon met on the counted word, then up the parse to the first verb that says
    something (with its particles and complements: "found dead", "forced to flee", "take in"), then in the
    clauses that describe the word; None when nothing says."""
    def lookup(tok: Token) -> str | None:
        if _lemma(tok) == "claim" and tok.pos_ == "VERB" and not any(_lemma(c) in ASYLUM for c in tok.children):
            return None  # "students claiming the schools colluded": a claim, not an application
        if _lemma(tok) == "search" and (_lemma(noun) in WANTED or not any(c.lower_ == "for" for c in tok.children)):
            return None  # a search for the lost, not for suspects, nor of passengers' bags
        return KIND_OF.get(_lemma(tok)) or KIND_OF.get(tok.lower_)

    def verb_kind(verb: Token, conj: bool = True) -> str | None:
        if _lemma(verb) == "leave":  # "left 11 people wounded", "left five dead": what they were left
            for obj in (noun, *(c for c in verb.children if c.dep_ in ("dobj", "obj"))):
                state = verb.doc[obj.i + 1] if obj.i + 1 < len(verb.doc) else None
                if state is not None and state.tag_ in ("VBN", "JJ"):
                    return lookup(state) or "other"
        for c in verb.children:
            if c.dep_ == "prt" and (kind := PHRASES.get((_lemma(verb), c.lower_))):
                return kind
        for w in (*(c for c in verb.children if c.dep_ in ("xcomp", "acomp", "oprd", "prt")), verb,
                  *(c for c in verb.children if conj and c.dep_ == "conj" and c.pos_ == "VERB"),  # "shot and killed"
                  *(c for c in verb.children if c.dep_ in ("dobj", "obj", "advmod", "advcl", "nsubj"))):
            if kind := lookup(w):
                return kind
        if any(lookup(g) == "other" for c in verb.children if c.dep_ == "prep" for g in c.children):
            return "other"  # "taken to hospital" (not "sentenced to death": a place says it, a fate does not)
        if any(_lemma(g) in CUSTODY for c in verb.children if c.dep_ == "prep" and c.lower_ in ("into", "in")
               for g in c.children):
            return "detained"  # "taken into custody", "kept in detention"
        if any(_lemma(c) in REFUGEES for c in verb.children if c.dep_ in ("attr", "oprd")):
            return "displaced"  # "will become refugees"
        return None

    if noun.pos_ in ("VERB", "ADJ") and lookup(noun) == "other":
        return "other"  # "and more than 60 hurt": the number counts the hurt, not the killed beside them
    for c in noun.children:
        if c.dep_ in ("acl", "amod") and c.pos_ == "VERB" and lookup(c) == "other":
            return "other"  # "killed and 10 others injured": the count of the hurt beside the dead
    for tok in (noun, *(c for c in noun.children if c.dep_ in ("amod", "compound"))):
        if (kind := lookup(tok)) and kind != "other":
            return kind
    tok = noun
    for _ in range(6):
        if tok.head.i == tok.i:
            break
        below, tok = tok, tok.head
        if tok.pos_ in ("VERB", "AUX", "ADJ") or tok.dep_ == "ROOT":
            kind = verb_kind(tok)
            if _lemma(tok) in LEFT_BEHIND and below.dep_ in ("dobj", "obj") and below.i > tok.i:
                return "other" if kind in (None, "displaced") else kind  # "to leave his wife, two children"
            if kind:
                return kind
            if _lemma(tok) in TRANSPARENT or tok.dep_ in ("acl", "prep"):
                continue  # "including two children", "a boat carrying 300 migrants ran aground"
            break
        if kind := lookup(tok):
            return kind
    partners = [noun, *(c for c in noun.children if c.dep_ == "conj"), *([noun.head] if noun.dep_ == "conj" else [])]
    for described in partners:  # and "7 British citizens and 1 American being held by the Taliban"
        for c in described.children:
            if c.dep_ in ("acl", "relcl", "acl:relcl") and (kind := verb_kind(c, conj=False)):  # not "men who chased and murdered"
                return kind
    return None


def _unit(noun: Token) -> str:
    mods = [c for c in noun.lefts if c.dep_ in ("compound", "amod") and (c.ent_type_ == "NORP" or c.dep_ == "compound"
                                                                          or c.lower_ in ("displaced", "asylum"))]
    return " ".join([*(m.text for m in mods), noun.text])


MOST_PEOPLE = 1e10


def extract_figures(doc: Doc, located: Located, quotes: list[Quote] | None = None,
                    language: str = "en") -> list[dict[str, Any]]:
    """The people counts of a parsed text, one per distinct (value, kind), first mention first."""
    figures: list[dict[str, Any]] = []
    last_unit: tuple[int, str, str] | None = None  # (sentence start, unit, kind) of the last people count
    seen: set[tuple[Any, str, str]] = set()
    text = doc_text(doc)
    for amount in find_amounts(text, language):
        span = doc.char_span(amount.start, amount.end, alignment_mode="expand")
        if span is None or len(span) == 0 or amount.value == 1 or _not_a_count(span, doc):
            continue  # one person is a story, not a figure
        if amount.value is not None and amount.value > MOST_PEOPLE:
            continue  # a serial number, a typo or hostile text: more people than live on Earth (and past a float)
        if amount.start >= 2 and text[amount.start - 1] == "-" and text[amount.start - 2].isalpha():
            continue  # "Covid-19", "F-16", "G-7": a name with a number in it
        if text[amount.start - 1: amount.start] == "/" or text[amount.end: amount.end + 1] == "/":
            continue  # "9/11", "24/7": a date or a rate, no count of people
        if _sized_thing(text, amount.end, doc):
            continue  # "a 12-member jury", "a six-person panel": the size of a body, not people in the news
        root = span[-1]
        sent = root.sent
        noun = _counted_noun(span, doc)
        if _year(span) and (noun is None or noun.i != span.end or language == "en" and amount.qualifier is None
                            and span.start > 0 and doc[span.start - 1].lower_ in YEAR_BEFORE):
            continue  # "the 2017 murders", "over 2017 killing"; not "more than 2000 migrants"
        if _capacity(noun if noun is not None else root):
            continue  # "a camp built for 3,000 people", "d'une capacité de 400 personnes": places, not people
        unit, kind, counted = None, None, noun is not None and _is_person_noun(noun)
        labels = {t.ent_type_ for t in span if t.like_num}
        if noun is not None and counted:
            unit = _unit(noun)
            kind = _kind(noun, root)
            if kind is None and _lemma(noun) in REFUGEES:
                kind = "displaced"  # a count of refugees is a count of people displaced
        elif noun is not None and noun.i == span.end and _fate(noun) and not labels & {"MONEY", "PERCENT"}:
            unit, kind = "people", _fate(noun)  # "Half a million flee": a headline's verb the tagger took for a noun
        elif labels & {"MONEY", "PERCENT", "TIME", "ORDINAL", "QUANTITY"} or _years_or_ages(span, doc) \
                or noun is not None and noun.i == span.end:
            continue
        elif noun is None:
            head = root.head if root.dep_ in ("nummod", "quantmod", "compound") else root
            kind = _kind(head, head)
            if head.dep_ in SUBJECT_OBJECT and kind not in (None, "other") and not labels & {"DATE"}:
                unit = "people"  # "nearly 50,000 displaced", "Thirty rescued"
            elif (last_unit and last_unit[0] >= sent.start - 200 and head.dep_ in SUBJECT_OBJECT
                  and (amount.value is None or amount.value >= 10) and doc[span.start - 1].lower_ != "the"):
                unit = last_unit[1]  # "520,000 refugees … could rise to four million": the same count, later
                kind = kind or last_unit[2]
        if unit is None:
            continue
        kind = kind or "other"
        last_unit = (sent.start, unit, kind)
        key = (amount.value if amount.value is not None else amount.qualifier, "", "")
        if key in seen:
            continue  # the headline's count again in the summary
        seen.add(key)
        end_char = noun.idx + len(noun.text) if counted and noun is not None and noun.i >= span.end else span.end_char
        figures.append({"text": text[span.start_char:end_char],
                        "value": amount.value, "qualifier": amount.qualifier, "unit": unit, "kind": kind,
                        "place": _place_near(located, span, sent), "date": _date_in(sent),
                        "sentence": sent.text.strip(), "speaker": _speaker(quotes or [], span),
                        "start": span.start_char, "end": end_char})
    return figures


def _capacity(word: Token) -> bool:
    """Whether a count is of the places something has or was made for, not of people: "capacity for 200
    people", "room for 500", "built for 3,000 people", "d'une capacité de 400 personnes"."""
    prep = word.head
    if word.dep_ == "dobj" and _lemma(prep) == "hold":
        subject = next((c for c in prep.children if c.dep_ == "nsubj"), None)
        keepers = subject is not None and (_is_person_noun(subject) or _lemma(subject) in KEEPERS)
        venue = subject is not None and _lemma(subject) in VENUES or prep.dep_ == "relcl" and _lemma(prep.head) in VENUES
        if prep.tag_ == "VB" and any(c.lower_ in ("can", "could") for c in prep.children) and not keepers \
                or prep.tag_ in {"VBZ", "VBP"} and venue and _lemma(word) not in HELD:
            return True  # "the camp can hold 3,000 people", "the stadium holds …": room; "the centre was holding
        # 4,000 people", "the boat held 400 migrants", "the facility holds 1,200 detainees", "police can hold the 12
        # suspects" are people held
    if word.dep_ not in ("pobj", "nmod", "obl") or prep.i == word.i:
        return False
    if prep.pos_ == "ADP":
        if prep.lower_ not in ("for", "of", "de", "pour", "d'", "d’"):
            return False
        prep = prep.head
    return _lemma(prep) in CAPACITY or prep.pos_ == "VERB" and _lemma(prep) in BUILT_FOR


def _fate(word: Token) -> str | None:
    """What a verb of the lexicon says befell people, when it stands where a counted noun would ("flee")."""
    if word.tag_ not in ("NN", "VB", "VBP", "VBD", "VBN") or word.lower_.endswith("s"):
        return None
    kind = KIND_OF.get(word.lower_) or KIND_OF.get(_lemma(word))
    return kind if kind != "other" else None


def _not_a_count(span: Span, doc: Doc) -> bool:
    """"Title 42", "Channel 4", "one in seven", "called 911": a number in a name, a ratio or a phone line."""
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and (before.text in ("£", "$", "€", "US$", "C$", "#", "No", "no.")
                               or _lemma(before) in ("call", "dial", "phone", "ring", "appeler", "composer")):
        return True  # a sum, a number's sign, or the emergency line one calls ("called 911")
    if before is not None and before.pos_ in ("PROPN", "NOUN") and before.text[:1].isupper() and span[0].like_num \
            and span[0].text[:1].isdigit() and not before.is_stop:  # "Some 50 people", tagged a noun, counts
        return True  # "Title 42", "Flight 752" (a capitalised common noun: the model tags "Flight" so)
    if before is not None and before.lower_ in ("in", "sur") and span.start > 1 and doc[span.start - 2].like_num:
        return True
    if before is not None and (before.lower_ in ("by", "de") and span.start > 1 and _lemma(doc[span.start - 2]) in _CHANGES
                               or _lemma(before) in _CHANGES and before.pos_ == "VERB"):
        return True  # "the toll rose by 12 to 53", "rose 12 to 53": how much it changed, not a count of people
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.lower_ in ("in", "out", "sur") and span.end + 1 < len(doc) \
            and doc[span.end + 1].like_num:
        return True
    return _date_or_address(span, doc)


_CHANGES = {"rise", "increase", "jump", "climb", "grow", "fall", "drop", "decrease", "decline", "augmenter", "baisser", "diminuer"}


def _date_or_address(span: Span, doc: Doc) -> bool:
    """"du 22 et 23 juillet", "July 24", "au 339, chemin Guay", "1200 Vine Street": a day or a street number.

    The French model tags no dates, and a number carried on from a count of people just made
    ("… 300 demandeurs. … situé au 339, chemin Guay") would otherwise count them."""
    if span.start > 0 and _month(doc[span.start - 1]):
        return True
    ahead = [t for t in doc[span.end:span.end + 4] if not t.is_punct or t.text != ","]
    for tok in ahead:
        if _month(tok) or tok.lower_ in STREETS:
            return True
        if not (tok.like_num or tok.lower_ in ("et", "and", "au", "to", "-", "–") or tok.text[:1].isupper()):
            return False
    return False


def _month(tok: Token) -> bool:
    """"July", "juillet"; "may" and "march" only as names ("120 may have drowned")."""
    return tok.lower_ in MONTHS and (tok.lower_ not in ("may", "march") or tok.text[:1].isupper())


def _year(span: Span) -> bool:
    """1933, 2021: four digits without a thousands separator, from the last century or this one ("over 2017")."""
    text = span[-1].text
    return text.isdigit() and len(text) == 4 and text[:2] in ("19", "20")


def _years_or_ages(span: Span, doc: Doc) -> bool:
    """1933, 2021, "aged 5", "five-year-old": numbers that are not counts."""
    text = span.text.strip()
    if _year(span) or text.isdigit() and len(text) > 1 and text[0] == "0":
        return True
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    first = next((t for t in span if t.like_num), None)  # "aged 15 to 44", "aged between 18 and 25": one range
    aged = before in ("aged", "age", "âgé", "âgée", "âgés", "âgées", "ages") or before == "of" and span.start > 1 \
        and doc[span.start - 2].lower_ == "age" or before in ("and", "et", "to") and span.start > 2 and doc[span.start - 3].lower_ \
        in ("aged", "ages", "âgés", "âgées")  # "over the age of 65", "aged 16 and 17"; "at" only bare: "stands at more than 100"
    if (aged and (span[0].like_num or span[0].lower_ in ("between", "entre")) or before == "at" and text.isdigit()) \
            and first is not None and first.text.isdigit() and int(first.text) < 120:
        return True  # "dead at 78", "aged 12"
    if span[0].lower_ in ("over", "under", "above") and before in _PEOPLE_OF_AN_AGE and span[-1].text.isdigit() \
            and int(span[-1].text) < 120 and not (span.end < len(doc) and doc[span.end].pos_ == "NOUN"):
        return True  # "people over 65 were evacuated": an age, not a count of people
    after = doc[span.end:span.end + 3].text.lower()
    if _ages_between_commas(span, doc):
        return True  # "a woman, 50, and her son", "Bob Saget, 65,", "the children, 12 and 14,": ages
    return after.startswith(("-year", "year-old", "years old", "ans", "%", "per cent", "percent", "o'clock", "h ",
                             "or older", "or over", "or younger", "and older", "and over", "and under"))


_PEOPLE_OF_AN_AGE = {"people", "children", "adults", "men", "women", "residents", "those", "anyone", "patients"}
_BODIES = {"jury", "panel", "committee", "board", "council", "commission", "cabinet", "bench", "tribunal", "parliament",
           "assembly", "senate", "chamber", "legislature", "orchestra", "choir"}  # sizes of bodies, no news of people
_SIZED = re.compile(r"-(member|person|people|man|woman|strong)\s+(\w+)")


def _sized_thing(text: str, end: int, doc: Doc) -> bool:
    """A number joined to "member" or "person" before a body that has that many seats: "a 12-member jury". "A
    2,000-person crowd", "a five-member family", "a 20-member gang" stay counts of people."""
    found = _SIZED.match(text, end)
    if found is None or found.group(1) == "strong":
        return False
    word = doc.char_span(found.start(2), found.end(2))
    noun = word[0] if word is not None and len(word) == 1 else None
    return noun is not None and _lemma(noun) in _BODIES


def _ages_between_commas(span: Span, doc: Doc) -> bool:
    """Numbers alone between commas right after a person ("Bob Saget, 65,", "the boys, 12 and 14,")."""
    start, end = span.start, span.end
    while start > 0 and (doc[start - 1].like_num or doc[start - 1].lower_ in ("and", "or")):
        start -= 1
    while end < len(doc) and (doc[end].like_num or doc[end].lower_ in ("and", "or")):
        end += 1
    numbers = [t for t in doc[start:end] if t.like_num]
    return start > 1 and doc[start - 1].text == "," and (doc[start - 2].pos_ == "PROPN" or _is_person_noun(doc[start - 2])) \
        and (end >= len(doc) or doc[end].text in (",", ")", ".", ";")) \
        and all(t.text.isdigit() and int(t.text) < 120 for t in numbers)


def _place_near(located: Located, span: Span, sent: Span) -> str | None:
    """The place named nearest the number in its sentence, else the text's focus."""
    doc = span.doc
    qualifiers = qualifying(located.mentions, doc)
    near = [m for m in located.mentions if sent.start <= m.start < sent.end and m.place is not None
            and id(m) not in qualifiers]  # "San Antonio, Texas": the place is San Antonio
    if near:
        verb = span[-1]
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:  # spaCy makes a new Token per access: `is` never holds
            verb = verb.head

        def governed(m: Any) -> bool:  # "died off Lampedusa": the place hangs on the figure's verb
            tok = doc[m.start]
            for _ in range(4):
                if tok.i == verb.i:  # spaCy makes a new Token per access: `is` never held, and the nearest place won
                    return True
                if tok.head.i == tok.i:
                    return False
                tok = tok.head
            return False

        best = min(near, key=lambda m: (not governed(m), min(abs(m.start - span.end), abs(m.end - span.start))))
        return best.place.name if best.place else None
    return located.focus["name"] if located.focus else None


def _date_in(sent: Span) -> str | None:
    dates = [e.text for e in sent.ents if e.label_ == "DATE"]
    return dates[0] if dates else None


def _speaker(quotes: list[Quote], span: Span) -> str | None:
    for q in quotes:
        if q.start <= span.start_char and span.end_char <= q.end and (q.speaker_canonical or q.speaker):
            return q.speaker_canonical or q.speaker
    return None
