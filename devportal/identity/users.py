"""Users of the portal: their profile record and what each role may do.

A user's identity lives in Cognito (email, password, groups); the portal keeps a profile record
`USER#<sub>/PROFILE` with what the portal needs to know about them: email, name, role, team,
permissions, createdAt, lastLogin."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from devportal.errors import FieldError, InvalidParameter
from devportal.identity.pool import ROLES
from devportal.specs.openapi import check_team as check_slug

# What each role may do, least to most; each role holds everything the ones before it hold.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "viewer": ("catalog:read", "docs:read"),
    "developer": ("apis:submit", "apis:test"),
    "admin": ("approvals:decide", "users:manage", "keys:manage", "apis:submit-any-team"),
}
# What the contract's Email schema says and Cognito accepts as a username: a plain dot-atom address
# (RFC 5322 allows quoting and more characters; Cognito refuses them), domain labels as DNS has them.
EMAIL = re.compile(
    r"^(?=[^@]{1,64}@[^@]{1,253}$)[A-Za-z0-9_][A-Za-z0-9_%+-]*(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def permissions_of(role: str) -> tuple[str, ...]:
    held: list[str] = []
    for each in ROLES[: ROLES.index(role) + 1]:
        held.extend(PERMISSIONS[each])
    return tuple(held)


def check_email(value: str, field_name: str = "email", *, parameter: str | None = None) -> str:
    """An address in a JSON body (`/field_name`) or, with `parameter`, a query parameter."""
    if not EMAIL.fullmatch(value):
        at = FieldError(
            detail="not an e-mail address", pointer=None if parameter else f"/{field_name}", parameter=parameter
        )
        raise InvalidParameter(f"{parameter or field_name} must be an e-mail address.", [at])
    return value.lower()


def check_role(value: str) -> str:
    if value not in ROLES:
        raise InvalidParameter(
            f"role must be one of {', '.join(ROLES)}.", [FieldError(detail="unknown role", pointer="/role")]
        )
    return value


def check_team(value: str) -> str:
    return check_slug(value, pointer="/team")


@dataclass(frozen=True)
class UserProfile:
    user_id: str  # the Cognito `sub`
    email: str
    name: str
    role: str
    team: str
    created_at: datetime
    last_login: datetime | None = None
    permissions: tuple[str, ...] = field(default=())

    def view(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "team": self.team,
            "permissions": list(self.permissions or permissions_of(self.role)),
            "createdAt": self.created_at.isoformat().replace("+00:00", "Z"),
            "lastLogin": self.last_login.isoformat().replace("+00:00", "Z") if self.last_login else None,
        }


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    expires_in: int
    refresh_token: str | None = None  # absent when refreshing


class Directory(Protocol):
    """The user pool: who may sign in, and their tokens."""

    def sign_in(self, email: str, password: str) -> Tokens: ...
    def refresh(self, refresh_token: str) -> Tokens: ...
    def sign_out(self, access_token: str) -> None: ...
    def invite(self, email: str, *, role: str, team: str, name: str, password: str) -> str: ...


@dataclass(frozen=True)
class ProfilePage:
    profiles: list[UserProfile]
    next_cursor: str | None  # the last address of this page, when there are more


class Profiles(Protocol):
    def put_profile(self, profile: UserProfile) -> bool: ...
    def get_profile(self, user_id: str) -> UserProfile | None: ...
    def record_sign_in(self, user_id: str, at: datetime) -> bool: ...
    def list_profiles(self, *, team: str | None, limit: int, after: str | None) -> ProfilePage:
        """Profiles in e-mail order (of one team, or all), starting after the address `after`."""
        ...
