"""The brake on failed sign-ins: it stops guessing, and it cannot lock the account's owner out.

A lock on an address alone would let anyone who knows the admin's address keep the admin out for
good. So failures are counted per 15-minute window in three places, and each refuses only what it
counts (429 with Retry-After, without asking Cognito):

- per address and client (the caller's source address): `MAX_FAILURES` wrong passwords from one
  client stop that client, for that address, until the window ends;
- per address, across every client that is not a known device: `MAX_UNKNOWN_DEVICE_FAILURES`
  stop guessing from many clients at once;
- per known device: a successful sign-in returns a device token (`dvt_...`, kept by the client
  and sent with its next sign-ins, stored here only as a hash). A client presenting a valid one
  is counted on its own, never by the two counters above, so the owner's own device still signs
  in while strangers are being refused.

Accounts, clients and devices are keyed by hashes, so the records name no one; unknown addresses
count like known ones, so the answers reveal nothing. A successful sign-in clears what it was
counted by. Each counter that reaches its limit is reported once (a warning, a `SignInsThrottled`
metric), with which kind of counter it was."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from devportal.errors import TooManyAttempts, Unauthenticated
from devportal.identity.users import Directory, Tokens

MAX_FAILURES = 5  # per address and client, and per address and known device
MAX_UNKNOWN_DEVICE_FAILURES = 20  # per address, from every client without a device token
WINDOW_SECONDS = 15 * 60
DEVICE_TOKEN_DAYS = 90
DEVICE_TOKEN = re.compile(r"^dvt_[A-Za-z0-9_-]{43}$")

Counter = Literal["client", "unknown-devices", "device"]
LIMITS: dict[Counter, int] = {
    "client": MAX_FAILURES,
    "unknown-devices": MAX_UNKNOWN_DEVICE_FAILURES,
    "device": MAX_FAILURES,
}


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Window:
    index: int
    ends_at: float  # epoch seconds

    @classmethod
    def at(cls, moment: datetime) -> Window:
        index = int(moment.timestamp()) // WINDOW_SECONDS
        return cls(index, (index + 1) * WINDOW_SECONDS)

    def seconds_left(self, moment: datetime) -> int:
        return max(1, int(self.ends_at - moment.timestamp()))


class AttemptLog(Protocol):
    """Failure counters per account, window and scope (which counter, and for whom)."""

    def failures(self, account: str, window: int, scope: str) -> int: ...
    def add_failure(self, account: str, window: int, scope: str, expires_at: float) -> int: ...
    def clear(self, account: str, window: int, scope: str) -> None: ...


class KnownDevices(Protocol):
    """Device tokens, stored by hash: which account each was issued to, and until when."""

    def remember(self, token_hash: str, account: str, expires_at: datetime) -> None: ...
    def account_of(self, token_hash: str, now: datetime) -> str | None: ...


@dataclass(frozen=True)
class SignedIn:
    tokens: Tokens
    device_token: str  # to keep and send with the next sign-ins from this client


class SignIn:
    """E-mail and password -> tokens, with the brake described above."""

    def __init__(
        self,
        directory: Directory,
        attempts: AttemptLog,
        devices: KnownDevices,
        report: Callable[[str, Counter], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._directory = directory
        self._attempts = attempts
        self._devices = devices
        self._report = report
        self._now = now

    def __call__(self, email: str, password: str, *, client: str, device_token: str | None = None) -> SignedIn:
        moment = self._now()
        window, account = Window.at(moment), account_key(email)
        known = device_token is not None and self._known(device_token, account, moment)
        scopes: dict[Counter, str] = (
            {"device": f"DEV#{_digest(device_token or '')}"}
            if known
            else {"client": f"SRC#{_digest(client)}", "unknown-devices": "UNKNOWN"}
        )
        for counter, scope in scopes.items():
            if self._attempts.failures(account, window.index, scope) >= LIMITS[counter]:
                raise TooManyAttempts(
                    "Too many failed sign-ins for this account: try again later.",
                    retry_after_seconds=window.seconds_left(moment),
                )
        try:
            tokens = self._directory.sign_in(email, password)
        except Unauthenticated:
            for counter, scope in scopes.items():
                if self._attempts.add_failure(account, window.index, scope, window.ends_at) == LIMITS[counter]:
                    self._report(account, counter)
            raise
        for scope in scopes.values():
            self._attempts.clear(account, window.index, scope)
        if known and device_token is not None:
            return SignedIn(tokens, device_token)
        issued = f"dvt_{secrets.token_urlsafe(32)}"
        self._devices.remember(_digest(issued), account, moment + timedelta(days=DEVICE_TOKEN_DAYS))
        return SignedIn(tokens, issued)

    def _known(self, device_token: str, account: str, moment: datetime) -> bool:
        """A well-formed token this account was issued and that has not expired; anything else is
        treated as no token at all, and says nothing about why."""
        return (
            bool(DEVICE_TOKEN.fullmatch(device_token))
            and self._devices.account_of(_digest(device_token), moment) == account
        )
