"""The gateway contract and the code say the same: every pattern the contract publishes is the one
the code checks, and POST /apis takes exactly the media types the code parses. A change to either
side alone fails here, before a client or a fuzzer finds it."""

from __future__ import annotations

from typing import Any

import pytest

from contracts import gateway_contract, gateway_routes
from devportal.http import CORRELATION_ID
from devportal.identity.attempts import DEVICE_TOKEN
from devportal.identity.keys import KEY_ID
from devportal.identity.pool import MAX_PASSWORD_CHARS, PASSWORD_POLICY, chosen_password_pattern
from devportal.identity.users import EMAIL
from devportal.specs.openapi import API_ID_PATTERN, VERSION_PATTERN
from devportal.specs.parsing import SUPPORTED_MEDIA_TYPES


def component(kind: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = gateway_contract()["components"][kind][name]
    return found


@pytest.mark.parametrize(
    ("schema", "pattern"),
    [("Slug", API_ID_PATTERN.pattern), ("Version", VERSION_PATTERN.pattern), ("Email", EMAIL.pattern)],
)
def test_published_patterns_are_the_checked_ones(schema: str, pattern: str) -> None:
    assert component("schemas", schema)["pattern"] == pattern


def test_the_key_id_pattern_is_the_checked_one() -> None:
    assert component("parameters", "KeyId")["schema"]["pattern"] == KEY_ID.pattern


def test_submissions_take_exactly_the_parsed_media_types() -> None:
    body = gateway_contract()["paths"]["/apis"]["post"]["requestBody"]["content"]
    assert set(body) == set(SUPPORTED_MEDIA_TYPES)


def test_a_chosen_password_is_held_to_the_published_rule() -> None:
    published = component("schemas", "InviteRequest")["properties"]["password"]
    assert published["pattern"] == chosen_password_pattern()
    assert (published["minLength"], published["maxLength"]) == (PASSWORD_POLICY.min_length, MAX_PASSWORD_CHARS)


def test_the_correlation_id_rule_is_the_checked_one() -> None:
    assert component("parameters", "CorrelationId")["schema"]["pattern"] == CORRELATION_ID.pattern


def test_every_operation_declares_the_correlation_header() -> None:
    for route in gateway_routes():
        assert ("header", "X-Correlation-Id") in {(p.location, p.name) for p in route.parameters}, route.operation_id


def test_the_device_token_rule_is_the_checked_one() -> None:
    for schema in ("LoginRequest", "LoginResponse"):
        assert component("schemas", schema)["properties"]["deviceToken"]["pattern"] == DEVICE_TOKEN.pattern
