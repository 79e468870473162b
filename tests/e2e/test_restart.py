"""A local portal that keeps its data: what was registered, the users and their passwords, the
keys and the workflow history are there again after a restart - a clean one (Ctrl-C) and a crash
(SIGKILL of the supervisor, whose children the kernel then kills). `--fresh` starts empty."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from devportal_local.users import demo_users
from tests.support.specs import petstore_json
from tests.support.stack import RunningStack, start_stack, stop_stack


def submit(stack: RunningStack, api_id: str) -> str:
    response = stack.post(f"/apis?team=pets&apiId={api_id}", petstore_json(title=api_id), "application/json")
    assert response.status_code == 202, response.text
    submission_id: str = response.json()["submissionId"]
    return submission_id


def register(stack: RunningStack, api_id: str) -> str:
    submission_id = submit(stack, api_id)
    assert stack.wait_for_submission(submission_id)["status"] == "registered"
    return submission_id


def assert_readable(stack: RunningStack, api_id: str) -> None:
    assert stack.get(f"/apis/{api_id}").status_code == 200
    docs = stack.get(f"/apis/{api_id}/versions/1.0.0/docs")
    assert docs.status_code == 200, docs.text
    assert docs.headers["Content-Type"].startswith("text/html")


def workflow_ids(stack: RunningStack, api_id: str) -> list[str]:
    query = quote(f'ApiId="{api_id}"')
    found = requests.get(
        f"{stack.cfg.temporal_ui_url}/api/v1/namespaces/default/workflows?query={query}", timeout=10
    ).json()
    return [execution["execution"]["workflowId"] for execution in found.get("executions", [])]


def kill_supervisor(stack: RunningStack) -> None:
    """SIGKILL of `devportal up` alone: no cleanup runs, and its children die with it."""
    children = list(stack.children().values())
    os.kill(stack.process.pid, signal.SIGKILL)
    stack.process.wait()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() and _running(pid) for pid in children):
        assert time.monotonic() < deadline, "children outlived the supervisor"
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_restart_keeps_everything_and_a_crash_loses_no_accepted_registration(tmp_path: Path) -> None:
    state = tmp_path / "portal"
    first_ids = [f"kept-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    stack = start_stack(state)
    try:
        for api_id in first_ids:
            register(stack, api_id)
        admin = demo_users(state)["admin"]
        key = requests.post(
            stack.gateway + "/keys", json={"team": "pets", "name": "svc"}, headers=stack.auth(), timeout=30
        ).json()
        history = {api_id: workflow_ids(stack, api_id) for api_id in first_ids}
    finally:
        assert stop_stack(stack) == []

    # A clean restart: everything as it was, and new registrations carry on
    stack = start_stack(state)
    try:
        assert "state kept from the last run" in stack.text()
        assert demo_users(state)["admin"] == admin  # the same users, the same passwords
        for api_id in first_ids:
            assert_readable(stack, api_id)
            assert workflow_ids(stack, api_id) == history[api_id]  # Temporal's history too
        keys = stack.get("/keys?team=pets").json()["items"]
        assert key["keyId"] in {k["keyId"] for k in keys}
        third = f"after-{uuid.uuid4().hex[:6]}"
        register(stack, third)
        # A crash right after an answered submission
        crashed = f"crash-{uuid.uuid4().hex[:6]}"
        crashed_submission = submit(stack, crashed)
        kill_supervisor(stack)
    finally:
        if stack.process.poll() is None:
            stop_stack(stack)

    stack = start_stack(state)
    try:
        for api_id in (*first_ids, third):
            assert_readable(stack, api_id)
        assert stack.wait_for_submission(crashed_submission)["status"] == "registered"
        assert_readable(stack, crashed)
    finally:
        assert stop_stack(stack) == []

    # --fresh starts empty
    stack = start_stack(state, "--fresh")
    try:
        assert stack.get("/apis").json()["items"] == []
        assert "state new" in stack.text()
    finally:
        assert stop_stack(stack) == []
