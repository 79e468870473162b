"""The catalog search through HTTP: kept up to date from the portal's own events, so an API
registered a moment ago is found by its words - and by its operations' - with no scan per request."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.support.stack import RunningStack

SPEC = """openapi: 3.0.3
info:
  title: Ledger {tag}
  version: {version}
  description: Keeps the books of team {tag}.
paths:
  /entries:
    post:
      operationId: postEntry{tag}
      summary: Record a ledger entry
      responses:
        '201': {{description: Recorded}}
"""


def register(stack: RunningStack, api_id: str, tag: str, version: str) -> None:
    submitted = stack.post(f"/apis?team=pets&apiId={api_id}", SPEC.format(tag=tag, version=version).encode())
    assert submitted.status_code == 202, submitted.text
    assert stack.wait_for_submission(submitted.json()["submissionId"])["status"] == "registered"


def search(stack: RunningStack, **query: str) -> dict[str, Any]:
    answer = stack.get("/catalog/search", role="viewer", params=query)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def until_found(stack: RunningStack, query: str, version: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        found = search(stack, q=query)
        if found["items"] and found["items"][0]["latestVersion"] == version:
            return found
        assert time.monotonic() < deadline, f"{query!r} never found version {version}: {found}"
        time.sleep(0.2)


def test_a_registered_api_is_found_by_its_operation_and_its_next_version_replaces_it(stack: RunningStack) -> None:
    tag = uuid.uuid4().hex[:8]
    api_id = f"ledger-{tag}"
    register(stack, api_id, tag, "1.0.0")
    found = until_found(stack, f"record entry {tag}", "1.0.0")
    (hit,) = found["items"]
    assert (hit["apiId"], hit["owner"], hit["status"]) == (api_id, "pets", "active")
    assert hit["operations"][0] == {
        "method": "POST",
        "path": "/entries",
        "summary": "Record a ledger entry",
        "operationId": f"postEntry{tag}",
    }
    assert search(stack, q=f"postEntry{tag}")["total"] == 1
    assert search(stack, q=tag, owner="pets")["total"] == 1
    assert search(stack, q=tag, owner="payments")["total"] == 0
    assert {"value": "pets", "count": 1} in search(stack, q=tag, owner="payments")["facets"]["owners"]
    register(stack, api_id, tag, "2.0.0")
    assert until_found(stack, tag, "2.0.0")["total"] == 1


def test_bad_search_parameters_are_named(stack: RunningStack) -> None:
    for query, parameter in (
        ({"sort": "random"}, "sort"),
        ({"status": "gone"}, "status"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "500"}, "limit"),
        ({"q": "x" * 201}, "q"),
        ({"owner": "NOT A TEAM"}, "owner"),
    ):
        answer = stack.get("/catalog/search", role="viewer", params=query)
        assert answer.status_code == 400, (query, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["errors"][0]["parameter"] == parameter
