"""A breaking version through the gateway: it waits for an admin (the submission at step
awaiting-approval, the request naming the change and who calls it), an admin approves it
(route -> ApiApprovalDecided -> the bridge -> the workflow's signal) and it registers; a rejection
rejects it with the reason; a major version bump is not asked about."""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any

from tests.support.contract import assert_matches_contract
from tests.support.specs import petstore
from tests.support.stack import RunningStack


def version(number: str, *, without: str | None = None) -> bytes:
    document: dict[str, Any] = copy.deepcopy(petstore())
    document["info"]["version"] = number
    if without:
        method, path = without.split(" ", 1)
        del document["paths"][path][method]
    return json.dumps(document).encode()


def submitted(stack: RunningStack, api_id: str, body: bytes) -> str:
    answer = stack.post(f"/apis?team=pets&apiId={api_id}", body, "application/json")
    assert answer.status_code == 202, answer.text
    return str(answer.json()["submissionId"])


def waiting_for_approval(stack: RunningStack, submission_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = stack.get(f"/submissions/{submission_id}").json()
        if body.get("step") == "awaiting-approval":
            return body
        assert body["status"] not in ("registered", "rejected"), body
        assert time.monotonic() < deadline, f"{submission_id} never waited for an approval: {body}"
        time.sleep(0.1)


def test_a_breaking_version_waits_and_an_admin_approves_it(stack: RunningStack) -> None:
    api_id = f"approve-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, version("1.0.0"))
    # Given 1.1.0 removes POST /pets
    submission_id = submitted(stack, api_id, version("1.1.0", without="post /pets"))
    waiting_for_approval(stack, submission_id)
    asked = stack.get(f"/apis/{api_id}/versions/1.1.0/approval", role="viewer")
    assert asked.status_code == 200, asked.text
    assert_matches_contract("/apis/{apiId}/versions/{version}/approval", "GET", 200, "application/json", asked.json())
    request = asked.json()
    assert (request["status"], request["baseVersion"]) == ("pending", "1.0.0")
    assert [change["operation"] for change in request["breaking"]] == ["POST /pets"]
    pending = stack.get("/approvals").json()["items"]
    assert (api_id, "1.1.0") in {(item["apiId"], item["version"]) for item in pending}
    # A developer may not decide; an admin approves
    body = json.dumps({"reason": "every client moved to PUT"}).encode()
    assert (
        stack.post(f"/apis/{api_id}/versions/1.1.0/approve", body, "application/json", role="developer").status_code
        == 403
    )
    approved = stack.post(f"/apis/{api_id}/versions/1.1.0/approve", body, "application/json")
    assert approved.status_code == 202, approved.text
    assert_matches_contract(
        "/apis/{apiId}/versions/{version}/approve", "POST", 202, "application/json", approved.json()
    )
    # Then it registers, and the request shows the decision
    outcome = stack.wait_for_submission(submission_id, timeout=60)
    assert outcome["status"] == "registered", outcome
    decided = stack.get(f"/apis/{api_id}/versions/1.1.0/approval", role="viewer").json()
    assert decided["status"] == "approved"
    assert decided["decision"]["reason"] == "every client moved to PUT"
    again = stack.post(f"/apis/{api_id}/versions/1.1.0/reject", body, "application/json")
    assert again.status_code == 409


def test_a_rejected_breaking_version_is_rejected_with_the_reason(stack: RunningStack) -> None:
    api_id = f"reject-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, version("1.0.0"))
    submission_id = submitted(stack, api_id, version("1.1.0", without="post /pets"))
    waiting_for_approval(stack, submission_id)
    body = json.dumps({"reason": "partners still create pets"}).encode()
    assert stack.post(f"/apis/{api_id}/versions/1.1.0/reject", body, "application/json").status_code == 202
    outcome = stack.wait_for_submission(submission_id, timeout=60)
    assert (outcome["status"], outcome["reason"]) == ("rejected", "breaking-change-rejected")
    assert "partners still create pets" in outcome["findings"][0]["message"]
    # a major version bump is not asked about
    stack.register(api_id, version("2.0.0", without="post /pets"))
