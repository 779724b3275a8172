"""The alerts stage's records: create, claim (compare-and-set), due and pending records, summaries.
Hands on `AlertQueries`, a part of `Store`, and `claimable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from elasticsearch import ConflictError, NotFoundError

from pipeline.store.client import StoreClient, _translated, parsed_document
from pipeline.store.documents import AlertRecord


def claimable(record: AlertRecord, at: datetime) -> bool:
    """Pending and due, or claimed by a delivery pass that did not finish in time."""
    if record.next_attempt is not None and record.next_attempt > at:
        return False
    return record.status == "pending" or record.status == "sending" and (
        record.claimed_until is None or record.claimed_until <= at)


def _due(at: datetime) -> dict[str, Any]:
    """The query side of `claimable` (without the next attempt)."""
    return {"bool": {"should": [{"term": {"status": "pending"}}, {"bool": {"filter": [
        {"term": {"status": "sending"}}, {"range": {"claimed_until": {"lte": at.isoformat()}}}]}}],
        "minimum_should_match": 1}}


class AlertQueries(StoreClient):
    def create_alert(self, record: AlertRecord) -> bool:
        return self.create("alerts", record.alert_id, record)

    def alert(self, alert_id: str) -> AlertRecord | None:
        found: AlertRecord | None = self.get("alerts", alert_id)
        return found

    def alerts(self, ids: Iterable[str]) -> dict[str, AlertRecord]:
        return self.get_many("alerts", ids)

    def put_alert(self, record: AlertRecord) -> None:
        self.write("alerts", [(record.alert_id, record)]).require("alert records")

    def update_alert(self, alert_id: str, **fields: Any) -> None:
        self.update("alerts", alert_id, **fields)

    def _set_if(self, alert_id: str, wanted: Callable[[AlertRecord], bool],
                doc: dict[str, Any]) -> tuple[AlertRecord | None, bool]:
        """Update a record only if `wanted` holds for it as read and nobody wrote it since (compare-and-set on
        its sequence number): the record as read (None when missing) and whether this update won."""
        try:
            found = self.client.get(index=self.index("alerts"), id=alert_id)
        except NotFoundError:
            return None, False
        record = parsed_document(AlertRecord, "alerts", alert_id, found["_source"])
        if record is None:  # unreadable (logged): claimed by nobody, as if missing
            return None, False
        if not wanted(record):
            return record, False
        try:
            self.client.update(index=self.index("alerts"), id=alert_id, if_seq_no=found["_seq_no"],
                               if_primary_term=found["_primary_term"], refresh=True, doc=doc)
        except ConflictError:  # another pass wrote it since the read, or this update did: one applied whose answer
            # timed out is sent again by the client (`retry_on_timeout`) and refused, and the claim it won was
            # left `sending`, held by nobody, until it ran out. A claim's or renewal's `claimed_until` is this
            # pass's own, so the record as read with exactly this update on it is this pass's write (an expiry
            # another pass wrote in the same words counts in both reports; nothing is sent for it).
            return record, self._stored_as(alert_id, {**found["_source"], **doc})
        return record, True

    def _stored_as(self, alert_id: str, source: dict[str, Any]) -> bool:
        try:
            found = self.client.get(index=self.index("alerts"), id=alert_id)
        except NotFoundError:
            return False
        return bool(found["_source"] == source)

    @_translated("claiming an alert")
    def claim_alert(self, alert_id: str, at: datetime, until: datetime) -> AlertRecord | None:
        """Take a due alert record for delivery, or None when another pass holds it or it is no longer due.

        The claim is a compare-and-set on the record's sequence number: of two passes that read the
        same pending record, exactly one succeeds, so no channel is ever called twice for it. The
        record returned is the fresh one (its `channels_sent` is what is already delivered).
        """
        record, won = self._set_if(alert_id, lambda r: claimable(r, at),
                                   {"status": "sending", "claimed_until": until.isoformat()})
        return record.model_copy(update={"status": "sending", "claimed_until": until}) if record and won else None

    @_translated("expiring an alert")
    def expire_alert(self, alert_id: str, at: datetime, reason: str) -> bool:
        """Give up an alert sent nowhere yet, unless a delivery pass holds it or has sent it somewhere since
        (compare-and-set, as a claim): True when this call expired it."""
        _, won = self._set_if(alert_id, lambda r: claimable(r, at) and not r.channels_sent,
                              {"status": "expired", "last_error": reason})
        return won

    @_translated("writing a claimed alert")
    def keep_claim(self, alert_id: str, held_until: datetime, **fields: Any) -> bool:
        """Write to a record this pass claimed, only while the claim is still its own (compare-and-set): a pass
        that outran its claim, which another pass then took, stops instead of sending the same parts again.

        `claimed_until` among `fields` renews the claim."""
        doc = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}

        def mine(record: AlertRecord) -> bool:
            return record.status == "sending" and record.claimed_until == held_until

        for _ in range(5):  # another write to the record (a syndicated copy adding its outlet) is no lost claim
            record, won = self._set_if(alert_id, mine, doc)
            if won or record is None or not mine(record):
                return won
        return False

    @_translated("folding an alert into a burst")
    def fold_alert(self, alert_id: str, digest_id: str) -> bool:
        """Move a fresh pending alert into a burst message, compare-and-set: of two passes folding (or one
        sending and one folding) the same alert, exactly one gets it, so it is never sent twice."""
        record, won = self._set_if(alert_id, lambda r: r.status == "pending" and r.attempts == 0,
                                   {"status": "in-digest", "digest_id": digest_id})
        # True too when an earlier try of this very fold moved it
        return won or (record is not None and record.status == "in-digest" and record.digest_id == digest_id)

    def digest_members(self, digest_id: str) -> list[str]:
        """The alerts folded into a burst message: those that point to it (not those it meant to take)."""
        query = {"bool": {"filter": [{"term": {"digest_id": digest_id}}, {"term": {"status": "in-digest"}}]}}
        return [r.alert_id for r in self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}])]

    def due_alerts(self, subscriptions: list[str], at: datetime) -> Iterator[AlertRecord]:
        """Pending story, surge and figure alerts of these subscriptions whose next attempt is due, oldest first."""
        query = {"bool": {"filter": [{"terms": {"kind": ["story", "surge", "figure"]}}, _due(at),
                                     {"terms": {"subscription": subscriptions}},
                                     {"range": {"next_attempt": {"lte": at.isoformat()}}}]}}
        return self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}])

    def story_alert_cluster(self, subscription: str, story_ids: list[str]) -> str | None:
        """The cluster of the subscription's story alert holding any of these stories, if one does."""
        query = {"bool": {"filter": [{"term": {"subscription": subscription}}, {"term": {"kind": "story"}},
                                     {"terms": {"story_ids": story_ids}}]}}
        return next((r.cluster_id for r in self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}])
                     if r.cluster_id), None)

    def stranded_digests(self, subscription: str) -> list[AlertRecord]:
        """Digest and burst messages given up (`failed`) whose alerts still wait in them: nothing reads those
        alerts again. A pass that died between marking the message and handing its alerts back left them so."""
        query = {"bool": {"filter": [{"term": {"subscription": subscription}}, {"term": {"status": "in-digest"}}]}}
        held = {r.digest_id for r in self.scan("alerts", query, [{"alert_id": "asc"}]) if r.digest_id}
        return [r for r in self.alerts(held).values() if r.status == "failed"]

    def sent_since(self, subscription: str, since: datetime) -> int:
        """Messages a subscription received since a time (a burst message counts as one)."""
        return self.count("alerts", {"bool": {"filter": [
            {"term": {"subscription": subscription}}, {"term": {"status": "sent"}},
            {"range": {"sent_at": {"gte": since.isoformat()}}}],
            "must_not": [{"exists": {"field": "digest_id"}}]}})

    def burst_since(self, subscription: str, since: datetime) -> bool:
        """Whether a burst message (the alerts beyond the hourly rate, folded) made for a subscription since a time
        holds any alert: one a dead pass recorded and never filled does not count."""
        query = {"bool": {"filter": [{"term": {"subscription": subscription}}, {"term": {"kind": "digest"}},
                                     {"term": {"mode": "immediate"}}, {"range": {"created": {"gte": since.isoformat()}}}]}}
        bursts = [r.alert_id for r in self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}])]
        return bool(bursts) and self.count("alerts", {"terms": {"digest_id": bursts}}) > 0

    def due_bursts(self, subscription: str, at: datetime) -> list[AlertRecord]:
        """Due burst and digest messages of a subscription, whichever mode made them: one whose mode changed
        since still sends what it had gathered."""
        query = {"bool": {"filter": [{"term": {"kind": "digest"}}, {"term": {"subscription": subscription}}, _due(at),
                                     {"range": {"next_attempt": {"lte": at.isoformat()}}}]}}
        return list(self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}]))

    def pending_story_alerts(self, subscription: str, created_before: datetime) -> list[AlertRecord]:
        """Story, surge and figure alerts waiting for a subscription's digest."""
        query = {"bool": {"filter": [{"terms": {"kind": ["story", "surge", "figure"]}}, {"term": {"subscription": subscription}},
                                     {"term": {"status": "pending"}},
                                     {"range": {"created": {"lt": created_before.isoformat()}}}]}}
        return list(self.scan("alerts", query, [{"created": "asc"}, {"alert_id": "asc"}]))

    @_translated("summarising alerts")
    def waiting_by_subscription(self) -> dict[str, int]:
        """Alerts not yet sent (pending, sending, in a digest), per subscription name."""
        found = self.client.search(index=self.index("alerts"), size=0, query={"terms": {"status": ["pending", "sending", "in-digest"]}},
                                   aggs={"by": {"terms": {"field": "subscription", "size": 1000}}})
        return {b["key"]: b["doc_count"] for b in found["aggregations"]["by"]["buckets"]}

    @_translated("summarising alerts")
    def alert_summary(self, subscription: str) -> dict[str, Any]:
        """Counts by status, the last delivery and the last error of one subscription."""
        index = self.index("alerts")
        found = self.client.search(index=index, size=0, query={"term": {"subscription": subscription}},
                                   aggs={"status": {"terms": {"field": "status"}}, "last": {"max": {"field": "sent_at"}}})
        counts = {b["key"]: b["doc_count"] for b in found["aggregations"]["status"]["buckets"]}
        errored = self.client.search(index=index, size=1, sort=[{"next_attempt": "desc"}], query={"bool": {
            "filter": [{"term": {"subscription": subscription}}, {"range": {"attempts": {"gte": 1}}}]}})["hits"]["hits"]
        return {"counts": counts, "last_delivery": found["aggregations"]["last"].get("value_as_string"),
                "last_error": errored[0]["_source"].get("last_error") if errored else None}
