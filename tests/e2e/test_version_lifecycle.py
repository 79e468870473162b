"""A version's lifecycle through the gateway: registered as a draft (kept out of the catalog and
search), made active, deprecated with its sunset (the docs page says so), retired (still readable,
marked); moves its status does not allow are 409s, a missing sunset a 400, another team a 403."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.support.contract import assert_matches_contract
from tests.support.specs import petstore
from tests.support.stack import RunningStack


def eventually(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def move(stack: RunningStack, api_id: str, body: dict[str, object], role: str = "developer") -> dict[str, object]:
    answer = stack.post(
        f"/apis/{api_id}/versions/1.0.0/lifecycle", json.dumps(body).encode(), "application/json", role=role
    )
    assert answer.status_code == 200, answer.text
    assert_matches_contract(
        "/apis/{apiId}/versions/{version}/lifecycle", "POST", 200, "application/json", answer.json()
    )
    moved: dict[str, object] = answer.json()
    return moved


def test_a_version_from_draft_to_retired(stack: RunningStack) -> None:
    api_id = f"lifecycle-{uuid.uuid4().hex[:8]}"
    # Given a version registered as a draft
    submitted = stack.post(f"/apis?team=pets&apiId={api_id}&status=draft", json.dumps(petstore()).encode(),
                           "application/json")  # fmt: skip
    assert submitted.status_code == 202, submitted.text
    path = f"/submissions/{submitted.json()['submissionId']}"
    eventually(lambda: stack.get(path).json()["status"] == "registered", "the draft never registered", 60)

    def docs() -> str:
        return stack.get(f"/apis/{api_id}/versions/1.0.0/docs", role="viewer").text

    def cataloged() -> bool:  # the catalog entry exists (test settings are read through it)
        return stack.get(f"/apis/{api_id}/test-settings", role="viewer").status_code == 200

    version = stack.get(f"/apis/{api_id}/versions/1.0.0", role="viewer").json()
    assert version["status"] == "draft"
    assert "Draft: this version is not offered yet" in docs()
    # Then it is not offered: not in the catalog, not found by search
    assert stack.get(f"/catalog/search?q={api_id}", role="viewer").json()["total"] == 0
    assert not cataloged()

    # When its team makes it active, it joins the catalog and search, its docs unmarked
    assert move(stack, api_id, {"status": "active"})["status"] == "active"
    eventually(lambda: stack.get(f"/catalog/search?q={api_id}", role="viewer").json()["total"] == 1, "never indexed")
    eventually(cataloged, "never cataloged")
    eventually(lambda: "Draft:" not in docs(), "docs still marked draft")

    # Deprecating needs a sunset; with one, the docs page and search say so
    no_sunset = stack.post(f"/apis/{api_id}/versions/1.0.0/lifecycle", b'{"status": "deprecated"}',
                           "application/json", role="developer")  # fmt: skip
    assert no_sunset.status_code == 400
    assert no_sunset.json()["errors"][0]["pointer"] == "/sunset"
    sunset = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    deprecated = move(stack, api_id, {"status": "deprecated", "sunset": sunset, "reason": "2.0 replaces it"})
    assert (deprecated["status"], deprecated["sunset"]) == ("deprecated", sunset)
    eventually(lambda: f"goes away on {sunset}" in docs(), "docs never marked deprecated")
    eventually(lambda: stack.get(f"/catalog/search?q={api_id}&status=deprecated", role="viewer").json()["total"] == 1,
               "search never saw the deprecation")  # fmt: skip

    # Another team's developer may not move it; a move its status does not allow is a 409
    other = stack.post(f"/apis/{api_id}/versions/1.0.0/lifecycle", b'{"status": "retired"}', "application/json",
                       role="viewer")  # fmt: skip
    assert other.status_code == 403
    retired = move(stack, api_id, {"status": "retired"}, role="admin")
    assert retired["status"] == "retired"
    again = stack.post(f"/apis/{api_id}/versions/1.0.0/lifecycle", b'{"status": "active"}', "application/json",
                       role="developer")  # fmt: skip
    assert again.status_code == 409
    assert "a retired version stays retired" in again.json()["detail"]
    # A retired version stays readable, marked
    assert stack.get(f"/apis/{api_id}/versions/1.0.0/spec", role="viewer").status_code == 200
    eventually(lambda: "Retired: this version is no longer offered" in docs(), "docs never marked retired")
    assert stack.get(f"/apis/{api_id}", role="viewer").json()["versions"][0]["status"] == "retired"
