"""The publisher: schema check first, chunks of 10, failed entries retried, then raised."""

from __future__ import annotations

from typing import Any

import pytest

from devportal.adapters.eventbridge import EventBridgePublisher, EventContractViolation
from devportal.registry.ports import PublishFailed
from events.envelope import new_event
from events.registry import ApiSpecSubmitted
from tests.unit.test_events import SUBMITTED


class FakeEvents:
    """Answers put_events like EventBridge, failing the entries `fail` says to."""

    def __init__(self, fail: list[set[int]] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail = fail or []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        failing = self.fail.pop(0) if self.fail else set()
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"} if i in failing else {"EventId": str(i)}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(failing), "Entries": results}


def events(count: int) -> list[Any]:
    return [new_event(SUBMITTED, correlation_id=f"c{i}", producer="test") for i in range(count)]


def publisher(client: FakeEvents) -> EventBridgePublisher:
    return EventBridgePublisher("bus", client, sleep=lambda _: None)  # type: ignore[arg-type]


def test_chunks_of_ten() -> None:
    client = FakeEvents()
    publisher(client).publish(events(25))
    assert [len(call) for call in client.calls] == [10, 10, 5]
    entry = client.calls[0][0]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        "devportal.registry",
        "ApiSpecSubmitted",
        "bus",
    )


def test_only_failed_entries_are_retried() -> None:
    # Given entries 1 and 3 fail first, then the first of the retried two (entry 1) fails again
    client = FakeEvents(fail=[{1, 3}, {0}])
    publisher(client).publish(events(4))
    assert [len(call) for call in client.calls] == [4, 2, 1]
    assert ['"correlationId":"c1"' in e["Detail"] for e in client.calls[1]] == [True, False]
    assert '"correlationId":"c1"' in client.calls[2][0]["Detail"]


def test_persistent_failure_is_raised_with_the_entries() -> None:
    client = FakeEvents(fail=[{0}] * 4)
    with pytest.raises(PublishFailed) as caught:
        publisher(client).publish(events(2))
    assert len(client.calls) == 4
    assert len(caught.value.failed) == 1
    assert caught.value.failed[0]["code"] == "InternalFailure"


def test_schema_violation_is_raised_before_anything_is_sent() -> None:
    broken = ApiSpecSubmitted.model_construct(**{**SUBMITTED.model_dump(), "api_id": "Not A Slug"})
    client = FakeEvents()
    with pytest.raises(EventContractViolation, match="apiId"):
        publisher(client).publish([*events(3), new_event(broken, correlation_id="c", producer="p")])
    assert client.calls == []
