"""The HTTP edge: proxy events in, problem+json out, never internals in a 500."""

from __future__ import annotations

import base64
import json

import pytest

from devportal import errors
from devportal.errors import DomainError, FieldError
from devportal.http import DOMAIN_ERROR_STATUS, ApiRequest, ApiResponse, http_handler, json_response


def event(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "resource": "/apis",
        "path": "/apis",
        "httpMethod": "POST",
        "headers": {"Host": "api.example.com", "Content-Type": "application/yaml"},
        "queryStringParameters": {"team": "pets"},
        "pathParameters": None,
        "requestContext": {"requestId": "req-1", "path": "/prod/apis", "domainName": "api.example.com"},
        "body": "openapi: 3.0.3",
        "isBase64Encoded": False,
    }
    base.update(overrides)
    return base


def test_request_from_a_proxy_event() -> None:
    request = ApiRequest.from_event(event())
    assert request.headers["content-type"] == "application/yaml"
    assert request.body == b"openapi: 3.0.3"
    assert request.base_url == "https://api.example.com/prod"  # the stage stays in links
    assert request.url("/submissions/x") == "https://api.example.com/prod/submissions/x"
    assert request.correlation_id == "req-1"


def test_base64_bodies_and_supplied_correlation_ids() -> None:
    request = ApiRequest.from_event(
        event(
            body=base64.b64encode(b"\xff\x00").decode(), isBase64Encoded=True, headers={"X-Correlation-Id": "trace-42"}
        )
    )
    assert request.body == b"\xff\x00"
    assert request.correlation_id == "trace-42"


def test_every_domain_error_has_a_status_and_none_is_a_500() -> None:
    declared = {cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, DomainError)}
    assert declared - {DomainError} == set(DOMAIN_ERROR_STATUS)
    assert all(400 <= status < 500 or status == 503 for status in DOMAIN_ERROR_STATUS.values())


def test_domain_errors_become_problem_json_naming_the_field() -> None:
    def route(request: ApiRequest) -> ApiResponse:
        raise errors.VersionConflict("taken", [FieldError(detail="already registered", pointer="/info/version")])

    response = http_handler(route)(event(), None)
    assert response["statusCode"] == 409
    assert response["headers"]["Content-Type"] == "application/problem+json"
    body = json.loads(response["body"])
    assert body["type"] == "urn:devportal:problem:version-conflict"
    assert body["errors"] == [{"detail": "already registered", "pointer": "/info/version"}]
    assert body["instance"] == "urn:devportal:request:req-1"


def test_unexpected_failures_are_500s_without_internals() -> None:
    def route(request: ApiRequest) -> ApiResponse:
        raise KeyError("secret-table-name")

    response = http_handler(route)(event(), None)
    assert response["statusCode"] == 500
    assert "secret-table-name" not in response["body"]
    assert "KeyError" not in response["body"]
    assert "req-1" in response["body"]


@pytest.mark.parametrize("status", [200, 202])
def test_json_responses(status: int) -> None:
    proxy = json_response(status, {"a": "é"}, {"Location": "/x"}).to_proxy()
    assert proxy == {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Location": "/x"},
        "body": '{"a":"é"}',
        "isBase64Encoded": False,
    }


def test_binary_responses_are_base64() -> None:
    proxy = ApiResponse(200, b"\xff\xfe").to_proxy()
    assert proxy["isBase64Encoded"]
    assert base64.b64decode(proxy["body"]) == b"\xff\xfe"


def test_the_contract_route_table_carries_parameters_security_and_body_shapes() -> None:
    from contracts import gateway_routes

    routes = {route.operation_id: route for route in gateway_routes()}
    submit = routes["submitSpec"]
    assert ("query", "team", False) in {(p.location, p.name, p.required) for p in submit.parameters}
    assert ("header", "X-Correlation-Id", False) in {(p.location, p.name, p.required) for p in submit.parameters}
    assert set(submit.object_bodies) == {"application/json", "application/vnd.oai.openapi+json"}
    version = routes["getApiVersion"]  # path-level parameters, through $ref
    assert {(p.location, p.name, p.required) for p in version.parameters} == {
        ("path", "apiId", True),
        ("path", "version", True),
        ("header", "X-Correlation-Id", False),  # every operation declares it
    }
    open_routes = {route.operation_id for route in routes.values() if not route.security_schemes}
    # `security: []` overrides the default: signing in, and confirming an address with the token mailed to it
    assert open_routes == {"login", "refreshTokens", "confirmSubscription"}
    assert routes["recordUsage"].security_schemes == ("serviceKey",)  # services: a key, checked by the function
    assert all(
        route.security_schemes == ("cognito",)
        for route in routes.values()
        if route.security_schemes and route.operation_id != "recordUsage"
    )
