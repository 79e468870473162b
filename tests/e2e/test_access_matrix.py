"""Who may do what, every route by every kind of caller, over HTTP through the local gateway:
anonymous, a viewer, a developer of the team that owns the API, a developer of another team, an
admin, and a service presenting a valid API key (keys publish usage; they open no user route)."""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from contracts import gateway_routes
from tests.support.specs import petstore_json
from tests.support.stack import RunningStack

CALLERS = ("anonymous", "viewer", "developer", "other-developer", "admin", "service-key")


@dataclass
class World:
    stack: RunningStack
    tokens: dict[str, str]
    api_id: str
    version: str
    submission_id: str
    service_key: str
    keys: list[str]  # ids of keys made for the rotate and revoke rows
    target: str  # a base URL that accepts connections and never answers: a run stays running
    run_id: str
    subscription_id: str  # a webhook subscription of team pets

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "service-key":
            return {"X-Api-Key": self.service_key}
        return {"Authorization": f"Bearer {self.tokens[caller]}"}


@pytest.fixture(scope="module")
def silent_target() -> Iterator[str]:
    """A listening socket nobody accepts on: requests connect and wait out their timeout."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture(scope="module")
def world(stack: RunningStack, silent_target: str) -> World:
    email = f"other-{uuid.uuid4().hex[:6]}@example.com"
    added = stack.cli("users", "add", email, "--role", "developer", "--team", "payments")
    assert added.returncode == 0, added.stderr
    password = re.search(r"Password \(shown once\): (\S+)", added.stdout)
    assert password, added.stdout
    other = requests.post(
        stack.gateway + "/auth/login", json={"email": email, "password": password.group(1)}, timeout=30
    ).json()
    signed_in = {role: stack.sign_in(role) for role in ("viewer", "developer", "admin")}
    signed_in["other-developer"] = other
    api_id = f"matrix-{uuid.uuid4().hex[:8]}"
    created = stack.post(
        f"/apis?apiId={api_id}", petstore_json(), "application/json", role="developer"
    )  # team pets owns it from now on
    assert created.status_code == 202, created.text
    body = created.json()
    assert stack.wait_for_submission(body["submissionId"])["status"] == "registered"
    deadline = time.monotonic() + 10  # the catalog entry (ownership) is written by its consumer
    while stack.get(f"/apis/{api_id}", role="viewer").json().get("owner") != "pets":
        assert time.monotonic() < deadline, "the catalog never named team pets as the owner"
        time.sleep(0.05)
    keys = []
    for _ in range(3):
        made = requests.post(
            stack.gateway + "/keys", json={"team": "pets", "name": "matrix"}, headers=stack.auth("admin"), timeout=30
        )
        assert made.status_code == 201, made.text
        keys.append(made.json())
    run = stack.post(
        f"/apis/{api_id}/versions/{body['version']}/test-runs",
        json.dumps({"baseUrl": silent_target}).encode(),
        "application/json",
        role="developer",
    )
    assert run.status_code == 202, run.text
    hook = requests.post(
        stack.gateway + "/teams/pets/subscriptions",
        json={"events": ["api.registered"], "apis": [api_id], "webhookUrl": "http://127.0.0.1:9/matrix"},
        headers=stack.auth("developer"),
        timeout=30,
    )
    assert hook.status_code == 201, hook.text
    return World(
        stack,
        {caller: tokens["accessToken"] for caller, tokens in signed_in.items()},
        api_id,
        body["version"],
        body["submissionId"],
        keys[0]["secret"],
        [keys[1]["keyId"], keys[2]["keyId"]],
        silent_target,
        run.json()["runId"],
        hook.json()["subscriptionId"],
    )


def submit_new_version(world: World, caller: str) -> requests.Response:
    version = f"2.{uuid.uuid4().int % 10_000}.0"
    return requests.post(
        f"{world.stack.gateway}/apis?apiId={world.api_id}&version={version}",
        data=petstore_json(version=version),
        headers={**world.headers(caller), "Content-Type": "application/json"},
        timeout=60,
    )


def submit_an_upload(world: World, caller: str) -> requests.Response:
    """Submits an upload the owning team's developer opened and filled: only its opener may."""
    version = f"3.{uuid.uuid4().int % 10_000}.0"
    body = petstore_json(version=version)
    opened = requests.post(
        world.stack.gateway + "/apis/uploads",
        json={"size": len(body), "contentType": "application/json"},
        headers=world.headers("developer"),
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()
    assert requests.put(ticket["uploadUrl"], data=body, headers=ticket["headers"], timeout=30).status_code == 200
    return requests.post(f"{ticket['links']['submit']}?apiId={world.api_id}", headers=world.headers(caller), timeout=60)


def publish_usage(world: World, caller: str) -> requests.Response:
    record = {
        "apiId": world.api_id,
        "version": world.version,
        "operationId": "listPets",
        "status": 200,
        "latencyMs": 4.5,
        "timestamp": datetime.now(UTC).isoformat(),
        "consumerId": "matrix",
    }
    return requests.post(
        world.stack.gateway + "/usage",
        json={"batchId": f"matrix-{uuid.uuid4().hex[:8]}", "records": [record]},
        headers=world.headers(caller),
        timeout=30,
    )


def request_run(world: World, caller: str) -> requests.Response:
    return requests.post(
        f"{world.stack.gateway}/apis/{world.api_id}/versions/{world.version}/test-runs",
        json={"baseUrl": world.target},
        headers=world.headers(caller),
        timeout=30,
    )


def cancel_own_run(world: World, caller: str) -> requests.Response:
    """Cancels a run of its own (the team's developer asks for it, so each caller has one to stop)."""
    run = request_run(world, "developer")
    assert run.status_code == 202, run.text
    return requests.post(
        f"{world.stack.gateway}/test-runs/{run.json()['runId']}/cancel", headers=world.headers(caller), timeout=30
    )


def delete_a_schedule(world: World, caller: str) -> requests.Response:
    """Deletes a schedule its team has just set (so each caller has one to delete)."""
    schedule = world.stack.gateway + f"/apis/{world.api_id}/test-schedule"
    made = requests.put(
        schedule, json={"cron": "@daily", "paused": True}, headers=world.headers("developer"), timeout=30
    )
    assert made.status_code == 200, made.text
    return requests.delete(schedule, headers=world.headers(caller), timeout=30)


def subscribe(world: World, caller: str) -> requests.Response:
    return requests.post(
        world.stack.gateway + "/teams/pets/subscriptions",
        json={"events": ["api.rejected"], "email": f"matrix-{uuid.uuid4().hex[:8]}@pets.test"},
        headers=world.headers(caller),
        timeout=30,
    )


def delete_a_subscription(world: World, caller: str) -> requests.Response:
    """Deletes a subscription its team has just made (so each caller has one to delete)."""
    made = subscribe(world, "developer")
    assert made.status_code == 201, made.text
    return requests.delete(
        world.stack.gateway + f"/teams/pets/subscriptions/{made.json()['subscriptionId']}",
        headers=world.headers(caller),
        timeout=30,
    )


def post_json_to(path: Callable[[World], str], body: dict[str, Any]) -> Callable[[World, str], requests.Response]:
    return lambda world, caller: requests.post(
        world.stack.gateway + path(world), json=body, headers=world.headers(caller), timeout=30
    )


def post_json(path: str, body: dict[str, Any]) -> Callable[[World, str], requests.Response]:
    return lambda world, caller: requests.post(
        world.stack.gateway + path, json=body, headers=world.headers(caller), timeout=30
    )


def call(method: str, path: Callable[[World], str]) -> Callable[[World, str], requests.Response]:
    return lambda world, caller: requests.request(
        method, world.stack.gateway + path(world), headers=world.headers(caller), timeout=30
    )


# operation -> (request, expected status per caller in CALLERS order)
MATRIX: dict[str, tuple[Callable[[World, str], requests.Response], tuple[int, ...]]] = {
    "listApis": (call("GET", lambda w: "/apis"), (401, 200, 200, 200, 200, 401)),
    "searchCatalog": (call("GET", lambda w: f"/catalog/search?q={w.api_id}"), (401, 200, 200, 200, 200, 401)),
    "getApi": (call("GET", lambda w: f"/apis/{w.api_id}"), (401, 200, 200, 200, 200, 401)),
    "getApiVersion": (call("GET", lambda w: f"/apis/{w.api_id}/versions/{w.version}"), (401, 200, 200, 200, 200, 401)),
    "getApiChanges": (call("GET", lambda w: f"/apis/{w.api_id}/changes"), (401, 200, 200, 200, 200, 401)),
    "getApiDocs": (
        call("GET", lambda w: f"/apis/{w.api_id}/versions/{w.version}/docs"),
        (401, 200, 200, 200, 200, 401),
    ),
    "getApiSpec": (
        call("GET", lambda w: f"/apis/{w.api_id}/versions/{w.version}/spec"),
        (401, 200, 200, 200, 200, 401),
    ),
    "getApiVersionLint": (
        call("GET", lambda w: f"/apis/{w.api_id}/versions/{w.version}/lint"),
        (401, 200, 200, 200, 200, 401),
    ),
    # the owning team's developers and admins; asking for the status it has changes nothing
    "changeVersionLifecycle": (
        lambda world, caller: requests.post(
            world.stack.gateway + f"/apis/{world.api_id}/versions/{world.version}/lifecycle",
            json={"status": "active"},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    # the version asked for no approval: readers get a 404; only admins decide (nothing to decide: 404)
    "getVersionApproval": (
        call("GET", lambda w: f"/apis/{w.api_id}/versions/{w.version}/approval"),
        (401, 404, 404, 404, 404, 401),
    ),
    "listApprovals": (call("GET", lambda w: "/approvals"), (401, 403, 403, 403, 200, 401)),
    "approveVersion": (
        post_json_to(lambda w: f"/apis/{w.api_id}/versions/{w.version}/approve", {"reason": "ok"}),
        (401, 403, 403, 403, 404, 401),
    ),
    "rejectVersion": (
        post_json_to(lambda w: f"/apis/{w.api_id}/versions/{w.version}/reject", {"reason": "no"}),
        (401, 403, 403, 403, 404, 401),
    ),
    "listLintRules": (call("GET", lambda w: "/lint/rules"), (401, 200, 200, 200, 200, 401)),
    "getLintRuleset": (call("GET", lambda w: "/teams/pets/lint-ruleset"), (401, 200, 200, 200, 200, 401)),
    # the team's developers and admins; a harmless ruleset (nothing blocks), as other rows submit for pets
    "setLintRuleset": (
        lambda world, caller: requests.put(
            world.stack.gateway + "/teams/pets/lint-ruleset",
            json={"rules": {"operation-description": "hint"}},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    "getSubmission": (call("GET", lambda w: f"/submissions/{w.submission_id}"), (401, 403, 200, 403, 200, 401)),
    "getSubmissionDocument": (
        call("GET", lambda w: f"/submissions/{w.submission_id}/document"),
        (401, 403, 200, 403, 200, 401),
    ),
    "submitSpec": (submit_new_version, (401, 403, 202, 403, 202, 401)),
    # anyone who may submit opens uploads of their own; an upload is submitted by its opener only
    "createUpload": (
        post_json("/apis/uploads", {"size": 10, "contentType": "application/json"}),
        (401, 403, 201, 201, 201, 401),
    ),
    "submitUpload": (submit_an_upload, (401, 403, 202, 404, 404, 401)),
    "getMe": (call("GET", lambda w: "/me"), (401, 200, 200, 200, 200, 401)),
    "createApiKey": (post_json("/keys", {"team": "pets", "name": "m"}), (401, 403, 403, 403, 201, 401)),
    "listApiKeys": (call("GET", lambda w: "/keys?team=pets"), (401, 403, 403, 403, 200, 401)),
    "rotateApiKey": (call("POST", lambda w: f"/keys/{w.keys[0]}/rotate"), (401, 403, 403, 403, 201, 401)),
    "revokeApiKey": (call("DELETE", lambda w: f"/keys/{w.keys[1]}"), (401, 403, 403, 403, 204, 401)),
    "inviteUser": (
        lambda world, caller: requests.post(
            world.stack.gateway + "/users",
            json={"email": f"invited-{uuid.uuid4().hex[:8]}@example.com", "role": "viewer", "team": "platform"},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 403, 403, 201, 401),
    ),
    "listUsers": (call("GET", lambda w: "/users"), (401, 403, 403, 403, 200, 401)),
    "getApiAnalytics": (call("GET", lambda w: f"/apis/{w.api_id}/analytics"), (401, 200, 200, 200, 200, 401)),
    "getDocsRating": (call("GET", lambda w: f"/apis/{w.api_id}/versions/1.0.0/rating"), (401, 200, 200, 200, 200, 401)),
    "rateDocs": (
        lambda world, caller: requests.put(
            world.stack.gateway + f"/apis/{world.api_id}/versions/1.0.0/rating",
            json={"helpful": True},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 200, 200, 200, 200, 401),
    ),
    "getTeamAnalytics": (call("GET", lambda w: "/teams/pets/analytics"), (401, 200, 200, 200, 200, 401)),
    "getApiHealth": (call("GET", lambda w: f"/apis/{w.api_id}/health"), (401, 200, 200, 200, 200, 401)),
    "listAnalyticsReports": (
        call("GET", lambda w: f"/apis/{w.api_id}/analytics/reports"),
        (401, 200, 200, 200, 200, 401),
    ),
    # let in, then told the API has no report of that day (it has no traffic)
    "getAnalyticsReport": (
        call("GET", lambda w: f"/apis/{w.api_id}/analytics/reports/2026-12-01"),
        (401, 404, 404, 404, 404, 401),
    ),
    # the owning team's developers and admins
    "setApiHealthThresholds": (
        lambda world, caller: requests.put(
            world.stack.gateway + f"/apis/{world.api_id}/health/thresholds",
            json={"minCalls": 30},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    "requestTestRun": (request_run, (401, 403, 202, 403, 202, 401)),
    "cancelTestRun": (cancel_own_run, (401, 403, 202, 403, 202, 401)),
    "listTestRuns": (call("GET", lambda w: f"/apis/{w.api_id}/test-runs"), (401, 200, 200, 200, 200, 401)),
    "getTestRun": (call("GET", lambda w: f"/test-runs/{w.run_id}"), (401, 200, 200, 200, 200, 401)),
    "getTestSettings": (call("GET", lambda w: f"/apis/{w.api_id}/test-settings"), (401, 200, 200, 200, 200, 401)),
    "setTestSettings": (
        lambda world, caller: requests.put(
            world.stack.gateway + f"/apis/{world.api_id}/test-settings",
            json={"maxExamples": 3},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    "setTestSchedule": (
        lambda world, caller: requests.put(
            world.stack.gateway + f"/apis/{world.api_id}/test-schedule",
            json={"cron": "0 6 * * 1-5", "paused": True},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    "getTestSchedule": (call("GET", lambda w: f"/apis/{w.api_id}/test-schedule"), (401, 200, 200, 200, 200, 401)),
    "deleteTestSchedule": (delete_a_schedule, (401, 403, 204, 403, 204, 401)),
    # a team's subscriptions: its developers and admins
    "createSubscription": (subscribe, (401, 403, 201, 403, 201, 401)),
    "listSubscriptions": (call("GET", lambda w: "/teams/pets/subscriptions"), (401, 403, 200, 403, 200, 401)),
    "getSubscription": (
        call("GET", lambda w: f"/teams/pets/subscriptions/{w.subscription_id}"),
        (401, 403, 200, 403, 200, 401),
    ),
    "updateSubscription": (
        lambda world, caller: requests.patch(
            world.stack.gateway + f"/teams/pets/subscriptions/{world.subscription_id}",
            json={"description": "matrix"},
            headers=world.headers(caller),
            timeout=30,
        ),
        (401, 403, 200, 403, 200, 401),
    ),
    "deleteSubscription": (delete_a_subscription, (401, 403, 204, 403, 204, 401)),
    "rotateSubscriptionSecret": (
        call("POST", lambda w: f"/teams/pets/subscriptions/{w.subscription_id}/secret"),
        (401, 403, 200, 403, 200, 401),
    ),
    "listDeliveries": (
        call("GET", lambda w: f"/teams/pets/subscriptions/{w.subscription_id}/deliveries"),
        (401, 403, 200, 403, 200, 401),
    ),
    # let in, then told there is no such delivery
    "redeliverNotification": (
        call("POST", lambda w: f"/teams/pets/subscriptions/{w.subscription_id}/deliveries/msg_{'0' * 26}/redeliver"),
        (401, 403, 404, 403, 404, 401),
    ),
    # the mail a local stack sent: admins (its confirmation links are tokens)
    "listOutbox": (call("GET", lambda w: "/mail/outbox"), (401, 403, 403, 403, 200, 401)),
    # open by contract (the mailbox's owner need not be a user): an unknown token for everyone
    "confirmSubscription": (post_json("/subscriptions/confirmations", {"token": "t" * 40}), (404,) * 6),
    # services only: a user's token is not a service key, whatever the role
    "recordUsage": (publish_usage, (401, 401, 401, 401, 401, 202)),
    # open by contract: the token does not matter, the (here empty) body does
    "login": (post_json("/auth/login", {}), (400, 400, 400, 400, 400, 400)),
    "refreshTokens": (post_json("/auth/refresh", {}), (400, 400, 400, 400, 400, 400)),  # a body without the token
    # last: signing out revokes each caller's refresh tokens (their access tokens live on)
    "logout": (post_json("/auth/logout", {}), (401, 204, 204, 204, 204, 401)),
}


def test_the_matrix_covers_every_operation_of_the_contract() -> None:
    assert set(MATRIX) == {route.operation_id for route in gateway_routes()}


@pytest.mark.parametrize("operation", list(MATRIX))
def test_who_may_do_what(world: World, operation: str) -> None:
    call, expected = MATRIX[operation]
    got = {caller: call(world, caller).status_code for caller in CALLERS}
    assert got == dict(zip(CALLERS, expected, strict=True))


def test_refusals_are_problem_json_without_internals(world: World) -> None:
    refused = submit_new_version(world, "other-developer")
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 403
    assert "belongs to team pets" in refused.json()["detail"]
    viewer = submit_new_version(world, "viewer")
    assert "apis:submit" in viewer.json()["detail"]
