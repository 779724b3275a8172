"""The poll stage's state and history: feed states, hosts to leave alone, poll records and their summaries.
Hands on `FeedQueries`, a part of `Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pipeline.store.client import BulkResult, StoreClient, _translated, parsed_document
from pipeline.store.documents import FeedState, PollRecord, StateEntry
from pipeline.store.poll_summary import NEW_ITEM_TIMES, RECENT_SUCCESSES, PollSummary


class FeedQueries(StoreClient):
    def host_waits(self) -> dict[str, datetime]:
        """Hosts that answered 429/503 with Retry-After, and until when to leave them alone."""
        now = self.now()
        query = {"bool": {"filter": [{"prefix": {"key": "host-wait:"}}, {"range": {"value": {"gt": now.isoformat()}}}]}}
        return {e.key.removeprefix("host-wait:"): e.value for e in self.scan("state", query, [{"key": "asc"}])}

    def save_host_waits(self, waits: dict[str, datetime]) -> None:
        now = self.now()
        entries = [(f"host-wait:{host}", StateEntry(key=f"host-wait:{host}", value=until))
                   for host, until in waits.items() if until > now]
        if entries:
            self.write("state", entries).require("host waits")

    def feed_states(self, feed_ids: Iterable[str]) -> dict[str, FeedState]:
        return self.get_many("feeds", feed_ids)

    def save_feed_states(self, states: Iterable[FeedState],
                         merge: Callable[[FeedState, FeedState | None], FeedState] | None = None) -> BulkResult:
        """Feed states are read by id (real time), so the write does not wait for a refresh.

        With `merge` (new state, state stored now → state to write), each is written only if nobody wrote it
        since it was read here (compare-and-set); one written meanwhile is merged and tried again."""
        pending = list(states)
        if merge is None:
            return self.write("feeds", ((s.feed_id, s) for s in pending), refresh=False).require("feed states")
        return self._save_merged(pending, merge).require("feed states")

    @_translated("saving feed states")
    def _save_merged(self, pending: list[FeedState],
                     merge: Callable[[FeedState, FeedState | None], FeedState]) -> BulkResult:
        result = BulkResult()
        for _ in range(5):
            found = self.client.mget(index=self.index("feeds"), ids=[s.feed_id for s in pending])["docs"]
            actions = []
            for state, doc in zip(pending, found, strict=True):
                stored = parsed_document(FeedState, "feeds", state.feed_id, doc["_source"]) if doc.get("found") else None
                action = {"_index": self.index("feeds"), "_id": state.feed_id, "_source": merge(state, stored).to_source()}
                if doc.get("found"):
                    action |= {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
                else:
                    action["_op_type"] = "create"
                actions.append(action)
            written = self._bulk("feeds", iter(actions), False, 500, conflicts_ok=True)
            result.ok += written.ok
            result.rejected.update(written.rejected)
            pending = [s for s in pending if s.feed_id in written.conflicts]
            if not pending:
                return result
        result.rejected.update({s.feed_id: "written by other passes again and again (compare-and-set)" for s in pending})
        return result

    def record_polls(self, records: Iterable[PollRecord]) -> BulkResult:
        """One record per feed per poll; the id makes a retried task overwrite, not add.

        Not refreshed here: `poll_history` refreshes before it reads, once, instead of every pass.
        """
        return self.write("feed-health", ((f"{r.feed_id}-{r.time.isoformat()}", r) for r in records),
                          refresh=False).require("poll records")

    def poll_history(self, feed_ids: list[str], since: datetime, until: datetime) -> dict[str, list[PollRecord]]:
        """Poll records per feed between two times, oldest first."""
        out: dict[str, list[PollRecord]] = {f: [] for f in feed_ids}
        self.refresh("feed-health")
        query = {"bool": {"filter": [{"terms": {"feed_id": feed_ids}},
                                     {"range": {"time": {"gte": since.isoformat(), "lte": until.isoformat()}}}]}}
        for record in self.scan("feed-health", query, [{"time": "asc"}, {"feed_id": "asc"}], page=2000):
            out.setdefault(record.feed_id, []).append(record)
        return out

    @_translated("summing up poll history")
    def poll_summaries(self, feed_ids: list[str], since: datetime, until: datetime,
                       days_from: datetime) -> dict[str, PollSummary]:
        """Per feed, its polls between two times summed up by the node in one request, new items per day
        counted from `days_from`: a few dozen values per feed, however long its history (see `poll_summary`)."""
        self.refresh("feed-health")
        query = {"bool": {"filter": [{"terms": {"feed_id": feed_ids}},
                                     {"range": {"time": {"gte": since.isoformat(), "lte": until.isoformat()}}}]}}
        latest = [{"time": "desc"}]
        aggs = {"feeds": {"terms": {"field": "feed_id", "size": max(1, len(feed_ids))}, "aggs": {
            "last": {"top_hits": {"size": 1, "sort": latest}},
            "first": {"min": {"field": "time"}},
            "ok": {"filter": {"bool": {"must_not": [{"term": {"outcome": "error"}}]}}, "aggs": {
                "latest": {"top_hits": {"size": RECENT_SUCCESSES, "sort": latest, "_source": ["latency"]}}}},
            "new": {"filter": {"range": {"new_items": {"gt": 0}}}, "aggs": {
                "latest": {"top_hits": {"size": NEW_ITEM_TIMES, "sort": latest, "_source": False}}}},
            "days": {"filter": {"range": {"time": {"gte": days_from.isoformat()}}}, "aggs": {
                "day": {"date_histogram": {"field": "time", "calendar_interval": "day", "min_doc_count": 1},
                        "aggs": {"new": {"sum": {"field": "new_items"}}}}}}}}}
        found = self.client.search(index=self.index("feed-health"), size=0, query=query, aggs=aggs)

        def at(millis: float) -> datetime:
            return datetime.fromtimestamp(millis / 1000, UTC)

        out: dict[str, PollSummary] = {}
        for bucket in found["aggregations"]["feeds"]["buckets"]:
            ok, new = bucket["ok"]["latest"]["hits"]["hits"], bucket["new"]["latest"]["hits"]["hits"]
            last = bucket["last"]["hits"]["hits"][0]
            if (record := parsed_document(PollRecord, "feed-health", last["_id"], last["_source"])) is None:
                continue
            out[bucket["key"]] = PollSummary(
                last=record,
                first_poll=at(bucket["first"]["value"]), successes=bucket["ok"]["doc_count"],
                last_success=at(ok[0]["sort"][0]) if ok else None,
                latencies=[float(hit["_source"].get("latency", 0.0)) for hit in reversed(ok)],
                with_new=bucket["new"]["doc_count"], new_item_times=[at(hit["sort"][0]) for hit in reversed(new)],
                new_per_day={at(day["key"]).date().isoformat(): int(day["new"]["value"])
                             for day in bucket["days"]["day"]["buckets"] if day["new"]["value"]})
        return out
