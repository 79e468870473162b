"""Property-based: schemathesis generates requests from the gateway's own contract, valid and
invalid, and every response must be a declared status with a conforming body - never a 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport import SerializationContext

from contracts import GATEWAY_CONTRACT
from tests.support.stack import RunningStack

schema = schemathesis.openapi.from_path(GATEWAY_CONTRACT)
# Valid requests and deliberately invalid ones (wrong types, missing parameters, bad bodies).
schema.config.generation.update(modes=list(GenerationMode))


@schemathesis.serializer("application/vnd.oai.openapi")
def _openapi_yaml(context: SerializationContext, value: Any) -> bytes | None:
    if value is None:
        return None
    return value if isinstance(value, bytes) else yaml.safe_dump(value, allow_unicode=True).encode()


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_gateway_honours_its_contract(case: schemathesis.Case[Any], stack: RunningStack) -> None:
    case.call_and_validate(base_url=stack.gateway, headers=stack.auth("developer"), checks=CHECKS)
