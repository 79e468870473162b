"""Events: models and committed schemas agree; the catalog is complete and routes sensibly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from events.catalog import EVENTS, event_definition
from events.envelope import new_event
from events.parsing import UnknownEvent, parse_event
from events.registry import ApiRegistrationRejected, ApiSpecSubmitted, ApiVersionRegistered, Finding
from events.schemas import generate, registry_schema, render, schema_path, validator

SUBMITTED = ApiSpecSubmitted(
    submission_id="sub-" + "a" * 24,
    api_id="petstore",
    version="1.0.0",
    owner="pets",
    spec_key="specs/petstore/1.0.0/" + "b" * 64,
    sha256="b" * 64,
    size_bytes=10,
    format="yaml",
)
REGISTERED = ApiVersionRegistered(
    submission_id="sub-" + "a" * 24,
    api_id="petstore",
    version="1.0.0",
    title="Petstore",
    owner="pets",
    sha256="b" * 64,
    spec_key="specs/x",
    docs_key="docs/x",
    openapi_version="3.1.0",
    operation_count=4,
    workflow_id="registration-petstore-1.0.0-aaaaaaaaaaaa",
)
REJECTED = ApiRegistrationRejected(
    submission_id="sub-" + "a" * 24,
    api_id="petstore",
    version="1.0.0",
    owner="pets",
    workflow_id="w",
    reason="invalid-spec",
    findings=[Finding(pointer="/info", message="bad", rule="schema", severity="error")],
    findings_truncated=False,
)


@pytest.mark.parametrize("definition", EVENTS, ids=lambda d: d.detail_type)
def test_committed_schema_matches_its_model(definition: object) -> None:
    path = schema_path(definition.detail_type, definition.version)  # type: ignore[attr-defined]
    assert path.exists(), f"no schema for {path.name}: run python -m events.schemas --write"
    assert path.read_text(encoding="utf-8") == render(generate(definition)), (  # type: ignore[arg-type]
        f"{path.name} and its model disagree: run python -m events.schemas --write and review the diff"
    )


@pytest.mark.parametrize("data", [SUBMITTED, REGISTERED, REJECTED], ids=lambda d: d.DETAIL_TYPE)
def test_real_events_validate_against_their_committed_schema(data: object) -> None:
    event = new_event(data, correlation_id="req-1", producer="test")  # type: ignore[type-var]
    wire = event.to_wire()
    assert list(validator(event.detail_type, 1).iter_errors(wire)) == []
    assert set(wire) == {"metadata", "data"}
    assert wire["metadata"]["eventVersion"] == 1
    assert wire["metadata"]["correlationId"] == "req-1"
    assert "submissionId" in wire["data"]  # camelCase on the wire


def test_schema_rejects_what_the_model_rejects() -> None:
    wire = new_event(SUBMITTED, correlation_id="c", producer="p").to_wire()
    wire["data"]["apiId"] = "Not A Slug"
    wire["data"]["extra"] = 1
    assert len(list(validator("ApiSpecSubmitted", 1).iter_errors(wire))) == 2


def test_round_trip_through_an_eventbridge_event() -> None:
    event = new_event(REJECTED, correlation_id="c", producer="p")
    body = json.dumps(
        {"id": "1", "source": "devportal.registry", "detail-type": "ApiRegistrationRejected", "detail": event.to_wire()}
    )
    parsed = parse_event(body)
    assert parsed.data == REJECTED
    assert parsed.metadata == event.metadata


@pytest.mark.parametrize(
    "body",
    [
        '{"id": "1", "source": "devportal.registry", "detail-type": "Nope", "detail": {}}',
        '{"id": "1", "source": "elsewhere", "detail-type": "ApiSpecSubmitted", "detail": {}}',
    ],
)
def test_unknown_events_are_refused(body: str) -> None:
    with pytest.raises(UnknownEvent):
        parse_event(body)


def test_every_event_has_its_committed_schema() -> None:
    contracts = Path(__file__).resolve().parents[2] / "contracts" / "events"
    assert {p.name for p in contracts.glob("*.json")} == {f"{e.detail_type}.v{e.version}.schema.json" for e in EVENTS}


@pytest.mark.parametrize("data", [SUBMITTED, REGISTERED, REJECTED], ids=lambda d: d.DETAIL_TYPE)
def test_the_schema_registry_copy_is_draft4_and_accepts_real_events(data: object) -> None:
    event = new_event(data, correlation_id="req-1", producer="test")  # type: ignore[type-var]
    schema = registry_schema(event_definition(event.detail_type))
    jsonschema.Draft4Validator.check_schema(schema)
    validator_4 = jsonschema.Draft4Validator(schema)
    whole = {"source": event.source, "detail-type": event.detail_type, "detail": event.to_wire()}
    assert list(validator_4.iter_errors(whole)) == []
    wrong = {**whole, "detail-type": "SomethingElse"}
    assert [list(e.absolute_path) for e in validator_4.iter_errors(wrong)] == [["detail-type"]]
    broken = json.loads(json.dumps(whole))
    broken["detail"]["data"]["apiId"] = "Not A Slug"
    assert [list(e.absolute_path) for e in validator_4.iter_errors(broken)] == [["detail", "data", "apiId"]]
