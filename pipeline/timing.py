"""Clock and delay helpers every stage shares: the current UTC time, p50/p95 of a list of delays."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def percentiles(name: str, values: list[float]) -> dict[str, float]:
    """p50 and p95 of a list of delays (empty when there are none)."""
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {f"{name}_p50": round(pick(0.5), 2), f"{name}_p95": round(pick(0.95), 2)}
