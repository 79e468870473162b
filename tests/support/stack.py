"""The real stack for e2e tests: `devportal_local.harness` plus HTTP and AWS conveniences."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from devportal_local import harness
from devportal_local.users import Credentials, demo_users


class RunningStack(harness.StackProcess):
    _tokens: dict[str, str] | None = None

    @property
    def gateway(self) -> str:
        return self.cfg.gateway_url

    @property
    def users(self) -> dict[str, Credentials]:
        """The stack's demo users by role, with their passwords."""
        return demo_users(self.state_dir)

    def sign_in(self, role: str) -> dict[str, Any]:
        """POST /auth/login as the stack's demo user of `role`: the whole login response."""
        user = demo_users(self.state_dir)[role]
        response = requests.post(
            self.gateway + "/auth/login", json={"email": user.email, "password": user.password}, timeout=30
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def token(self, role: str = "admin") -> str:
        if self._tokens is None:
            self._tokens = {}
        if role not in self._tokens:
            self._tokens[role] = self.sign_in(role)["accessToken"]
        return self._tokens[role]

    def auth(self, role: str | None = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"} if role else {}

    def get(self, path: str, *, role: str | None = "admin", **kwargs: Any) -> requests.Response:
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return requests.get(self.gateway + path, timeout=30, headers=headers, **kwargs)

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/yaml",
        *,
        role: str | None = "admin",
        **kwargs: Any,
    ) -> requests.Response:
        headers = {"Content-Type": content_type, **self.auth(role), **kwargs.pop("headers", {})}
        return requests.post(self.gateway + path, data=body, headers=headers, timeout=60, **kwargs)

    def delete(self, path: str, *, role: str | None = "admin", **kwargs: Any) -> requests.Response:
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return requests.delete(self.gateway + path, timeout=30, headers=headers, **kwargs)

    def put(
        self, path: str, body: bytes, content_type: str, *, role: str | None = "admin", **kwargs: Any
    ) -> requests.Response:
        headers = {"Content-Type": content_type, **self.auth(role), **kwargs.pop("headers", {})}
        return requests.put(self.gateway + path, data=body, headers=headers, timeout=60, **kwargs)

    def aws(self, service: str) -> Any:
        return self.cfg.client(service)

    def cli(self, *arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "devportal_cli", *arguments, "--state-dir", str(self.state_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def wait_for_submission(self, submission_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(f"/submissions/{submission_id}")
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["status"] == "rejected":
                return body
            if body["status"] == "registered":
                # The catalog is a view fed by the same event: wait until it has the API, as a
                # client that goes on to use the API must.
                self.wait_for_catalog(body["apiId"], deadline)
                return body
            assert time.monotonic() < deadline, f"{submission_id} still {body['status']} after {timeout} s"
            time.sleep(0.05)

    def wait_for_catalog(self, api_id: str, deadline: float) -> None:
        """Until the catalog entry exists: GET /apis/{apiId} answers from the version records
        before it does; the test settings are read through the entry (404 without it)."""
        while self.get(f"/apis/{api_id}/test-settings", role="viewer").status_code == 404:
            assert time.monotonic() < deadline, f"{api_id} registered but never in the catalog"
            time.sleep(0.05)

    def register(self, api_id: str, body: bytes, *, team: str = "pets") -> None:
        """Submits `body` as `api_id` of `team` (YAML or JSON) and waits until it is registered."""
        submitted = self.post(f"/apis?team={team}&apiId={api_id}", body)
        assert submitted.status_code == 202, submitted.text
        outcome = self.wait_for_submission(submitted.json()["submissionId"])
        assert outcome["status"] == "registered", outcome


def start_stack(state_dir: Path, *extra: str, seed: bool = False) -> RunningStack:
    started = harness.start(state_dir, *extra, seed=seed)
    return RunningStack(started.process, started.state_dir, started.output, started.config)


def stop_stack(stack: RunningStack) -> list[int]:
    return harness.stop(stack)


def running(state_dir: Path, *extra: str, seed: bool = False) -> Iterator[RunningStack]:
    stack = start_stack(state_dir, *extra, seed=seed)
    try:
        yield stack
    finally:
        leftovers = stop_stack(stack)
        assert leftovers == [], f"processes left behind: {leftovers}"
