"""The brake on failed sign-ins: per address and client, per address across unknown clients, and
per known device - so guessing stops, and strangers cannot lock the owner's own device out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devportal.errors import TooManyAttempts, Unauthenticated
from devportal.identity.attempts import (
    MAX_FAILURES,
    MAX_UNKNOWN_DEVICE_FAILURES,
    WINDOW_SECONDS,
    Counter,
    SignedIn,
    SignIn,
    account_key,
)
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
        self.counts: dict[tuple[str, int, str], int] = {}

    def failures(self, account: str, window: int, scope: str) -> int:
        return self.counts.get((account, window, scope), 0)

    def add_failure(self, account: str, window: int, scope: str, expires_at: float) -> int:
        self.counts[account, window, scope] = self.counts.get((account, window, scope), 0) + 1
        return self.counts[account, window, scope]

    def clear(self, account: str, window: int, scope: str) -> None:
        self.counts.pop((account, window, scope), None)


class KnownDevices:
    def __init__(self) -> None:
        self.devices: dict[str, tuple[str, datetime]] = {}

    def remember(self, token_hash: str, account: str, expires_at: datetime) -> None:
        self.devices[token_hash] = (account, expires_at)

    def account_of(self, token_hash: str, now: datetime) -> str | None:
        account, expires_at = self.devices.get(token_hash, ("", now))
        return account if expires_at > now else None


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Reports(list[str]):
    def __call__(self, account: str, counter: Counter) -> None:
        self.append(account if counter == "client" else f"{counter}:{account}")


class Client:
    """One client (a source address) signing in through the brake, keeping its device token."""

    def __init__(self, sign_in: SignIn, address: str, device_token: str | None = None) -> None:
        self.sign_in, self.address, self.device_token = sign_in, address, device_token

    def __call__(self, email: str, password: str) -> SignedIn:
        signed_in = self.sign_in(email, password, client=self.address, device_token=self.device_token)
        self.device_token = signed_in.device_token
        return signed_in


Parts = tuple[Client, Directory, AttemptLog, Reports, Clock]


@pytest.fixture
def parts() -> Parts:
    directory, log, clock, reports = Directory(), AttemptLog(), Clock(), Reports()
    sign_in = SignIn(directory, log, KnownDevices(), reports, clock)  # type: ignore[arg-type]
    return Client(sign_in, "198.51.100.7"), directory, log, reports, clock


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
    assert sign_in("dev@example.com", PASSWORD).tokens.access_token == "access"


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
    assert sign_in("other@example.com", PASSWORD).tokens.access_token == "access"
    assert reports == []


def test_accounts_are_stored_as_hashes() -> None:
    assert account_key(" Dev@Example.com ") == account_key("dev@example.com")
    assert "example" not in account_key("dev@example.com")


def strangers(parts: Parts, how_many: int) -> list[Client]:
    sign_in = parts[0].sign_in
    return [Client(sign_in, f"203.0.113.{n}") for n in range(how_many)]


def test_a_stranger_who_knows_the_address_locks_out_only_their_own_client(parts: Parts) -> None:
    owner, _, _, _, _ = parts
    (stranger,) = strangers(parts, 1)
    for _ in range(MAX_FAILURES + 3):
        with pytest.raises((Unauthenticated, TooManyAttempts)):
            stranger("admin@example.com", "guess-Passw0rd")
    with pytest.raises(TooManyAttempts):
        stranger("admin@example.com", PASSWORD)
    assert owner("admin@example.com", PASSWORD).tokens.access_token == "access"  # another client: unaffected


def test_many_strangers_are_stopped_and_the_owners_known_device_still_signs_in(parts: Parts) -> None:
    owner, directory, _, reports, _ = parts
    owner("admin@example.com", PASSWORD)  # once, earlier: the owner's client now holds a device token
    assert owner.device_token is not None
    crowd = strangers(parts, MAX_UNKNOWN_DEVICE_FAILURES // (MAX_FAILURES - 1) + 1)
    for stranger in crowd:  # each stays under its own limit, together they pass the ceiling
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises((Unauthenticated, TooManyAttempts)):
                stranger("admin@example.com", "guess-Passw0rd")
    asked = directory.calls
    with pytest.raises(TooManyAttempts):
        strangers(parts, 1)[0]("admin@example.com", PASSWORD)  # any unknown client waits now
    assert directory.calls == asked
    assert f"unknown-devices:{account_key('admin@example.com')}" in reports
    assert owner("admin@example.com", PASSWORD).tokens.access_token == "access"  # the known device does not


def test_a_stolen_device_token_locks_only_that_device(parts: Parts) -> None:
    owner, _, _, _, _ = parts
    owner("admin@example.com", PASSWORD)
    thief = Client(owner.sign_in, "203.0.113.99", owner.device_token)
    for _ in range(MAX_FAILURES):
        with pytest.raises(Unauthenticated):
            thief("admin@example.com", "guess-Passw0rd")
    with pytest.raises(TooManyAttempts):
        thief("admin@example.com", PASSWORD)
    fresh = Client(owner.sign_in, "198.51.100.8")  # the owner elsewhere, without the token
    assert fresh("admin@example.com", PASSWORD).tokens.access_token == "access"


def test_a_device_token_of_another_account_or_expired_counts_as_none(parts: Parts) -> None:
    owner, _, log, _, clock = parts
    owner("admin@example.com", PASSWORD)
    borrowed = Client(owner.sign_in, "203.0.113.5", owner.device_token)
    with pytest.raises(Unauthenticated):
        borrowed("victim@example.com", "guess-Passw0rd")
    assert any(scope.startswith("SRC#") for (_, _, scope) in log.counts)  # counted as an unknown client
    clock.now += timedelta(days=91)
    stale = Client(owner.sign_in, "203.0.113.6", owner.device_token)
    with pytest.raises(Unauthenticated):
        stale("admin@example.com", "guess-Passw0rd")
    assert sum(1 for (_, _, scope) in log.counts if scope == "UNKNOWN") >= 1
