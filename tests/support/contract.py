"""Checking real responses against contracts/gateway.openapi.yaml."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from contracts import gateway_contract
from devportal.specs.pointers import to_pointer

_URI = "urn:devportal:gateway-contract"


def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry().with_resource(_URI, DRAFT202012.create_resource(gateway_contract()))
    return registry


def response_schema_pointer(path: str, method: str, status: int, media_type: str) -> str:
    operation = gateway_contract()["paths"][path][method.lower()]
    responses = operation["responses"]
    key = str(status)
    if key not in responses:
        raise AssertionError(f"{method} {path} has no {status} response in the contract")
    response = responses[key]
    pointer_parts: list[str] = ["paths", path, method.lower(), "responses", key]
    if "$ref" in response:
        ref = response["$ref"]
        pointer_parts = ref[2:].split("/")
        response = gateway_contract()
        for part in pointer_parts:
            response = response[part]
    content = response.get("content", {})
    if media_type not in content:
        raise AssertionError(f"{method} {path} {status} declares {sorted(content)}, got {media_type}")
    return to_pointer([*pointer_parts, "content", media_type, "schema"])


def assert_matches_contract(path: str, method: str, status: int, media_type: str, body: Any) -> None:
    """Fails with every violation when `body` breaks the schema the contract gives this response."""
    pointer = response_schema_pointer(path, method, status, media_type)
    validator = Draft202012Validator(
        {"$ref": f"{_URI}#{pointer}"}, registry=_registry(), format_checker=FormatChecker()
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        listed = "\n".join(f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
        raise AssertionError(f"{method} {path} {status} breaks the contract:\n{listed}")
