"""Request checks and response shapes shared by the identity routes."""

from __future__ import annotations

from typing import Any

from devportal.errors import FieldError, InvalidParameter, NotFound
from devportal.identity.caller import Caller
from devportal.identity.users import Tokens, UserProfile
from devportal.wiring import Portal


def fields(
    body: dict[str, Any],
    required: dict[str, tuple[int, int]],
    optional: dict[str, tuple[int, int]] | None = None,
) -> dict[str, str]:
    """The `required` string fields and any `optional` ones present, each within its (min, max)
    length, and nothing else; a 400 naming every field at fault otherwise."""
    allowed = {**required, **(optional or {})}
    problems = [FieldError(detail="unknown field", pointer=f"/{name}") for name in body if name not in allowed]
    values: dict[str, str] = {}
    for name, (shortest, longest) in allowed.items():
        if name not in body:
            if name in required:
                problems.append(FieldError(detail="required", pointer=f"/{name}"))
            continue
        value = body[name]
        if not isinstance(value, str):  # null too: an optional field is left out, never null
            problems.append(FieldError(detail="must be a string", pointer=f"/{name}"))
        elif not shortest <= len(value) <= longest:
            problems.append(FieldError(detail=f"must be {shortest} to {longest} characters", pointer=f"/{name}"))
        else:
            values[name] = value
    if problems:
        raise InvalidParameter("The request body is not what this operation takes.", problems)
    return values


def profile_of(portal: Portal, caller: Caller) -> UserProfile:
    profile = portal.profiles.get_profile(caller.subject)
    if profile is None:
        raise NotFound("This account has no portal profile yet: ask an admin to invite it.")
    return profile


def token_view(tokens: Tokens, *, browser: bool = False) -> dict[str, Any]:
    """The tokens a sign-in or refresh answers with; for a browser (`browser=True`) the access token
    alone - its refresh token travels in a cookie, and it has no use for the id token."""
    view: dict[str, Any] = {"accessToken": tokens.access_token, "expiresIn": tokens.expires_in, "tokenType": "Bearer"}
    if browser:
        return view
    view["idToken"] = tokens.id_token
    if tokens.refresh_token is not None:
        view["refreshToken"] = tokens.refresh_token
    return view
