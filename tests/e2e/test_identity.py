"""Signing in through the gateway and what a token does: the same checks API Gateway's Cognito
authorizer makes, over real HTTP, with the pool's real (moto-issued) tokens."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from contracts import gateway_routes
from tests.support.stack import RunningStack


def test_sign_in_then_me(stack: RunningStack) -> None:
    signed_in = stack.sign_in("developer")
    assert signed_in["tokenType"] == "Bearer"
    assert signed_in["user"]["role"] == "developer"
    assert signed_in["user"]["team"] == "pets"
    me = requests.get(
        stack.gateway + "/me", headers={"Authorization": f"Bearer {signed_in['accessToken']}"}, timeout=30
    )
    assert me.status_code == 200, me.text
    assert me.json()["email"] == signed_in["user"]["email"]
    assert "apis:submit" in me.json()["permissions"]
    # UserSignedIn -> its consumer -> the profile's lastLogin
    deadline = time.monotonic() + 15
    while me.json()["lastLogin"] is None:
        assert time.monotonic() < deadline, "lastLogin was never recorded"
        time.sleep(0.1)
        me = requests.get(
            stack.gateway + "/me", headers={"Authorization": f"Bearer {signed_in['accessToken']}"}, timeout=30
        )


@pytest.mark.parametrize("route", [r for r in gateway_routes() if r.security_schemes], ids=lambda r: r.operation_id)
def test_every_secured_operation_refuses_anonymous_callers(stack: RunningStack, route: object) -> None:
    path = route.path.replace("{apiId}", "petstore").replace("{version}", "1.0.0")  # type: ignore[attr-defined]
    path = path.replace("{submissionId}", "sub-" + "0" * 24)
    response = requests.request(route.method, stack.gateway + path, timeout=30)  # type: ignore[attr-defined]
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    scheme = "ApiKey" if "serviceKey" in route.security_schemes else "Bearer"  # type: ignore[attr-defined]
    assert response.headers["WWW-Authenticate"].startswith(scheme)
    assert response.json()["status"] == 401


def _forged(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["cognito:groups"] = ["admin"]
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def test_bad_tokens_are_401_never_500(stack: RunningStack) -> None:
    signed_in = stack.sign_in("viewer")
    for token in ("garbage", signed_in["idToken"], _forged(signed_in["accessToken"]), "a.b.c", "Bearer "):
        response = requests.get(stack.gateway + "/apis", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code == 401, (token[:20], response.text)
        assert "Traceback" not in response.text
        assert response.json()["detail"] == "The access token is missing, invalid or expired: sign in again."


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"email": "not-an-email", "password": "long-enough-1A!"}, "/email"),
        ({"email": "a@example.com", "password": "short"}, "/password"),
        ({"email": "a@example.com"}, "/password"),
        ({"email": "a@example.com", "password": "long-enough-1A!", "extra": 1}, "/extra"),
    ],
)
def test_bad_sign_in_requests_name_the_field(stack: RunningStack, body: dict[str, object], pointer: str) -> None:
    response = requests.post(stack.gateway + "/auth/login", json=body, timeout=30)
    assert response.status_code == 400, response.text
    assert pointer in [error.get("pointer") for error in response.json()["errors"]]


def test_wrong_credentials_are_401_and_say_nothing_more(stack: RunningStack) -> None:
    for email in ("developer@devportal.local", "nobody@devportal.local"):
        response = requests.post(
            stack.gateway + "/auth/login", json={"email": email, "password": "Wrong-passw0rd!"}, timeout=30
        )
        assert response.status_code == 401, response.text
        assert response.json()["detail"] == "The e-mail address or the password is wrong."
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_then_logout_revokes_the_refresh_token(stack: RunningStack) -> None:
    signed_in = stack.sign_in("viewer")
    refreshed = requests.post(
        stack.gateway + "/auth/refresh", json={"refreshToken": signed_in["refreshToken"]}, timeout=30
    )
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()["accessToken"]
    assert requests.get(stack.gateway + "/me", headers={"Authorization": f"Bearer {fresh}"}, timeout=30).ok
    out = requests.post(stack.gateway + "/auth/logout", headers={"Authorization": f"Bearer {fresh}"}, timeout=30)
    assert out.status_code == 204, out.text
    again = requests.post(stack.gateway + "/auth/refresh", json={"refreshToken": signed_in["refreshToken"]}, timeout=30)
    assert again.status_code == 401, again.text


def test_an_admin_invites_and_the_invited_user_signs_in_with_the_password_shown_once(stack: RunningStack) -> None:
    email = f"newcomer-{int(time.time() * 1000)}@example.com"
    invited = requests.post(
        stack.gateway + "/users",
        json={"email": email, "role": "developer", "team": "payments", "name": "New Comer"},
        headers=stack.auth("admin"),
        timeout=30,
    )
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["user"]["role"] == "developer"
    signed_in = requests.post(
        stack.gateway + "/auth/login", json={"email": email, "password": body["password"]}, timeout=30
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["team"] == "payments"
    again = requests.post(
        stack.gateway + "/users", json={"email": email, "role": "viewer", "team": "x"}, headers=stack.auth(), timeout=30
    )
    assert again.status_code == 409, again.text
    weak = requests.post(
        stack.gateway + "/users",
        json={"email": f"weak-{email}", "role": "viewer", "team": "platform", "password": "password"},
        headers=stack.auth(),
        timeout=30,
    )
    assert weak.status_code == 400, weak.text
    assert weak.json()["errors"][0]["pointer"] == "/password"


def test_repeated_failed_sign_ins_are_slowed_down_per_account(stack: RunningStack) -> None:
    email = f"target-{int(time.time() * 1000)}@example.com"
    invited = requests.post(
        stack.gateway + "/users",
        json={"email": email, "role": "viewer", "team": "platform"},
        headers=stack.auth(),
        timeout=30,
    ).json()
    statuses = [
        requests.post(stack.gateway + "/auth/login", json={"email": email, "password": "Wrong-passw0rd!"}, timeout=30)
        for _ in range(6)
    ]
    assert [r.status_code for r in statuses] == [401, 401, 401, 401, 401, 429]
    refused = statuses[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    right = requests.post(
        stack.gateway + "/auth/login", json={"email": email, "password": invited["password"]}, timeout=30
    )
    assert right.status_code == 429  # even the right password waits for the window
    # ... and the brake is per account: the others sign in as usual
    assert stack.sign_in("viewer")["user"]["role"] == "viewer"
    # reported: the gateway's log carries the warning
    log = (stack.cfg.logs_dir / "gateway.log").read_text(encoding="utf-8")
    assert "repeated failed sign-ins" in log


def test_service_keys_are_shown_once_rotated_and_revoked(stack: RunningStack) -> None:
    admin = stack.auth("admin")
    made = requests.post(
        stack.gateway + "/keys", json={"team": "billing", "name": "invoicer"}, headers=admin, timeout=30
    )
    assert made.status_code == 201, made.text
    key = made.json()
    assert key["secret"].startswith("dpk_")
    assert key["state"] == "active"
    listed = requests.get(stack.gateway + "/keys?team=billing", headers=admin, timeout=30).json()["items"]
    assert [k["keyId"] for k in listed] == [key["keyId"]]
    assert "secret" not in listed[0]
    assert key["secret"] not in json.dumps(listed)
    rotated = requests.post(stack.gateway + f"/keys/{key['keyId']}/rotate", headers=admin, timeout=30)
    assert rotated.status_code == 201, rotated.text
    states = {
        k["keyId"]: (k["state"], k["replacedBy"])
        for k in requests.get(stack.gateway + "/keys?team=billing", headers=admin, timeout=30).json()["items"]
    }
    assert states[key["keyId"]] == ("rotated", rotated.json()["keyId"])
    assert states[rotated.json()["keyId"]] == ("active", None)
    assert (
        requests.delete(stack.gateway + f"/keys/{rotated.json()['keyId']}", headers=admin, timeout=30).status_code
        == 204
    )
    missing = requests.delete(stack.gateway + f"/keys/key-{'0' * 16}", headers=admin, timeout=30)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_a_known_device_signs_in_while_strangers_are_braked(stack: RunningStack) -> None:
    """The owner signed in once on this client and kept its deviceToken; then someone guesses the
    password until the brake stops this client (and, past the ceiling, every unknown one). The
    owner's device still gets in."""
    email = f"owner-{int(time.time() * 1000)}@example.com"
    invited = requests.post(
        stack.gateway + "/users", json={"email": email, "role": "viewer", "team": "platform"}, headers=stack.auth(),
        timeout=30,
    ).json()  # fmt: skip
    login = stack.gateway + "/auth/login"
    first = requests.post(login, json={"email": email, "password": invited["password"]}, timeout=30)
    assert first.status_code == 200, first.text
    device_token = first.json()["deviceToken"]
    assert device_token.startswith("dvt_")
    guesses = [
        requests.post(login, json={"email": email, "password": "Wrong-passw0rd!"}, timeout=30).status_code
        for _ in range(6)
    ]
    assert guesses[-1] == 429
    assert requests.post(login, json={"email": email, "password": invited["password"]}, timeout=30).status_code == 429
    owner = requests.post(
        login, json={"email": email, "password": invited["password"], "deviceToken": device_token}, timeout=30
    )
    assert owner.status_code == 200, owner.text
    assert owner.json()["deviceToken"] == device_token  # the same device, still known
    malformed = requests.post(
        login, json={"email": email, "password": invited["password"], "deviceToken": "dvt_short"}, timeout=30
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["pointer"] == "/deviceToken"
