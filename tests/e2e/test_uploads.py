"""A document too large for a request body: POST /apis/uploads, PUT to the presigned URL (moto's
S3), then the same submission as POST /apis - registered end to end; an upload is its opener's."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests

from tests.support.contract import assert_matches_contract
from tests.support.specs import petstore
from tests.support.stack import RunningStack


def big_petstore(megabytes: int) -> bytes:
    """The petstore with an extension large enough to pass the 10 MB body cap (not rendered)."""
    document: dict[str, Any] = {**petstore(), "x-ballast": ["0123456789abcdef" * 64] * (megabytes * 1024)}
    return json.dumps(document, separators=(",", ":")).encode()


def open_upload(stack: RunningStack, body: bytes, role: str = "developer") -> dict[str, Any]:
    wanted = {"size": len(body), "contentType": "application/json"}
    opened = stack.post("/apis/uploads", json.dumps(wanted).encode(), "application/json", role=role)
    assert opened.status_code == 201, opened.text
    assert_matches_contract("/apis/uploads", "POST", 201, "application/json", opened.json())
    ticket: dict[str, Any] = opened.json()
    return ticket


def test_a_document_over_the_body_cap_is_uploaded_and_registered(stack: RunningStack) -> None:
    body = big_petstore(11)
    api_id = f"upload-{uuid.uuid4().hex[:8]}"
    assert stack.post(f"/apis?team=pets&apiId={api_id}", body, "application/json").status_code == 413
    ticket = open_upload(stack, body)
    put = requests.put(ticket["uploadUrl"], data=body, headers=ticket["headers"], timeout=60)
    assert put.status_code == 200, put.text
    submitted = stack.post(
        f"{ticket['links']['submit'].removeprefix(stack.gateway)}?apiId={api_id}", b"", role="developer"
    )
    assert submitted.status_code == 202, submitted.text
    assert_matches_contract("/apis/uploads/{uploadId}/submission", "POST", 202, "application/json", submitted.json())
    outcome = stack.wait_for_submission(submitted.json()["submissionId"], timeout=120)
    assert outcome["status"] == "registered", outcome
    version = stack.get(f"/apis/{api_id}/versions/1.0.0")
    assert version.json()["status"] == "active"
    # a retry of the same submission answers the same submission
    again = stack.post(f"{ticket['links']['submit'].removeprefix(stack.gateway)}?apiId={api_id}", b"", role="developer")
    assert (again.status_code, again.json()["submissionId"]) == (200, outcome["submissionId"])


def test_an_upload_is_its_openers_and_must_have_arrived(stack: RunningStack) -> None:
    body = json.dumps(petstore()).encode()
    ticket = open_upload(stack, body)
    submit = ticket["links"]["submit"].removeprefix(stack.gateway) + f"?apiId=upload-{uuid.uuid4().hex[:8]}"
    early = stack.post(submit, b"", role="developer")
    assert early.status_code == 404
    assert "has not happened" in early.json()["detail"]
    assert requests.put(ticket["uploadUrl"], data=body, headers=ticket["headers"], timeout=60).status_code == 200
    someone_else = stack.post(submit, b"", role="admin")
    assert someone_else.status_code == 404
    assert stack.post(submit, b"", role="viewer").status_code == 403


def test_what_an_upload_refuses(stack: RunningStack) -> None:
    too_big = stack.post(
        "/apis/uploads", json.dumps({"size": 64 * 1024 * 1024 + 1, "contentType": "application/json"}).encode(),
        "application/json", role="developer",
    )  # fmt: skip
    assert too_big.status_code == 400  # over the contract's maximum
    wrong = stack.post(
        "/apis/uploads", b'{"size": "10", "contentType": "text/html"}', "application/json", role="developer"
    )
    assert wrong.status_code == 400
    pointers = {error.get("pointer") for error in wrong.json().get("errors", [])}
    assert {"/size", "/contentType"} <= pointers, wrong.json()
    assert stack.post("/apis/uploads/not-an-id/submission", b"", role="developer").status_code == 400
