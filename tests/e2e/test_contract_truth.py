"""What a fuzzing pass with every schemathesis check once found the gateway doing against its own
contract, each pinned down over HTTP: the contract says it, the gateway does it."""

from __future__ import annotations

import http.client
import json
import uuid
from urllib.parse import urlsplit

import requests

from tests.support.contract import assert_matches_contract
from tests.support.specs import demo_spec_bytes, petstore_json
from tests.support.stack import RunningStack


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def chunked_post(stack: RunningStack, path: str, body: bytes, chunk: int = 1000) -> tuple[int, bytes]:
    url = urlsplit(stack.gateway)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        for name, value in {**stack.auth(), "Content-Type": "application/json", "Transfer-Encoding": "chunked"}.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                connection.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (a 413) and closed before the body ended, as HTTP allows: read its answer
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_chunked_submission_is_read_like_any_other(stack: RunningStack) -> None:
    api_id = unique("chunked")
    status, body = chunked_post(stack, f"/apis?team=qa&apiId={api_id}", petstore_json())
    assert status == 202, body
    assert stack.wait_for_submission(json.loads(body)["submissionId"])["status"] == "registered"


def test_a_chunked_body_over_the_cap_is_413(stack: RunningStack) -> None:
    status, body = chunked_post(stack, f"/apis?team=qa&apiId={unique('big')}", b" " * (11 * 1024 * 1024), 1 << 20)
    assert status == 413, body


def test_the_same_document_as_yaml_after_json_is_the_same_version(stack: RunningStack) -> None:
    api_id = unique("both")
    first = stack.post(f"/apis?team=qa&apiId={api_id}", petstore_json(), "application/json")
    assert first.status_code == 202, first.text
    assert stack.wait_for_submission(first.json()["submissionId"])["status"] == "registered"
    again = stack.post(f"/apis?team=qa&apiId={api_id}", demo_spec_bytes("petstore.yaml"), "application/yaml")
    assert again.status_code == 200, again.text  # finished before: nothing new started
    assert again.json()["submissionId"] == first.json()["submissionId"]
    assert again.json()["sha256"] == first.json()["sha256"]


def test_a_malformed_correlation_id_is_refused_on_any_operation(stack: RunningStack) -> None:
    for header in ("x" * 129, "has space", "tab\there"):
        response = stack.get("/me", headers={"X-Correlation-Id": header})
        assert response.status_code == 400, response.text
        assert response.json()["errors"] == [{"detail": "invalid format", "parameter": "X-Correlation-Id"}]
    assert stack.get("/me", headers={"X-Correlation-Id": "trace-1"}).status_code == 200


def test_any_api_id_is_a_cursor(stack: RunningStack) -> None:
    page = stack.get("/apis?cursor=zzzz-nothing-after-this&limit=5")
    assert page.status_code == 200, page.text
    assert page.json() == {"items": [], "nextCursor": None}


def test_invites_the_pool_cannot_hold_are_400_naming_the_field(stack: RunningStack) -> None:
    viewer = {"role": "viewer", "team": "qa"}
    for body, pointer in (
        ({"email": "|7*rp@cf34.info", **viewer}, "/email"),  # RFC-valid, and Cognito refuses it
        ({"email": f"{unique('n')}@example.com", "password": None, **viewer}, "/password"),
        ({"email": f"{unique('w')}@example.com", "password": "lower-only-1", **viewer}, "/password"),
    ):
        response = requests.post(stack.gateway + "/users", json=body, headers=stack.auth(), timeout=30)
        assert response.status_code == 400, response.text
        assert_matches_contract("/users", "POST", 400, "application/problem+json", response.json())
        assert response.json()["errors"][0]["pointer"] == pointer


def test_rotating_a_rotated_key_is_a_conflict(stack: RunningStack) -> None:
    created = requests.post(
        stack.gateway + "/keys", json={"team": "qa", "name": "svc"}, headers=stack.auth(), timeout=30
    )
    key_id = created.json()["keyId"]
    rotate = stack.gateway + f"/keys/{key_id}/rotate"
    assert requests.post(rotate, headers=stack.auth(), timeout=30).status_code == 201
    again = requests.post(rotate, headers=stack.auth(), timeout=30)
    assert again.status_code == 409, again.text
    assert again.json()["type"] == "urn:devportal:problem:state-conflict"
