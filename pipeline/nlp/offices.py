"""Offices news describes people by, before it names them or after: who "the senior officer" or "A Cabinet
Minister" is (the rules that use them are in `introduced` and `speakers`)."""

from __future__ import annotations

# offices news describes a named person by: before naming them ("A Federal Court judge has set aside …", then
# "Justice Ann Marie Mcdonald said") or after ("the senior officer"); not bystanders ("a witness", "a resident")
OFFICE_NOUNS = {"official", "officer", "minister", "judge", "justice", "lawyer", "attorney", "prosecutor", "mayor",
                "governor", "senator", "lawmaker", "legislator", "commissioner", "chief", "director", "executive",
                "secretary", "diplomat", "envoy", "ambassador", "commander", "inspector", "detective", "coroner",
                "economist", "scientist", "researcher", "professor", "doctor", "physician", "expert", "councillor",
                "councilor", "premier", "president", "leader", "taoiseach", "chancellor", "advocate", "activist",
                "campaigner", "analyst"}


def voice_described_again(phrase: str, head: str, plural: bool, last_speaker: tuple[int, str] | None,
                          pos: int, reach: int) -> str | None:
    """"Kumar said. … Hours after …, the senior officer said …": a definite description of an office, which the
    article gave nobody (no title, no earlier "an officer"), is the person who spoke just before, by name."""
    words = phrase.lower().split()
    if plural or words[:1] != ["the"] or head.lower() not in OFFICE_NOUNS or last_speaker is None:
        return None
    at, name = last_speaker
    return name if 0 < pos - at <= reach and " and " not in name else None
