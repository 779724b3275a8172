"""Numbers read from the outside world, parsed with bounds so that no header or feed can overflow us.

A server controls `Retry-After`, `Cache-Control: max-age`, `Content-Length`, an RSS `<ttl>` and the
ports in its links. Python's integers never overflow, but what they feed does (`timedelta`,
`float`, the socket layer), and a 400-digit number costs time to convert: every such value goes
through `bounded_int`, which reads at most a few digits and clamps the result.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\s*\+?(\d+)\s*")
MAX_DIGITS = 18  # more than any bound below needs; longer numbers are clamped without conversion


def bounded_int(value: object, low: int, high: int) -> int | None:
    """`value` as a whole number clamped to [low, high], or None when it is not a plain non-negative number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return min(high, max(low, value))
    match = _DIGITS.fullmatch(str(value)[:1000])
    if match is None:
        return None
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        return high
    return min(high, max(low, int(digits)))
