"""Events as consumers receive them, for tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from events.envelope import Envelope


def eventbridge_body(event: Envelope[Any]) -> str:
    """The EventBridge event JSON an SQS queue (or SNS with raw delivery) hands a consumer."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "source": event.source,
            "detail-type": event.detail_type,
            "time": event.metadata.occurred_at.isoformat(),
            "detail": event.to_wire(),
        }
    )


def registered(api_id: str = "petstore", *, owner: str = "pets", version: str = "1.0.0") -> Envelope[Any]:
    """A fresh ApiVersionRegistered (its own event and submission ids) of `api_id` by `owner`."""
    from events.envelope import new_event
    from events.registry import ApiVersionRegistered

    data = ApiVersionRegistered(
        submission_id="sub-" + uuid.uuid4().hex[:24],
        api_id=api_id,
        version=version,
        title="Petstore",
        owner=owner,
        sha256="b" * 64,
        spec_key="specs/x",
        docs_key="docs/x",
        openapi_version="3.1.0",
        operation_count=4,
        workflow_id=f"registration-{api_id}-{version}",
    )
    return new_event(data, correlation_id=f"corr-{uuid.uuid4().hex[:8]}", producer="test")


def put_on_bus(events_client: Any, bus: str, event: Envelope[Any]) -> None:
    """`event` put on `bus` as its producer would (PutEvents)."""
    entry = {"Source": event.source, "DetailType": event.detail_type, "Detail": json.dumps(event.to_wire()),
             "EventBusName": bus}  # fmt: skip
    assert events_client.put_events(Entries=[entry])["FailedEntryCount"] == 0
