"""The browser's session over real HTTP, as the portal UI holds it: the access token in the answer,
the refresh token in an HttpOnly cookie on /api/auth, a refresh that needs the anti-CSRF header,
and a sign-out after which the cookie is worthless."""

from __future__ import annotations

import requests

from tests.support.stack import RunningStack


def _cookie_flags(response: requests.Response) -> dict[str, str]:
    """Set-Cookie name -> the whole header value, for every cookie the answer sets."""
    values = response.raw.headers.getlist("Set-Cookie")
    return {value.split("=", 1)[0]: value for value in values}


def test_a_browser_sign_in_keeps_every_token_but_the_access_token_out_of_page_scripts(stack: RunningStack) -> None:
    # Given a browser on the portal's origin
    browser = requests.Session()
    user = stack.users["developer"]
    # When it signs in asking for the cookie delivery
    signed_in = browser.post(
        stack.gateway + "/api/auth/login",
        json={"email": user.email, "password": user.password, "refreshTokenDelivery": "cookie"},
        timeout=30,
    )
    # Then the body holds the access token alone, and the others travel as HttpOnly cookies
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert set(body) == {"accessToken", "expiresIn", "tokenType", "user"}
    cookies = _cookie_flags(signed_in)
    assert set(cookies) == {"devportal_refresh", "devportal_device"}
    for value in cookies.values():
        assert "HttpOnly" in value
        assert "SameSite=Strict" in value
        assert "Path=/api/auth" in value
        assert "Secure" not in value  # loopback speaks plain HTTP; every other host gets Secure
    refresh_token = browser.cookies.get("devportal_refresh", path="/api/auth")
    assert refresh_token

    # And a refresh with the cookie but without the anti-CSRF header is refused
    forged = browser.post(stack.gateway + "/api/auth/refresh", timeout=30)
    assert forged.status_code == 403, forged.text
    assert forged.json()["errors"] == [{"detail": "missing or wrong", "parameter": "X-Requested-With"}]
    # while the portal's own refresh gets a fresh access token, and nothing else
    refreshed = browser.post(stack.gateway + "/api/auth/refresh", headers={"X-Requested-With": "devportal"}, timeout=30)
    assert refreshed.status_code == 200, refreshed.text
    assert set(refreshed.json()) == {"accessToken", "expiresIn", "tokenType"}
    bearer = {"Authorization": f"Bearer {refreshed.json()['accessToken']}"}
    assert browser.get(stack.gateway + "/api/me", headers=bearer, timeout=30).json()["email"] == user.email

    # When it signs out
    out = browser.post(stack.gateway + "/api/auth/logout", headers=bearer, timeout=30)
    assert out.status_code == 204, out.text
    assert "Max-Age=0" in _cookie_flags(out)["devportal_refresh"]
    assert browser.cookies.get("devportal_refresh", path="/api/auth") is None
    # Then the old cookie, replayed, no longer works
    replayed = requests.post(
        stack.gateway + "/api/auth/refresh",
        headers={"X-Requested-With": "devportal", "Cookie": f"devportal_refresh={refresh_token}"},
        timeout=30,
    )
    assert replayed.status_code == 401, replayed.text


def test_a_refresh_with_neither_body_nor_cookie_says_how_to_get_a_session(stack: RunningStack) -> None:
    response = requests.post(stack.gateway + "/api/auth/refresh", headers={"X-Requested-With": "devportal"}, timeout=30)
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "sign in again" in response.json()["detail"]


def test_an_unknown_delivery_is_named(stack: RunningStack) -> None:
    user = stack.users["viewer"]
    response = requests.post(
        stack.gateway + "/api/auth/login",
        json={"email": user.email, "password": user.password, "refreshTokenDelivery": "localStorage"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [{"detail": "must be body or cookie", "pointer": "/refreshTokenDelivery"}]
