"""Who is calling, from a verified access token: what every secured function reads. Kept apart
from the token checks (`devportal.identity.tokens`) so that functions reading the claims API
Gateway verified do not load JWT and crypto libraries at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devportal.identity.pool import ROLES


@dataclass(frozen=True)
class Caller:
    """Who is calling, from a verified access token."""

    subject: str
    username: str
    groups: tuple[str, ...]
    client_id: str
    scopes: tuple[str, ...]

    @property
    def role(self) -> str | None:
        """The strongest role among the caller's groups; None for a user in no role group."""
        held = [role for role in ROLES if role in self.groups]
        return held[-1] if held else None

    def claims(self) -> dict[str, str]:
        """As API Gateway's Cognito authorizer hands them to a function: every value a string."""
        return {
            "sub": self.subject,
            "username": self.username,
            "cognito:groups": ",".join(self.groups),
            "client_id": self.client_id,
            "scope": " ".join(self.scopes),
            "token_use": "access",
        }

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Caller:
        """From `requestContext.authorizer.claims`, whichever way the groups are spelled: a list, a
        comma-separated string, or `[a b]`."""
        groups = claims.get("cognito:groups") or ()
        if isinstance(groups, str):
            groups = groups.strip("[]").replace(",", " ").split()
        scope = claims.get("scope") or ""
        return cls(
            subject=str(claims.get("sub", "")),
            username=str(claims.get("username") or claims.get("cognito:username") or ""),
            groups=tuple(str(g) for g in groups),
            client_id=str(claims.get("client_id", "")),
            scopes=tuple(str(scope).split()),
        )
