"""The registration journey through the gateway, every response checked against the contract."""

from __future__ import annotations

import json
import time
import uuid

import requests

from tests.support.contract import assert_matches_contract
from tests.support.specs import demo_spec_bytes, petstore_json
from tests.support.stack import RunningStack


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def check(response: requests.Response, path: str, method: str = "GET") -> None:
    media_type = response.headers["Content-Type"].split(";")[0]
    assert_matches_contract(path, method, response.status_code, media_type, response.json())


def test_submit_poll_active_documented_listed(stack: RunningStack) -> None:
    api_id = unique("petstore")
    # When a developer submits the petstore
    submitted = stack.post(f"/apis?team=pets&apiId={api_id}", demo_spec_bytes("petstore.yaml"))
    assert submitted.status_code == 202, submitted.text
    check(submitted, "/apis", "POST")
    status_url = submitted.headers["Location"]
    assert status_url == submitted.json()["links"]["self"]
    assert status_url.startswith(stack.gateway + "/submissions/sub-")

    # Then polling the status URL ends in "registered"
    submission_id = submitted.json()["submissionId"]
    finished = stack.wait_for_submission(submission_id)
    assert finished["status"] == "registered"
    assert "step" not in finished  # a finished registration is at no step
    check(stack.get(f"/submissions/{submission_id}"), "/submissions/{submissionId}")

    # And the submission links to its workflow in the Temporal Web UI, which knows it
    workflow_url = finished["links"]["workflow"]
    assert workflow_url == (f"{stack.cfg.temporal_ui_url}/namespaces/default/workflows/{finished['workflowId']}")
    ui_api = workflow_url.replace("/namespaces/", "/api/v1/namespaces/", 1)
    described = requests.get(ui_api, timeout=10).json()
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"

    # And its document is there as submitted, byte for byte
    document = stack.get(f"/submissions/{submission_id}/document")
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert document.content == demo_spec_bytes("petstore.yaml")

    # And the version is active
    version = stack.get(f"/apis/{api_id}/versions/1.0.0")
    assert version.status_code == 200
    check(version, "/apis/{apiId}/versions/{version}")
    assert (version.json()["status"], version.json()["operationCount"]) == ("active", 4)

    # And its documentation page lists every operation
    docs = stack.get(f"/apis/{api_id}/versions/1.0.0/docs")
    assert docs.status_code == 200
    assert docs.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in docs.headers["Content-Security-Policy"]
    for operation_id in ("listPets", "createPet", "showPetById", "deletePet"):
        assert f"operationId: {operation_id}" in docs.text

    # And the catalog lists it (fed by events, so it may take a moment)
    deadline = time.monotonic() + 10
    while True:
        listing = stack.get("/apis?limit=200")
        check(listing, "/apis")
        if any(item["apiId"] == api_id for item in listing.json()["items"]):
            break
        assert time.monotonic() < deadline, "the catalog never listed the new API"
        time.sleep(0.1)
    detail = stack.get(f"/apis/{api_id}")
    check(detail, "/apis/{apiId}")
    assert detail.json()["latestVersion"] == "1.0.0"
    assert [v["version"] for v in detail.json()["versions"]] == ["1.0.0"]
    owned = stack.get("/apis?owner=pets&limit=200").json()["items"]
    assert api_id in {item["apiId"] for item in owned}


def test_resubmitting_is_safe_and_versions_are_immutable(stack: RunningStack) -> None:
    api_id = unique("auth")
    body = demo_spec_bytes("authentication-api.yaml")
    first = stack.post(f"/apis?team=identity&apiId={api_id}", body)
    assert first.status_code == 202
    stack.wait_for_submission(first.json()["submissionId"])

    again = stack.post(f"/apis?team=identity&apiId={api_id}", body)
    assert again.status_code == 200  # the same submission, already finished: nothing new started
    check(again, "/apis", "POST")
    assert again.json()["submissionId"] == first.json()["submissionId"]

    changed = stack.post(f"/apis?team=identity&apiId={api_id}", body.replace(b"User login", b"Sign in"))
    assert changed.status_code == 409
    check(changed, "/apis", "POST")
    assert changed.json()["errors"] == [{"detail": "already registered", "pointer": "/info/version"}]

    newer = stack.post(f"/apis?team=identity&apiId={api_id}&version=1.1.0", body.replace(b"User login", b"Sign in"))
    assert newer.status_code == 202
    assert stack.wait_for_submission(newer.json()["submissionId"])["status"] == "registered"
    deadline = time.monotonic() + 10
    while stack.get(f"/apis/{api_id}").json()["latestVersion"] != "1.1.0":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_reads_of_what_does_not_exist(stack: RunningStack) -> None:
    for path in (
        "/apis/nope-nope",
        "/apis/nope-nope/versions/1.0.0",
        "/apis/nope-nope/versions/1.0.0/docs",
        "/submissions/sub-" + "0" * 24,
    ):
        response = stack.get(path)
        assert response.status_code == 404, path
        assert response.headers["Content-Type"] == "application/problem+json"
    check(stack.get("/apis/nope-nope"), "/apis/{apiId}")


def test_one_correlation_id_follows_a_submission_through_every_log_and_the_metrics(stack: RunningStack) -> None:
    correlation = f"follow-{uuid.uuid4().hex[:10]}"
    api_id = f"followed-{uuid.uuid4().hex[:6]}"
    response = stack.post(
        f"/apis?team=pets&apiId={api_id}",
        petstore_json(),
        "application/json",
        headers={"X-Correlation-Id": correlation},
    )
    assert response.status_code == 202, response.text
    assert stack.wait_for_submission(response.json()["submissionId"])["status"] == "registered"
    logs = stack.cfg.logs_dir

    def lines(component: str) -> list[str]:
        return [
            line for line in (logs / f"{component}.log").read_text(encoding="utf-8").splitlines() if correlation in line
        ]

    deadline = time.monotonic() + 15  # the catalog's consumer may still be at work
    while len(lines("pollers")) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    gateway = [json.loads(line) for line in lines("gateway") if line.startswith("{")]
    assert any(entry.get("message") == "submission accepted" for entry in gateway)
    worker = lines("worker")
    activity_lines = [json.loads(line) for line in worker if line.startswith("{")]
    assert {entry["message"] for entry in activity_lines} >= {
        "validate done",
        "store_version done",
        "announce_registered done",
    }
    assert all(entry["correlation_id"] == correlation for entry in activity_lines)
    assert any("registration step: registered" in line for line in worker)  # the workflow's own log
    consumers = {json.loads(line)["message"] for line in lines("pollers") if line.startswith("{")}
    assert {"submission outcome", "catalog updated"} <= consumers
    metrics = [json.loads(line) for line in (logs / "worker.log").read_text().splitlines() if '"_aws"' in line]
    assert any("Registrations" in m for m in metrics)
    assert any("RegistrationDuration" in m for m in metrics)
