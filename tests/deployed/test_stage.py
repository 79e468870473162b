"""A deployed stage, end to end through its API Gateway: what the pipeline checks in staging before
anyone may approve prod. Needs DEVPORTAL_API_URL (the api stack's ApiUrl output); the signed-in
journey also needs a developer's DEVPORTAL_TEST_USERNAME / DEVPORTAL_TEST_PASSWORD (in the
pipeline, from Secrets Manager), and signs in through the stage's own POST /auth/login."""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import urljoin

import pytest
import requests

from tests.support.specs import petstore_json

TIMEOUT = 30


@pytest.fixture(scope="module")
def base_url() -> str:
    return os.environ["DEVPORTAL_API_URL"].rstrip("/") + "/"


@pytest.fixture(scope="module")
def token(base_url: str) -> str:
    missing = [name for name in ("DEVPORTAL_TEST_USERNAME", "DEVPORTAL_TEST_PASSWORD") if not os.environ.get(name)]
    if missing:
        pytest.fail(f"the signed-in journey needs {', '.join(missing)}")
    signed_in = requests.post(
        urljoin(base_url, "auth/login"),
        json={"email": os.environ["DEVPORTAL_TEST_USERNAME"], "password": os.environ["DEVPORTAL_TEST_PASSWORD"]},
        timeout=TIMEOUT,
    )
    assert signed_in.status_code == 200, signed_in.text
    access_token: str = signed_in.json()["accessToken"]
    me = requests.get(urljoin(base_url, "me"), headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT)
    assert me.status_code == 200, me.text
    return access_token


def test_anonymous_calls_are_refused_with_problem_json(base_url: str) -> None:
    response = requests.get(urljoin(base_url, "apis"), timeout=TIMEOUT)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_browsers_get_a_cors_preflight(base_url: str) -> None:
    response = requests.options(
        urljoin(base_url, "apis"),
        headers={"Origin": "https://portal.example.com", "Access-Control-Request-Method": "POST"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 204
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_a_signed_in_developer_registers_an_api(base_url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    api_id = f"smoke-{uuid.uuid4().hex[:8]}"
    submitted = requests.post(
        urljoin(base_url, "apis"),
        params={"apiId": api_id},
        data=petstore_json(),
        headers={**headers, "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert submitted.status_code == 202, submitted.text
    status_url = submitted.headers["Location"]
    deadline = time.monotonic() + 120
    while True:
        status = requests.get(status_url, headers=headers, timeout=TIMEOUT).json()
        if status["status"] in {"registered", "rejected"} or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert status["status"] == "registered", status
    docs = requests.get(status["links"]["docs"], headers=headers, timeout=TIMEOUT, allow_redirects=True)
    assert docs.status_code == 200
    assert "text/html" in docs.headers["Content-Type"]
