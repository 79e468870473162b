"""Publishing to EventBridge: schema check first, chunks of 10, failed entries retried, then raised."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from devportal.adapters.aws import LazyClient
from devportal.registry.ports import PublishFailed
from events.envelope import Envelope
from events.schemas import validator

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

PUT_EVENTS_LIMIT = 10
MAX_DETAIL_BYTES = 250_000  # EventBridge refuses entries over 256 KB


class EventContractViolation(ValueError):
    """An event does not match its committed JSON Schema: a bug, never sent."""


class EventBridgePublisher:
    def __init__(
        self,
        bus_name: str,
        client: EventBridgeClient | None = None,
        *,
        attempts: int = 4,
        backoff_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bus_name = bus_name
        self._client: LazyClient[EventBridgeClient] = LazyClient("events", client)
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._sleep = sleep

    def entry(self, event: Envelope[Any]) -> PutEventsRequestEntryTypeDef:
        detail = event.to_wire()
        errors = [
            f"{'/'.join(str(p) for p in e.instance_path) or '(root)'}: {e.message}"
            for e in validator(event.detail_type, event.data.VERSION).iter_errors(detail)
        ]
        if errors:
            raise EventContractViolation(f"{event.detail_type} breaks its schema: {'; '.join(errors[:5])}")
        body = json.dumps(detail, separators=(",", ":"), ensure_ascii=False)
        if len(body.encode()) > MAX_DETAIL_BYTES:
            raise EventContractViolation(f"{event.detail_type} detail is {len(body)} bytes, over the bus limit")
        return {
            "Source": event.source,
            "DetailType": event.detail_type,
            "Detail": body,
            "EventBusName": self.bus_name,
        }

    def publish(self, events: Sequence[Envelope[Any]]) -> None:
        entries = [self.entry(event) for event in events]  # every event checked before any is sent
        for start in range(0, len(entries), PUT_EVENTS_LIMIT):
            self._put_chunk(entries[start : start + PUT_EVENTS_LIMIT])

    def _put_chunk(self, pending: list[PutEventsRequestEntryTypeDef]) -> None:
        failures: list[dict[str, Any]] = []
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            response = self._client().put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            results = response["Entries"]
            failures = [
                {"entry": entry, "code": result.get("ErrorCode"), "message": result.get("ErrorMessage")}
                for entry, result in zip(pending, results, strict=True)
                if result.get("ErrorCode")
            ]
            pending = [f["entry"] for f in failures]
        summary = ", ".join(sorted({str(f["code"]) for f in failures}))
        raise PublishFailed(
            f"{len(failures)} event(s) not accepted by {self.bus_name} after {self._attempts} attempts ({summary})",
            failures,
        )
