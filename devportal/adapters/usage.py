"""Hourly usage in the single table (key layout in devportal.tables).

  USAGE#<apiId> / <scope>#D#<yyyy-mm-dd>      a day of the API or a version: the merge of its hours
  USAGE#<apiId> / <scope>#H#<yyyy-mm-ddThh>   an hour of one scope: `calls` (a number, for reading
                                              at a glance), `body` (the counts as JSON), `latency`
                                              (the sketch), `rev` (a write counter)
  USAGE#<apiId> / C#<consumerId>              a consumer's first call (`firstSeen`), for adoption
  USAGEAPPLIED#<sha256> / APPLIED             one delivery's counts are in one API-day's buckets

A delivery's buckets are grouped by API and day (its hours and the day itself); each group (at
most 99 buckets, so that the group and its marker fit a transaction of 100) is one transaction:
every bucket rewritten on the condition that its `rev` is still the one read, and the marker
created on the condition that it does not exist. A lost race with another writer reads again and
retries; a marker that exists means the group was counted before, and it is skipped - so a
redelivered batch never counts twice, and a delivery cut off half-way counts its remaining groups
when it comes again.

A warm store keeps the buckets it wrote last, with their `rev` (up to _KEPT_BYTES of them, the
least recently written dropped first): the next delivery for the same hours writes on the
condition that nobody wrote since, without reading them first - one call per group instead of
two while one writer counts an API's current hours. A transaction that fails for any reason drops
what it was built on, and the retry reads.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.table import DynamoTable, conditional_failure, item, moment, timestamp
from devportal.analytics.ports import Applied
from devportal.analytics.usage import DAY_FORMAT, HOUR_FORMAT, Bucket, Usage
from devportal.tables import TTL_ATTRIBUTE

_GROUP = 99
_ATTEMPTS = 8
_KEPT_BYTES = 32 * 1024 * 1024  # of the buckets last written, as stored
_MARKER_DAYS = 15  # longer than a message can live in a queue and its dead-letter queue (14 days)


class UsageConflict(RuntimeError):
    """Other writers kept changing the same hours: the delivery is retried as a whole later."""


class DynamoUsageStore(DynamoTable):
    def __init__(self, table_name: str, client: Any = None, *, retention_days: int = 400) -> None:
        # The requests are built here from typed values; botocore re-validating every 100-item
        # transaction was a fifth of the aggregator's CPU.
        super().__init__(table_name, client, validated=False)
        self._retention = timedelta(days=retention_days)
        self._kept: OrderedDict[Bucket, tuple[int, Usage, int]] = OrderedDict()  # rev, usage, stored bytes
        self._kept_bytes = 0
        self._kept_lock = threading.Lock()

    def apply(self, delivery: str, buckets: Mapping[Bucket, Usage]) -> Applied:
        applied = already = 0
        ordered = sorted(buckets, key=lambda b: (b.api_id, b.hour.date(), b.day, b.hour, b.scope))
        for (api_id, day), members in groupby(ordered, key=lambda b: (b.api_id, b.hour.date())):
            group = list(members)
            for start in range(0, len(group), _GROUP):
                chunk = group[start : start + _GROUP]
                marker = _marker(delivery, api_id, f"{day:{DAY_FORMAT}}", start // _GROUP)
                if self._apply_chunk(marker, {bucket: buckets[bucket] for bucket in chunk}):
                    applied += len(chunk)
                else:
                    already += len(chunk)
        return Applied(applied, already)

    def _apply_chunk(self, marker: str, chunk: Mapping[Bucket, Usage]) -> bool:
        """True when the chunk's counts went in now, False when they were in already."""
        for attempt in range(_ATTEMPTS):
            stored = self._take_kept(chunk)  # kept again only once written
            unknown = [bucket for bucket in chunk if bucket not in stored]
            if unknown:
                stored.update(self._get_many(unknown))
            writes: list[dict[str, Any]] = [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": item(
                            {"PK": marker, "SK": "APPLIED", TTL_ATTRIBUTE: int(time.time()) + _MARKER_DAYS * 86400}
                        ),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            ]
            written: list[tuple[Bucket, int, Usage, int]] = []
            for bucket, delta in chunk.items():
                rev, current = stored.get(bucket, (0, None))
                if current is not None:
                    current.merge(delta, capped=True)  # read just now, or kept from the last write
                total = current if current is not None else Usage.merged([delta])
                put, size = self._put(bucket, total, rev)
                writes.append({"Put": put})
                written.append((bucket, rev + 1, total, size))
            try:
                self._client().transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
            except ClientError as error:
                reasons = error.response.get("CancellationReasons") or []
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    return False  # this delivery's counts are in these buckets already
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not a secret
                continue
            for bucket, rev, total, size in written:
                self._keep(bucket, rev, total, size)
            return True
        raise UsageConflict(f"{len(chunk)} usage buckets kept changing under {_ATTEMPTS} attempts")

    def _take_kept(self, chunk: Mapping[Bucket, Usage]) -> dict[Bucket, tuple[int, Usage]]:
        taken: dict[Bucket, tuple[int, Usage]] = {}
        with self._kept_lock:
            for bucket in chunk:
                kept = self._kept.pop(bucket, None)
                if kept is not None:
                    rev, usage, size = kept
                    self._kept_bytes -= size
                    taken[bucket] = (rev, usage)
        return taken

    def _keep(self, bucket: Bucket, rev: int, usage: Usage, size: int) -> None:
        with self._kept_lock:
            self._kept[bucket] = (rev, usage, size)
            self._kept_bytes += size
            while self._kept_bytes > _KEPT_BYTES:
                _, (_, _, dropped) = self._kept.popitem(last=False)
                self._kept_bytes -= dropped

    def _put(self, bucket: Bucket, usage: Usage, rev: int) -> tuple[dict[str, Any], int]:
        """The Put of the bucket's new content, and its size as stored."""
        body, latency = usage.to_bytes()
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": item(
                {
                    "PK": f"USAGE#{bucket.api_id}",
                    "SK": bucket.sort_key,
                    "calls": usage.calls,
                    "body": body,
                    "latency": latency,
                    "rev": rev + 1,
                    TTL_ATTRIBUTE: int((bucket.hour + self._retention).timestamp()),
                }
            ),
        }
        if rev:
            put["ConditionExpression"] = "rev = :rev"
            put["ExpressionAttributeValues"] = item({":rev": rev})
        else:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        return put, len(body) + len(latency)

    def _get_many(self, buckets: list[Bucket]) -> dict[Bucket, tuple[int, Usage]]:
        by_key = {(f"USAGE#{bucket.api_id}", bucket.sort_key): bucket for bucket in buckets}
        wanted = [item({"PK": pk, "SK": sk}) for pk, sk in by_key]
        found: dict[Bucket, tuple[int, Usage]] = {}
        while wanted:
            response = self._client().batch_get_item(
                RequestItems={self._table: {"Keys": wanted[:100], "ConsistentRead": True}}
            )
            for raw in response.get("Responses", {}).get(self._table, []):
                bucket = by_key[(raw["PK"]["S"], raw["SK"]["S"])]
                found[bucket] = (int(raw["rev"]["N"]), _usage_of(raw))
            unprocessed: Any = response.get("UnprocessedKeys") or {}
            wanted = list(unprocessed.get(self._table, {}).get("Keys", [])) + wanted[100:]
        return found

    def note_first_seen(self, api_id: str, consumers: Mapping[str, datetime]) -> None:
        for consumer, seen in consumers.items():
            try:
                self._client().update_item(
                    TableName=self._table,
                    Key=item({"PK": f"USAGE#{api_id}", "SK": f"C#{consumer}"}),
                    UpdateExpression="SET firstSeen = :t",
                    ConditionExpression="attribute_not_exists(firstSeen) OR firstSeen > :t",
                    ExpressionAttributeValues=item({":t": timestamp(seen)}),
                )
            except ClientError as error:
                if not conditional_failure(error):
                    raise  # seen earlier already: nothing to move

    def first_seen(self, api_id: str) -> dict[str, datetime]:
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :c)",
            "ExpressionAttributeValues": item({":pk": f"USAGE#{api_id}", ":c": "C#"}),
            "ProjectionExpression": "SK, firstSeen",
        }
        found: dict[str, datetime] = {}
        while True:
            response = self._client().query(**arguments)
            for raw in response.get("Items", []):
                found[raw["SK"]["S"][2:]] = moment(raw["firstSeen"]["S"])
            if "LastEvaluatedKey" not in response:
                return found
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def read(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> list[tuple[datetime, Usage]]:
        return [
            (period, _usage_of(raw))
            for period, raw in self._periods(api_id, scope, start, end, days, "SK, body, latency")
        ]

    def calls(
        self, api_id: str, scope: str, start: datetime, end: datetime, *, days: bool = False
    ) -> dict[datetime, int]:
        return {
            period: int(raw["calls"]["N"])
            for period, raw in self._periods(api_id, scope, start, end, days, "SK, calls")
        }

    def _periods(
        self, api_id: str, scope: str, start: datetime, end: datetime, days: bool, projection: str
    ) -> Iterator[tuple[datetime, dict[str, Any]]]:
        last = end - timedelta(microseconds=1)
        unit, label, pattern = ("D", DAY_FORMAT, DAY_FORMAT) if days else ("H", HOUR_FORMAT, HOUR_FORMAT)
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": item(
                {
                    ":pk": f"USAGE#{api_id}",
                    ":low": f"{scope}#{unit}#{start:{label}}",
                    ":high": f"{scope}#{unit}#{last:{label}}",
                }
            ),
            "ProjectionExpression": projection,
        }
        prefix = len(scope) + 3
        while True:
            response = self._client().query(**arguments)
            for raw in response.get("Items", []):
                yield datetime.strptime(raw["SK"]["S"][prefix:], pattern).replace(tzinfo=UTC), raw
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _usage_of(raw: Mapping[str, Any]) -> Usage:
    return Usage.from_bytes(raw["body"]["B"], raw["latency"]["B"])


def _marker(delivery: str, api_id: str, day: str, chunk: int) -> str:
    digest = hashlib.sha256(f"{delivery}\n{api_id}\n{day}\n{chunk}".encode()).hexdigest()
    return f"USAGEAPPLIED#{digest}"
