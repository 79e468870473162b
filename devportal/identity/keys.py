"""API keys for services: how a service (not a person) proves who it is when it publishes usage.

A key belongs to a team and carries scopes (today only `usage:publish`). Its secret is shown once,
at creation or rotation, and stored only as a SHA-256 hash (`KEY#<sha256>`). Rotating issues a new
secret and keeps the old one working for a grace period (DEVPORTAL_KEY_ROTATION_GRACE_SECONDS,
a day by default) so services can switch without downtime; revoking ends a key at once."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from devportal.errors import FieldError, InvalidParameter, NotFound, ServiceKeyRefused, StateConflict
from devportal.identity.users import check_team

USAGE_PUBLISH = "usage:publish"
SCOPES = (USAGE_PUBLISH,)
PREFIX = "dpk"
KEY_ID = re.compile(r"^key-[0-9a-f]{16}$")
_SECRET = re.compile(r"^dpk_(key-[0-9a-f]{16})_[A-Za-z0-9_-]{43}$")
State = Literal["active", "rotated", "revoked"]
REFUSED = "The API key is missing, unknown, revoked or past its rotation grace period."


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    secret_hash: str
    team: str
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    state: State = "active"
    grace_until: datetime | None = None  # for a rotated key
    replaced_by: str | None = None

    def usable_at(self, moment: datetime) -> bool:
        if self.state == "active":
            return True
        return self.state == "rotated" and self.grace_until is not None and moment < self.grace_until

    def view(self) -> dict[str, Any]:
        def ts(value: datetime | None) -> str | None:
            return value.isoformat().replace("+00:00", "Z") if value else None

        return {
            "keyId": self.key_id,
            "name": self.name,
            "team": self.team,
            "scopes": list(self.scopes),
            "state": self.state,
            "createdAt": ts(self.created_at),
            "graceUntil": ts(self.grace_until),
            "replacedBy": self.replaced_by,
        }


@dataclass(frozen=True)
class Issued:
    key: ApiKey
    secret: str  # shown once


class KeyStore(Protocol):
    def put_key(self, key: ApiKey) -> None: ...
    def get_by_hash(self, secret_hash: str) -> ApiKey | None: ...
    def get_by_id(self, key_id: str) -> ApiKey | None: ...
    def list_keys(self, team: str) -> list[ApiKey]: ...
    def update_key(self, key: ApiKey) -> None: ...


def check_key_id(value: str) -> str:
    if not KEY_ID.match(value):
        raise InvalidParameter("`keyId` is not a key id.", [FieldError(detail="invalid format", parameter="keyId")])
    return value


class ApiKeys:
    def __init__(
        self,
        store: KeyStore,
        grace: timedelta | Callable[[], timedelta],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._grace = grace if callable(grace) else (lambda: grace)
        self._now = now

    def create(self, *, team: str, name: str, scopes: tuple[str, ...] = SCOPES) -> Issued:
        team = check_team(team)
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown or not scopes:
            raise InvalidParameter(
                f"scopes must be some of {', '.join(SCOPES)}.", [FieldError(detail="unknown scope", pointer="/scopes")]
            )
        key_id = f"key-{secrets.token_hex(8)}"
        secret = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        key = ApiKey(key_id, hash_secret(secret), team, name, tuple(scopes), self._now())
        self._store.put_key(key)
        return Issued(key, secret)

    def list(self, team: str) -> list[ApiKey]:
        return self._store.list_keys(check_team(team))

    def _existing(self, key_id: str) -> ApiKey:
        key = self._store.get_by_id(check_key_id(key_id))
        if key is None:
            raise NotFound(f"No API key {key_id}.")
        return key

    def rotate(self, key_id: str) -> Issued:
        """A new secret for the same team, name and scopes; the old one works for the grace period."""
        old = self._existing(key_id)
        if old.state != "active":
            raise StateConflict(
                f"{key_id} is {old.state}: only an active key can be rotated.",
                [FieldError(detail=f"key is {old.state}", parameter="keyId")],
            )
        issued = self.create(team=old.team, name=old.name, scopes=old.scopes)
        self._store.update_key(
            replace(old, state="rotated", grace_until=self._now() + self._grace(), replaced_by=issued.key.key_id)
        )
        return issued

    def revoke(self, key_id: str) -> ApiKey:
        key = self._existing(key_id)
        revoked = replace(key, state="revoked", grace_until=None)
        if key.state != "revoked":
            self._store.update_key(revoked)
        return revoked

    def verify(self, secret: str | None, scope: str) -> ApiKey:
        """The key a service presents -> its record; `ServiceKeyRefused` with one generic reason otherwise."""
        if not secret or not _SECRET.match(secret):
            raise ServiceKeyRefused(REFUSED)
        key = self._store.get_by_hash(hash_secret(secret))
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise ServiceKeyRefused(REFUSED)
        if not key.usable_at(self._now()) or scope not in key.scopes:
            raise ServiceKeyRefused(REFUSED)
        return key
