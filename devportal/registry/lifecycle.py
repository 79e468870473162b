"""A version's lifecycle: draft -> active -> deprecated (with a sunset date) -> retired.

A version registers active, or as a draft when its team asks; the owning team (or an admin) moves
it on through the gateway, each move an `ApiVersionLifecycleChanged` event. A deprecated version
says when it goes away (its sunset, a date not in the past) and may be made active again until it
is retired; a draft may be given up (retired) without ever being active. A retired version stays
readable - its documents, docs and history - and is marked so everywhere it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError

from devportal.bodies import JsonBody, invalid_body
from devportal.errors import ConstraintViolated, FieldError, InvalidParameter, StateConflict
from devportal.registry.models import ApiVersionRecord
from devportal.registry.ports import EventPublisher, RegistryRepository
from events.envelope import new_event
from events.registry import ApiVersionLifecycleChanged

Status = Literal["draft", "active", "deprecated", "retired"]
PRODUCER = "functions/change_version_lifecycle"

# where a version may go from each status
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "retired"}),
    "active": frozenset({"deprecated"}),
    "deprecated": frozenset({"active", "retired"}),
    "retired": frozenset(),
}


def _day(value: object) -> object:
    """A JSON date (YYYY-MM-DD) as a date; anything else is said plainly."""
    if isinstance(value, str):
        if len(value) != 10:
            raise ValueError("must be a date, YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date, YYYY-MM-DD") from None
    return value


class LifecycleChange(JsonBody):
    """POST /apis/{apiId}/versions/{version}/lifecycle: where the version goes, and why."""

    status: Literal["active", "deprecated", "retired"]
    sunset: Annotated[date | None, BeforeValidator(_day)] = Field(
        default=None, description="when a deprecated version goes away (required then)"
    )
    reason: str | None = Field(default=None, max_length=500)


def read_change(body: object) -> LifecycleChange:
    try:
        return LifecycleChange.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The lifecycle change", error) from None


@dataclass(frozen=True)
class ChangeLifecycle:
    repository: RegistryRepository
    publisher: EventPublisher
    clock: Callable[[], datetime]

    def __call__(
        self, record: ApiVersionRecord, change: LifecycleChange, by: str, correlation_id: str
    ) -> ApiVersionRecord:
        current = record.status
        if change.status == current and change.sunset == record.sunset:
            return record  # asked again: nothing to do, nothing announced twice
        if change.status not in TRANSITIONS.get(current, frozenset()):
            allowed = sorted(TRANSITIONS.get(current, frozenset()))
            then = f"it can become {' or '.join(allowed)}" if allowed else "a retired version stays retired"
            raise StateConflict(
                f"{record.api_id} {record.version} is {current}; {then}, not {change.status}.",
                [FieldError(detail=f"not allowed from {current}", pointer="/status")],
            )
        now = self.clock()
        if change.status == "deprecated":
            if change.sunset is None:
                raise InvalidParameter(
                    "A deprecated version needs a `sunset`: the date it goes away (YYYY-MM-DD), so its consumers "
                    "can plan.",
                    [FieldError(detail="required when deprecating", pointer="/sunset")],
                )
            if change.sunset < now.date():
                raise ConstraintViolated(
                    f"The sunset {change.sunset.isoformat()} is in the past; give the date the version goes away.",
                    [FieldError(detail="in the past", pointer="/sunset")],
                )
        sunset = change.sunset if change.status == "deprecated" else None
        changed = self.repository.change_status(
            record.api_id, record.version, expected=current, status=change.status, sunset=sunset, by=by, at=now
        )
        if not changed:
            raise StateConflict(
                f"{record.api_id} {record.version} changed while this request was made; read it and try again.",
                [FieldError(detail="changed meanwhile", pointer="/status")],
            )
        self.publisher.publish(
            [
                new_event(
                    ApiVersionLifecycleChanged(
                        api_id=record.api_id,
                        version=record.version,
                        owner=record.owner,
                        from_status=current,
                        to_status=change.status,
                        sunset=sunset,
                        reason=change.reason,
                        changed_by=by,
                        changed_at=now,
                    ),
                    correlation_id=correlation_id,
                    producer=PRODUCER,
                )
            ]
        )
        return replace(record, status=change.status, sunset=sunset, status_changed_at=now, status_changed_by=by)
