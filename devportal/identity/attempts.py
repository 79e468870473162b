"""Failed sign-ins, per account: after `MAX_FAILURES` wrong passwords for one e-mail address within
a window, that address is refused (429, Retry-After) until the window ends, without asking
Cognito, and ops are told (a warning log line and a `SignInsThrottled` metric, alarmed in AWS).

Accounts are keyed by a hash of the address, so the records name no one; unknown addresses are
counted like known ones, so the answers do not reveal which accounts exist. A successful sign-in
clears the count."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from devportal.errors import TooManyAttempts, Unauthenticated
from devportal.identity.users import Directory, Tokens

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


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
    def failures(self, account: str, window: int) -> int: ...
    def add_failure(self, account: str, window: int, expires_at: float) -> int: ...
    def clear(self, account: str, window: int) -> None: ...


class SignIn:
    """E-mail and password -> tokens, with the per-account brake described above."""

    def __init__(
        self,
        directory: Directory,
        attempts: AttemptLog,
        report: Callable[[str], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._directory = directory
        self._attempts = attempts
        self._report = report
        self._now = now

    def __call__(self, email: str, password: str) -> Tokens:
        moment = self._now()
        window, account = Window.at(moment), account_key(email)
        if self._attempts.failures(account, window.index) >= MAX_FAILURES:
            raise TooManyAttempts(
                "Too many failed sign-ins for this account: try again later.",
                retry_after_seconds=window.seconds_left(moment),
            )
        try:
            tokens = self._directory.sign_in(email, password)
        except Unauthenticated:
            if self._attempts.add_failure(account, window.index, window.ends_at) == MAX_FAILURES:
                self._report(account)
            raise
        self._attempts.clear(account, window.index)
        return tokens
