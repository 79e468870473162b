"""The one envelope every event travels in.

An EventBridge entry carries `source` and `detail-type` from the model class, and `detail` =
`{"metadata": {...}, "data": {...}}`. Field names are camelCase on the wire.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid")

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class DomainEvent(WireModel):
    """The `data` of an event. Subclasses name their detail-type, source and schema version."""

    DETAIL_TYPE: ClassVar[str]
    SOURCE: ClassVar[str]
    VERSION: ClassVar[int] = 1


class EventMetadata(WireModel):
    event_id: str = Field(min_length=1, max_length=64)
    event_version: int = Field(ge=1)
    occurred_at: datetime
    correlation_id: str = Field(min_length=1, max_length=128)
    producer: str = Field(min_length=1, max_length=128)


EventT = TypeVar("EventT", bound=DomainEvent)


class Envelope(WireModel, Generic[EventT]):
    metadata: EventMetadata
    data: EventT

    @property
    def detail_type(self) -> str:
        return self.data.DETAIL_TYPE

    @property
    def source(self) -> str:
        return self.data.SOURCE


def new_event(data: EventT, *, correlation_id: str, producer: str, event_id: str | None = None) -> Envelope[EventT]:
    """`event_id`: for an event that may be published again for the same fact (a retried step), a
    deterministic id, so that consumers can tell the copies apart from new facts."""
    # Parametrized with the concrete class so that validation and serialization use its schema.
    concrete: Any = Envelope[type(data)]  # type: ignore[misc]
    envelope: Envelope[EventT] = concrete(
        metadata=EventMetadata(
            event_id=event_id or str(uuid.uuid4()),
            event_version=data.VERSION,
            occurred_at=datetime.now(UTC),
            correlation_id=correlation_id,
            producer=producer,
        ),
        data=data,
    )
    return envelope
