"""The browser's session: where its refresh token lives and how a cookie-borne request is trusted.

A browser keeps nothing but a short-lived access token, in memory. The refresh token (and the
device token the failed-sign-in brake counts by) travel in HttpOnly cookies that page scripts can
never read, SameSite=Strict so no other site's page sends them, scoped to the sign-in routes on the
portal's origin (`PORTAL_API_PREFIX` + /auth: the web front end reaches the API under /api, through
the portal's CloudFront distribution in AWS and the local gateway at home), and Secure everywhere but on loopback, where
the local portal speaks plain HTTP.

A request that authenticates with a cookie must also carry `X-Requested-With: devportal`: a custom
header that no cross-site form or link can set and that a cross-origin script can only set after a
CORS preflight, so a forged request from another origin never reaches the token (OWASP's "custom
request header" defence, on top of SameSite)."""

from __future__ import annotations

from devportal.identity.attempts import DEVICE_TOKEN_DAYS
from devportal.identity.pool import REFRESH_TOKEN_DAYS

PORTAL_API_PREFIX = "/api"
COOKIE_PATH = f"{PORTAL_API_PREFIX}/auth"
REFRESH_COOKIE = "devportal_refresh"
DEVICE_COOKIE = "devportal_device"
CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "devportal"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def on_loopback(host: str) -> bool:
    """Whether the request's Host names this machine (the local portal): only there may a session
    cookie travel over plain HTTP."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in _LOOPBACK_HOSTS


def set_cookie(name: str, value: str, *, max_age_seconds: int, secure: bool) -> str:
    parts = [f"{name}={value}", f"Path={COOKIE_PATH}", f"Max-Age={max_age_seconds}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def refresh_cookie(token: str, *, secure: bool) -> str:
    return set_cookie(REFRESH_COOKIE, token, max_age_seconds=REFRESH_TOKEN_DAYS * 86_400, secure=secure)


def device_cookie(token: str, *, secure: bool) -> str:
    return set_cookie(DEVICE_COOKIE, token, max_age_seconds=DEVICE_TOKEN_DAYS * 86_400, secure=secure)


def cleared_refresh_cookie(*, secure: bool) -> str:
    return set_cookie(REFRESH_COOKIE, "", max_age_seconds=0, secure=secure)
