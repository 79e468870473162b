"""POST /auth/refresh - a refresh token (in the body, or a browser's session cookie) -> a new access token."""

from __future__ import annotations

from devportal.errors import FieldError, Forbidden, Unauthenticated
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.session import CSRF_HEADER, CSRF_VALUE, REFRESH_COOKIE
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.identity_views import fields, token_view


def refresh(request: ApiRequest, portal: Portal) -> ApiResponse:
    if request.body:
        given = fields(request.json_object(), {"refreshToken": (1, 8192)})
        return json_response(
            200, token_view(portal.directory.refresh(given["refreshToken"])), {"Cache-Control": "no-store"}
        )
    cookie = request.cookie(REFRESH_COOKIE)
    if cookie is None:
        raise Unauthenticated(
            "No session to refresh: send `refreshToken` in the body, or sign in again from the browser.",
            [FieldError(detail="no refresh token", pointer="/refreshToken")],
        )
    if request.headers.get(CSRF_HEADER.lower()) != CSRF_VALUE:
        raise Forbidden(
            f"A refresh with the session cookie must carry the header `{CSRF_HEADER}: {CSRF_VALUE}` "
            "(it keeps other sites from using the cookie).",
            [FieldError(detail="missing or wrong", parameter=CSRF_HEADER)],
        )
    tokens = portal.directory.refresh(cookie)
    return json_response(200, token_view(tokens, browser=True), {"Cache-Control": "no-store"})


handler = api_function(refresh)
