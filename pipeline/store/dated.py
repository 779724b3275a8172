"""Time-based records in monthly indices: which index a record goes to, and which months have expired.

Poll records (and, by the same helper, any record that only ever grows with time) are written to
`<alias>-YYYY.MM` by the month of their own time field, so a record's index follows from the record
and a retried write overwrites it in place, never a copy in another month. The template gives every
monthly index the kind's alias, so readers query `<prefix>-feed-health` and see all months.
Retention deletes whole months once all of their records are older than the limit: one request, no
document-by-document deletes, and the cluster's shard count stays bounded (12 months of 30-day
records never exist at once; two months do). Records of a dated kind are written whole with
`Store.write`, never updated in part: the alias has no single index to send an update to.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# kind → the field whose time picks the month. Surge records stay in one index (a few a week, read by id when
# alerted, which a multi-index alias cannot do) and expire record by record (`retention.expire_records`).
DATED: dict[str, str] = {"feed-health": "time"}
MONTH = re.compile(r"-(\d{4})\.(\d{2})$")


def month_index(alias: str, at: datetime) -> str:
    """The monthly index of a record made at `at` (UTC month): `newswatch-feed-health-2026.12`."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return f"{alias}-{at.year:04d}.{at.month:02d}"


def month_end(index: str) -> datetime | None:
    """The first instant after the month an index holds; None for an index that is not a monthly one."""
    found = MONTH.search(index)
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def expired_months(indices: list[str], before: datetime) -> list[str]:
    """The monthly indices whose every record is older than `before` (the month ended at or before it)."""
    return sorted(i for i in indices if (end := month_end(i)) is not None and end <= before)


def record_time(doc: object, field_name: str) -> datetime:
    """The time field of a document given as a model or as its source."""
    value = doc.get(field_name) if isinstance(doc, dict) else getattr(doc, field_name)
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
