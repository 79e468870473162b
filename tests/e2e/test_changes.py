"""The changelog between registered versions through the gateway: a breaking change is an ERR with
both pointers, the default compares the latest with the version before it, unknown versions 404."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from devportal.adapters.registry import DynamoRegistry
from tests.support.contract import assert_matches_contract
from tests.support.specs import petstore
from tests.support.stack import RunningStack


def version_of(document: dict[str, Any], version: str) -> bytes:
    return json.dumps({**document, "info": {**document["info"], "version": version}}).encode()


def test_a_breaking_change_between_two_versions_is_told(stack: RunningStack) -> None:
    api_id = f"changes-{uuid.uuid4().hex[:8]}"
    first = petstore()
    stack.register(api_id, version_of(first, "1.0.0"))
    second = json.loads(json.dumps(first))
    removed_path, removed = next(
        (path, method) for path, item in second["paths"].items() for method in item if method == "post"
    )
    del second["paths"][removed_path][removed]
    stack.register(api_id, version_of(second, "2.0.0"))

    answer = stack.get(f"/apis/{api_id}/changes", role="viewer")
    assert answer.status_code == 200, answer.text
    assert_matches_contract("/apis/{apiId}/changes", "GET", 200, "application/json", answer.json())
    body = answer.json()
    assert (body["from"], body["to"]) == ("1.0.0", "2.0.0")
    assert body["counts"]["ERR"] >= 1
    (removed_change,) = [c for c in body["changes"] if c["id"] == "api-removed-without-deprecation"]
    assert removed_change["operation"] == f"POST {removed_path}"
    assert removed_change["oldPointer"] == "/paths/" + removed_path.replace("/", "~1") + "/post"
    assert removed_change["newPointer"] is None
    assert body["changes"][0]["level"] == "ERR"  # breaking first

    back = stack.get(f"/apis/{api_id}/changes?from=2.0.0&to=1.0.0", role="viewer").json()
    assert [c["id"] for c in back["changes"] if c["id"] == "endpoint-added"] == ["endpoint-added"]
    same = stack.get(f"/apis/{api_id}/changes?from=1.0.0&to=1.0.0", role="viewer").json()
    assert same["changes"] == []
    missing = stack.get(f"/apis/{api_id}/changes?from=9.9.9", role="viewer")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["parameter"] == "from"
    assert stack.get(f"/apis/{api_id}/changes?to=not%20a%20version", role="viewer").status_code == 400
    assert stack.get("/apis/no-such-api-here/changes", role="viewer").status_code == 404


def test_a_version_whose_document_is_missing_is_a_404_not_a_500(stack: RunningStack) -> None:
    api_id = f"changes-{uuid.uuid4().hex[:8]}"
    stack.register(api_id, version_of(petstore(), "1.0.0"))
    registry = DynamoRegistry(stack.cfg.names.table, stack.aws("dynamodb"))
    first = registry.get_version(api_id, "1.0.0")
    assert first is not None
    registry.store_version(dataclasses.replace(first, version="1.0.1", normalized_key="normalized/nowhere.json"))
    answer = stack.get(f"/apis/{api_id}/changes?from=1.0.0&to=1.0.1", role="viewer")
    assert answer.status_code == 404, answer.text
    assert "not available to compare" in answer.json()["detail"]
