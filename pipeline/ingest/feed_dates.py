"""A feed item's date as an aware UTC time, with the zones feeds actually write.

RFC 822 knows only "GMT", "UT" and the US zones; feeds also write `-04:00`, `GMT+2`, `CET`, `BST` or `AEST`.
Python's parser and feedparser read those as UTC (a Sydney story then lands ten hours in the future and is
clamped to its ingest time, its real date lost), so the zone is read here, and a zone no one can read is
said so (None: the item is dated when it was first seen) rather than guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# the zone names of the outlets Newswatch follows, in hours east of UTC; "IST" (India, Ireland, Israel) and
# "CST" beyond RFC 822 are ambiguous and left out
_ZONES = {"WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
          "SAST": 2, "PKT": 5, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5,
          "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "AKST": -9, "AKDT": -8, "HST": -10, "NST": -3.5,
          "NDT": -2.5, "AST": -4, "ADT": -3}
# what follows the clock: an offset with a colon, "GMT+2", or a zone's name
_ZONE_AFTER_TIME = re.compile(r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<zone>[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?"
                              r"|[+-]\d{1,2}:\d{2})\s*$")
_TWELVE_HOUR = re.compile(r"\d\s*([AP]M)\s*$", re.I)
_OFFSET = re.compile(r"(?:GMT|UTC|UT)?(?P<sign>[+-])(?P<hours>\d{1,2}):?(?P<minutes>\d{2})?")


def feed_date(value: str | None) -> datetime | None:
    """An RFC 822 or ISO 8601 date in UTC; None when it is no date, or its zone cannot be read."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            return None
    if when.tzinfo is None:
        zone = _zone(value)
        if zone is None:
            return None
        if (twelve := _TWELVE_HOUR.search(value)) is not None:  # "10:00 PM": the standard parser reads the clock alone
            when = when.replace(hour=when.hour % 12 + (12 if twelve.group(1).upper() == "PM" else 0))
        when = when.replace(tzinfo=zone)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):  # "31 Dec 9999 23:59:59 -0500" is past what a datetime holds in UTC
        return None


def _zone(value: str) -> timezone | None:
    """The zone written after a date's clock that the standard parser left out; UTC when none is written
    (RFC 822's "-0000", or no zone at all)."""
    found = _ZONE_AFTER_TIME.search(value)
    if found is None or found.group("zone").upper() in {"-0000", "+0000", "GMT", "UT", "UTC", "Z", "AM", "PM"}:
        return UTC  # "10:00 AM": a twelve-hour clock, no zone
    zone = found.group("zone").upper()
    if zone in _ZONES:
        return timezone(timedelta(hours=_ZONES[zone]))
    offset = _OFFSET.fullmatch(zone)
    if offset is None or int(offset.group("hours")) > 14 or int(offset.group("minutes") or 0) >= 60:
        return None
    minutes = int(offset.group("hours")) * 60 + int(offset.group("minutes") or 0)
    return timezone(timedelta(minutes=minutes if offset.group("sign") == "+" else -minutes))
