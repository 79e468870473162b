"""The per-account brake on failed sign-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.errors import TooManyAttempts, Unauthenticated
from devportal.identity.attempts import MAX_FAILURES, WINDOW_SECONDS, SignIn, account_key
from devportal.identity.users import Tokens

PASSWORD = "Right-passw0rd!"


class Directory:
    def __init__(self) -> None:
        self.calls = 0

    def sign_in(self, email: str, password: str) -> Tokens:
        self.calls += 1
        if password != PASSWORD:
            raise Unauthenticated("The e-mail address or the password is wrong.")
        return Tokens("access", "id", 3600, "refresh")


class AttemptLog:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}

    def failures(self, account: str, window: int) -> int:
        return self.counts.get((account, window), 0)

    def add_failure(self, account: str, window: int, expires_at: float) -> int:
        self.counts[account, window] = self.counts.get((account, window), 0) + 1
        return self.counts[account, window]

    def clear(self, account: str, window: int) -> None:
        self.counts.pop((account, window), None)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


Parts = tuple[SignIn, Directory, AttemptLog, list[str], Clock]


@pytest.fixture
def parts() -> Parts:
    directory, log, clock = Directory(), AttemptLog(), Clock()
    reports: list[str] = []
    return SignIn(directory, log, reports.append, clock), directory, log, reports, clock  # type: ignore[arg-type]


def test_too_many_failures_refuse_the_account_until_the_window_ends(parts: Parts) -> None:
    sign_in, directory, _, reports, clock = parts
    for _ in range(MAX_FAILURES):
        with pytest.raises(Unauthenticated):
            sign_in("Dev@Example.com", "wrong-password")
    assert reports == [account_key("dev@example.com")]  # reported once, when the limit is reached
    asked = directory.calls
    with pytest.raises(TooManyAttempts) as refused:
        sign_in("dev@example.com", PASSWORD)  # even the right password waits
    assert directory.calls == asked  # Cognito is not even asked
    assert 0 < refused.value.retry_after_seconds <= WINDOW_SECONDS
    clock.now += timedelta(seconds=refused.value.retry_after_seconds)
    assert sign_in("dev@example.com", PASSWORD).access_token == "access"


def test_a_success_clears_the_count_and_other_accounts_are_untouched(parts: Parts) -> None:
    sign_in, _, log, reports, _ = parts
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(Unauthenticated):
            sign_in("dev@example.com", "wrong-password")
    sign_in("dev@example.com", PASSWORD)
    assert log.counts == {}
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(Unauthenticated):
            sign_in("dev@example.com", "wrong-password")
    assert sign_in("other@example.com", PASSWORD).access_token == "access"
    assert reports == []


def test_accounts_are_stored_as_hashes() -> None:
    assert account_key(" Dev@Example.com ") == account_key("dev@example.com")
    assert "example" not in account_key("dev@example.com")
