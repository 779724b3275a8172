"""The words that mark speech in English and French: speech verbs, pronouns, days that end a speaker's name."""

from __future__ import annotations

SPEECH_VERBS = {
    "say", "tell", "add", "state", "explain", "note", "claim", "argue", "insist", "warn", "write", "tweet",
    "ask", "reply", "respond", "answer", "announce", "acknowledge", "admit", "confirm", "deny", "suggest",
    "hint", "allege", "report", "testify", "predict", "estimate", "conclude", "recall", "continue", "urge",
    "joke", "complain", "emphasize", "emphasise", "stress", "observe", "remark", "caution", "mention",
    "indicate", "declare", "assert", "contend", "maintain", "concede", "promise", "vow", "recommend",
    "describe", "blurt", "chant", "post", "quip", "counter", "lament", "boast", "plead", "demand", "shout",
    "agree", "believe", "think", "point", "begin", "go", "call", "reveal", "find", "show", "quote",
    "rejoin", "retort", "interject", "exclaim", "muse", "scoff", "snap", "reiterate", "recount", "speculate",
    "reason", "concur", "protest", "marvel", "whisper", "yell", "scream", "wonder", "assure", "pledge", "grumble",
    "mutter", "gush", "rebut", "opine", "posit", "surmise", "charge", "press", "underline", "affirm", "clarify",
    "elaborate", "reckon", "comment",  # not "disclose": "disclosed that it had …" is a filing more often than speech
    "clamor", "clamour", "cry", "holler", "beg", "implore", "bellow", "shriek", "sob", "murmur", "sigh",
    # French
    "dire", "déclarer", "affirmer", "expliquer", "ajouter", "indiquer", "souligner", "préciser", "estimer",
    "rappeler", "assurer", "raconter", "confier", "lancer", "soutenir", "admettre", "reconnaître", "écrire",
    "annoncer", "noter", "avancer", "insister", "répondre", "déplorer", "dénoncer", "poursuivre",
}
# Verbs that introduce reported speech only in their plain reporting sense.
REPORT_VERBS = SPEECH_VERBS - {"continue", "go", "begin", "call", "describe", "ask", "chant", "post", "find", "quote",
                                "show", "think", "believe", "agree", "point", "recall", "poursuivre",
                                "wonder", "marvel", "scream", "yell", "whisper", "press", "clamor", "clamour", "cry",
                                "holler", "beg", "implore", "bellow", "shriek", "sob", "murmur", "sigh"}
# verbs of getting hold of a document, not of making it: "the memo, obtained by The Globe"
ACCESS_VERBS = {"obtain", "see", "review", "acquire", "get", "receive", "read", "leak", "view", "examine", "share",
                "obtenir", "consulter", "voir", "recevoir", "lire"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "lundi", "mardi",
            "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
PRONOUNS = {"he", "she", "him", "her", "il", "elle", "lui"}  # "lui": "selon lui"


def inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)
