"""Contract tests of live APIs through the gateway: two real services on loopback, one that keeps
its spec and one with known defects, registered and tested; the run finds exactly the defects,
none on the conforming one, and sends no unsafe method unless its environment enables them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.support.contract_services import SLOW_MS, serve, spec
from tests.support.stack import RunningStack


def run_to_end(stack: RunningStack, run_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answer = stack.get(f"/test-runs/{run_id}", role="viewer")
        assert answer.status_code == 200, answer.text
        run: dict[str, Any] = answer.json()
        if run["status"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, f"{run_id} still {run['status']} after {timeout} s"
        time.sleep(0.2)


def failures(run: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (operation["operation"], check["check"])
        for operation in run["results"]["operations"]
        for check in operation["checks"]
        if check["failed"]
    }


def set_settings(stack: RunningStack, api_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    answer = stack.put(
        f"/apis/{api_id}/test-settings", json.dumps(settings).encode(), "application/json", role="developer"
    )
    assert answer.status_code == 200, answer.text
    saved: dict[str, Any] = answer.json()
    return saved


def request_run(stack: RunningStack, api_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = stack.post(
        f"/apis/{api_id}/versions/1.0.0/test-runs",
        json.dumps(body or {}).encode(),
        "application/json",
        role="developer",
    )
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"].endswith(f"/test-runs/{answer.json()['runId']}")
    queued: dict[str, Any] = answer.json()
    return queued


def test_a_conforming_service_passes_every_check_and_gets_no_unsafe_method(stack: RunningStack) -> None:
    api_id = f"ct-ok-{uuid.uuid4().hex[:6]}"
    with serve(defective=False) as service:
        # Given a service that keeps its spec, registered with the spec's server URL
        stack.register(api_id, json.dumps(spec(service.base_url)).encode())
        # When its team asks for a run against the declared base URL
        queued = request_run(stack, api_id)
        assert queued["status"] == "queued"
        assert queued["target"]["baseUrl"] == service.base_url
        run = run_to_end(stack, queued["runId"])
        received = service.received.methods()
    # Then every check held, the unsafe operations were skipped, and none was sent
    assert run["status"] == "passed", run.get("summary")
    assert failures(run) == set()
    assert run["score"] == 1
    assert run["casesDone"] == run["casesTotal"] == run["results"]["cases"] > 0
    skipped = {op["operation"] for op in run["results"]["operations"] if op["status"] == "skipped"}
    assert skipped == {"POST /pets", "DELETE /pets/{petId}"}
    assert received <= {"GET", "HEAD", "OPTIONS"}, received
    assert run["results"]["coverage"]["operations"] == {"tested": 5, "total": 7, "ratio": round(5 / 7, 4)}
    # and the catalog entry shows it as the API's last run
    entry = stack.get(f"/apis/{api_id}", role="viewer").json()
    deadline = time.monotonic() + 30
    while entry.get("lastTestRun") is None and time.monotonic() < deadline:
        time.sleep(0.2)
        entry = stack.get(f"/apis/{api_id}", role="viewer").json()
    assert entry["lastTestRun"]["runId"] == run["runId"]
    assert entry["lastTestRun"]["outcome"] == "passed"


def test_a_defective_service_fails_exactly_its_defects(stack: RunningStack) -> None:
    api_id = f"ct-bad-{uuid.uuid4().hex[:6]}"
    with serve(defective=True) as service:
        stack.register(api_id, json.dumps(spec(service.base_url)).encode())
        # Given a latency line under the slow endpoint's answer time
        set_settings(stack, api_id, {"latencyMs": SLOW_MS // 2, "maxExamples": 5})
        run = run_to_end(stack, request_run(stack, api_id)["runId"])
    # Then the run failed, with exactly the known defects
    assert run["status"] == "failed"
    assert failures(run) == {
        ("GET /pets", "content_type_conformance"),
        ("GET /pets/{petId}", "response_schema_conformance"),
        ("GET /owners/{ownerId}", "response_schema_conformance"),
        ("GET /status", "status_code_conformance"),
        ("GET /slow", "latency"),
        # the sequence GET /pets -> GET /pets/{petId} (an OpenAPI link) meets the same two defects
        ("sequences over OpenAPI links", "content_type_conformance"),
        ("sequences over OpenAPI links", "response_schema_conformance"),
    }
    status = next(op for op in run["results"]["operations"] if op["operation"] == "GET /status")
    assert status["undocumentedStatuses"] == ["203"]
    first = next(c for c in status["checks"] if c["check"] == "status_code_conformance")["firstFailure"]
    assert first["curl"].startswith("curl")
    assert "/status" in first["curl"]
    assert 0 < run["score"] < 1


def test_unsafe_methods_are_sent_only_to_an_environment_that_enables_them(stack: RunningStack) -> None:
    api_id = f"ct-unsafe-{uuid.uuid4().hex[:6]}"
    with serve(defective=False) as service:
        stack.register(api_id, json.dumps(spec(service.base_url)).encode())
        set_settings(
            stack,
            api_id,
            {
                "maxExamples": 3,
                "environments": [
                    {"name": "staging", "baseUrl": service.base_url, "unsafeMethods": True},
                    {"name": "readonly", "baseUrl": service.base_url},
                ],
            },
        )
        readonly = run_to_end(stack, request_run(stack, api_id, {"environment": "readonly"})["runId"])
        assert service.received.methods() <= {"GET", "HEAD", "OPTIONS"}
        staging = run_to_end(stack, request_run(stack, api_id, {"environment": "staging"})["runId"])
        received = service.received.methods()
    assert readonly["status"] == "passed"
    assert readonly["target"]["environment"] == "readonly"
    assert staging["target"] == {"baseUrl": service.base_url, "environment": "staging", "unsafeMethods": True}
    assert {"POST", "DELETE"} <= received
    assert not [op for op in staging["results"]["operations"] if op["status"] == "skipped"]
    # and both runs are listed, newest first
    listed = stack.get(f"/apis/{api_id}/test-runs", role="viewer").json()["items"]
    assert [item["runId"] for item in listed] == [staging["runId"], readonly["runId"]]


def test_a_refused_target_is_a_clear_422(stack: RunningStack) -> None:
    api_id = f"ct-refused-{uuid.uuid4().hex[:6]}"
    stack.register(api_id, json.dumps(spec("http://127.0.0.1:9")).encode())
    answer = stack.post(
        f"/apis/{api_id}/versions/1.0.0/test-runs",
        json.dumps({"baseUrl": "http://169.254.169.254/latest"}).encode(),
        "application/json",
        role="developer",
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "cloud metadata" in problem["detail"]
    assert problem["errors"][0]["pointer"] == "/baseUrl"
    # the same address as an environment, and an environment the API does not have
    settings = stack.put(
        f"/apis/{api_id}/test-settings",
        json.dumps({"environments": [{"name": "meta", "baseUrl": "http://169.254.169.254/"}]}).encode(),
        "application/json",
        role="developer",
    )
    assert settings.status_code == 422
    assert settings.json()["errors"][0]["pointer"] == "/environments/0/baseUrl"
    unknown = stack.post(
        f"/apis/{api_id}/versions/1.0.0/test-runs",
        json.dumps({"environment": "staging"}).encode(),
        "application/json",
        role="developer",
    )
    assert unknown.status_code == 422
    assert "has no test environment 'staging'" in unknown.json()["detail"]


def test_a_schedule_is_set_read_paused_and_deleted_through_the_gateway(stack: RunningStack) -> None:
    api_id = f"ct-schedule-{uuid.uuid4().hex[:6]}"
    stack.register(api_id, json.dumps(spec("http://127.0.0.1:9")).encode())
    schedule = f"/apis/{api_id}/test-schedule"
    assert stack.get(schedule, role="viewer").status_code == 404
    # a cron that is not five fields is a 400; a field out of its range a 422; both say which
    assert stack.put(schedule, b'{"cron": "0 6 * *"}', "application/json", role="developer").status_code == 400
    wrong = stack.put(schedule, b'{"cron": "0 25 * * *"}', "application/json", role="developer")
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"detail": "the hour field has 25, outside 0-23", "pointer": "/cron"}]
    elsewhere = stack.put(schedule, b'{"cron": "@daily", "environment": "prod"}', "application/json", role="developer")
    assert elsewhere.status_code == 422
    # set: every weekday at 06:15 in Berlin
    set_ = stack.put(
        schedule, b'{"cron": "15 6 * * MON-FRI", "timeZone": "Europe/Berlin"}', "application/json", role="developer"
    )
    assert set_.status_code == 200, set_.text
    view = stack.get(schedule, role="viewer").json()
    assert (view["cron"], view["timeZone"], view["paused"], view["environment"]) == (
        "15 6 * * MON-FRI",
        "Europe/Berlin",
        False,
        None,
    )
    assert len(view["nextRuns"]) == 5
    assert "developer@" in view["note"]
    assert view["scheduleUrl"].endswith(f"/schedules/devportal-testing-schedule-{api_id}")
    # paused, then deleted
    paused = stack.put(
        schedule, b'{"cron": "15 6 * * MON-FRI", "timeZone": "Europe/Berlin", "paused": true}', "application/json",
        role="developer",
    )  # fmt: skip
    assert paused.json()["paused"] is True
    assert stack.delete(schedule, role="developer").status_code == 204
    assert stack.get(schedule, role="viewer").status_code == 404
    assert stack.delete(schedule, role="developer").status_code == 404
