"""Bad input through the gateway: a clear 4xx problem naming the fault, or a rejected registration
with findings. Never a 5xx, never a request leaving, never a file read, nothing half-written."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from devportal_local.config import LOOPBACK, free_port
from tests.support.contract import assert_matches_contract
from tests.support.specs import minimal, petstore_json
from tests.support.stack import RunningStack

NESTED = json.dumps({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "x": json.loads("[" * 80 + "]" * 80)})


def unique() -> str:
    return f"bad-{uuid.uuid4().hex[:8]}"


CASES: list[tuple[str, bytes, str, str, int, dict[str, Any]]] = [
    # (name, body, content type, query overrides, status, expected first error)
    ("empty", b"", "application/yaml", "", 400, {}),
    ("not json or yaml", b"{{{{ ][", "application/yaml", "", 400, {"line": 1}),
    ("broken json", b'{"openapi": "3.0.3",', "application/json", "", 400, {"line": 1}),
    ("not utf-8", b"openapi: \xff\xfe", "application/yaml", "", 400, {}),
    (
        "yaml anchors",
        b"openapi: 3.0.3\ninfo: &i {title: T, version: '1'}\nx: *i\n",
        "application/yaml",
        "",
        400,
        {"line": 2, "column": 7},
    ),
    ("nesting too deep", NESTED.encode(), "application/json", "", 400, {"pointer": "/x" + "/0" * 63}),
    ("not openapi", b'{"swagger": "1.2", "info": {}}', "application/json", "", 422, {"pointer": "/swagger"}),
    ("array root", b"[1, 2]", "application/json", "", 400, {"pointer": ""}),
    (
        "version not a string",
        b"openapi: 3.0.3\ninfo: {title: T, version: 1.0}\npaths: {}\n",
        "application/yaml",
        "",
        422,
        {"pointer": "/info/version"},
    ),
    ("unsupported media type", b"<xml/>", "application/xml", "", 415, {"parameter": "Content-Type"}),
    # exactly the contract's four media types: nothing is sniffed
    ("text/plain is not sniffed", petstore_json(), "text/plain", "", 415, {"parameter": "Content-Type"}),
    ("x-yaml is not listed", petstore_json(), "application/x-yaml", "", 415, {"parameter": "Content-Type"}),
    ("no content type", petstore_json(), "", "", 415, {"parameter": "Content-Type", "detail": "required"}),
    (
        "openapi and swagger both",
        b'{"openapi": "3.0.3", "swagger": "2.0", "info": {"title": "T", "version": "1"}}',
        "application/json",
        "",
        422,
        {"pointer": "/openapi"},
    ),
    ("missing team", petstore_json(), "application/json", "team=", 400, {"parameter": "team"}),
    ("bad api id", petstore_json(), "application/json", "apiId=Not_A_Slug", 400, {"parameter": "apiId"}),
    ("bad version parameter", petstore_json(), "application/json", "version=../x", 400, {"parameter": "version"}),
]


@pytest.mark.parametrize(
    ("name", "body", "content_type", "query", "status", "first_error"), CASES, ids=[case[0] for case in CASES]
)
def test_refused_at_the_door(
    stack: RunningStack, name: str, body: bytes, content_type: str, query: str, status: int, first_error: dict[str, Any]
) -> None:
    api_id = unique()
    parameters = {"team": "qa", "apiId": api_id, **dict(parse_qsl(query, keep_blank_values=True))}
    response = stack.post(f"/apis?{urlencode(parameters)}", body, content_type)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert_matches_contract("/apis", "POST", status, "application/problem+json", response.json())
    problem = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    if first_error:
        assert {k: problem["errors"][0].get(k) for k in first_error} == first_error
    assert_nothing_written(stack, api_id)


def assert_nothing_written(stack: RunningStack, api_id: str) -> None:
    names = stack.cfg.names
    objects = stack.aws("s3").list_objects_v2(Bucket=names.specs_bucket, Prefix=f"specs/{api_id}/").get("KeyCount", 0)
    assert objects == 0
    items = stack.aws("dynamodb").scan(
        TableName=names.table, FilterExpression="apiId = :a", ExpressionAttributeValues={":a": {"S": api_id}}
    )["Items"]
    assert items == []


def test_oversized_body_is_refused_before_it_is_read(stack: RunningStack) -> None:
    api_id = unique()
    body = b"x" * (stack.cfg.max_spec_bytes + 1)
    response = stack.post(f"/apis?team=qa&apiId={api_id}", body)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:devportal:problem:spec-too-large"
    assert_nothing_written(stack, api_id)


class _Listener:
    """A TCP listener that counts connections: proof that nothing reached out."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((LOOPBACK, self.port))
        self._socket.listen()
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    listening = _Listener()
    yield listening
    listening.close()


def test_external_refs_are_rejected_and_never_followed(stack: RunningStack, listener: _Listener) -> None:
    document = minimal(
        paths={
            "/a": {"get": {"responses": {"200": {"$ref": f"http://{LOOPBACK}:{listener.port}/response.json"}}}},
            "/b": {"get": {"responses": {"200": {"$ref": "file:///etc/passwd"}}}},
            "/c": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"http://{LOOPBACK}:{listener.port}/schema.json#/X"}
                                }
                            },
                        }
                    }
                }
            },
        }
    )
    response = stack.post(f"/apis?team=qa&apiId={unique()}", json.dumps(document).encode(), "application/json")
    assert response.status_code == 202
    outcome = stack.wait_for_submission(response.json()["submissionId"])
    assert outcome["status"] == "rejected"
    assert outcome["reason"] == "invalid-spec"
    assert_matches_contract("/submissions/{submissionId}", "GET", 200, "application/json", outcome)
    pointers = {f["pointer"] for f in outcome["findings"]}
    assert {
        "/paths/~1a/get/responses/200/$ref",
        "/paths/~1b/get/responses/200/$ref",
        "/paths/~1c/get/responses/200/content/application~1json/schema/$ref",
    } <= pointers
    assert listener.connections == 0
    assert "root:" not in json.dumps(outcome)  # nothing of /etc/passwd anywhere


def test_an_invalid_spec_is_rejected_with_pointers(stack: RunningStack) -> None:
    document = minimal(paths={"/orders/{id}": {"get": {"operationId": "x", "responses": {"200": {"descrption": "?"}}}}})
    response = stack.post(f"/apis?team=qa&apiId={unique()}", json.dumps(document).encode(), "application/json")
    outcome = stack.wait_for_submission(response.json()["submissionId"])
    assert outcome["status"] == "rejected"
    assert {(f["pointer"], f["rule"]) for f in outcome["findings"]} == {
        ("/paths/~1orders~1{id}/get", "path-params"),
        ("/paths/~1orders~1{id}/get/responses/200", "oas-schema"),
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/apis/Not_A_Slug", 400),
        ("GET", "/submissions/nope", 400),
        ("GET", "/apis/x/versions/..%2Fetc", 400),
        ("GET", "/nothing-here", 404),
        ("DELETE", "/apis", 405),
        ("PUT", "/apis/x", 405),
        ("GET", "/apis?limit=0", 400),
        ("GET", "/apis?limit=abc", 400),
        ("GET", "/apis?cursor=Not%20A%20Cursor", 400),  # a cursor is an apiId; anything else is refused
        ("GET", "/apis?owner=", 400),  # an empty filter is not "no filter"
        ("GET", "/apis?owner=NOT%20A%20TEAM", 400),
    ],
)
def test_bad_reads(stack: RunningStack, method: str, path: str, status: int) -> None:
    import requests

    response = requests.request(method, stack.gateway + path, headers=stack.auth(), timeout=30)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_a_document_that_exhausts_its_check_is_rejected_while_another_registers(stack: RunningStack) -> None:
    """Checking runs in worker processes with a memory limit (tunable, here lowered to 256 MiB):
    the hungry document is rejected with a finding saying so, the registration submitted beside
    it completes, and the worker goes on to check the next document."""
    ssm = stack.aws("ssm")
    name = f"{stack.cfg.names.parameters_path}/spec-check-memory-mb"
    original = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    filler: list[dict[str, Any]] = [{} for _ in range(3_000_000)]
    hungry = json.dumps({**minimal(), "x-filler": filler}, separators=(",", ":")).encode()  # 9 MB, ~250 MB parsed
    try:
        ssm.put_parameter(Name=name, Value="256", Type="String", Overwrite=True)
        time.sleep(1.5)  # the refresh time of the test stack
        first = stack.post(f"/apis?team=qa&apiId={unique()}", hungry, "application/json")
        second = stack.post(f"/apis?team=qa&apiId={unique()}", petstore_json(), "application/json")
        assert (first.status_code, second.status_code) == (202, 202), (first.text, second.text)
        assert stack.wait_for_submission(second.json()["submissionId"])["status"] == "registered"
        outcome = stack.wait_for_submission(first.json()["submissionId"], timeout=120)
        assert (outcome["status"], outcome["reason"]) == ("rejected", "invalid-spec")
        (finding,) = outcome["findings"]
        assert finding["rule"] == "spec-check-limits"
        assert "needed more than 256 MiB of memory" in finding["message"]
        assert_matches_contract("/submissions/{submissionId}", "GET", 200, "application/json", outcome)
    finally:
        ssm.put_parameter(Name=name, Value=original, Type="String", Overwrite=True)
    time.sleep(1.5)
    after = stack.post(f"/apis?team=qa&apiId={unique()}", petstore_json(version="2.0.0"), "application/json")
    assert stack.wait_for_submission(after.json()["submissionId"])["status"] == "registered"
