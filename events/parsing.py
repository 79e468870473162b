"""Reading events as consumers receive them: an EventBridge event JSON, straight from an SQS
queue or through SNS with raw delivery (the same JSON either way)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from events.catalog import event_definition
from events.envelope import Envelope


class UnknownEvent(ValueError):
    """A message that is not an event of the catalog: a poison message, bound for the DLQ."""


class EventBridgeEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: str | None = None
    detail: dict[str, Any]


def parse_event(body: str) -> Envelope[Any]:
    outer = EventBridgeEvent.model_validate_json(body)
    try:
        definition = event_definition(outer.detail_type)
    except KeyError:
        raise UnknownEvent(f"no event {outer.detail_type!r} in the catalog") from None
    if outer.source != definition.source:
        raise UnknownEvent(f"{outer.detail_type} from unexpected source {outer.source!r}")
    return Envelope[definition.model].model_validate(outer.detail)  # type: ignore[name-defined]
