"""Inviting a user: a Cognito account with a permanent password, in its role's group, and the
portal profile. One use case for the admin route and `devportal users add`."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from devportal.errors import FieldError, InvalidParameter
from devportal.identity.pool import MAX_PASSWORD_CHARS, PASSWORD_POLICY, chosen_password_pattern
from devportal.identity.users import (
    Directory,
    Profiles,
    UserProfile,
    check_email,
    check_role,
    check_team,
    permissions_of,
)

_SYMBOLS = "!#%+-=_"
_CHOSEN_PASSWORD = re.compile(chosen_password_pattern())


def check_chosen_password(password: str) -> str:
    """A password an admin chose, against the pool's policy, before the pool is asked; the same
    rule the contract publishes (InviteRequest.password)."""
    long_enough = PASSWORD_POLICY.min_length <= len(password) <= MAX_PASSWORD_CHARS
    if not long_enough or not _CHOSEN_PASSWORD.fullmatch(password):
        raise InvalidParameter(
            f"The password does not meet the pool's policy: {PASSWORD_POLICY.min_length} to {MAX_PASSWORD_CHARS} "
            "characters with lower and upper case letters, digits and symbols, no control characters.",
            [FieldError(detail="too weak", pointer="/password")],
        )
    return password


def generate_password(length: int = 20) -> str:
    """Meets the pool's policy by construction: lower, upper, digit and symbol, then random."""
    alphabet = string.ascii_letters + string.digits + _SYMBOLS
    characters = [secrets.choice(alphabet) for _ in range(length - 4)] + [
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.digits),
        secrets.choice(_SYMBOLS),
    ]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


@dataclass(frozen=True)
class Invited:
    profile: UserProfile
    password: str
    generated: bool  # show it once; a password the admin chose is not echoed back


class InviteUser:
    def __init__(
        self, directory: Directory, profiles: Profiles, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._directory = directory
        self._profiles = profiles
        self._now = now

    def __call__(
        self, *, email: str, role: str, team: str, name: str | None = None, password: str | None = None
    ) -> Invited:
        email, role, team = check_email(email), check_role(role), check_team(team)
        chosen = check_chosen_password(password) if password is not None else generate_password()
        display_name = (name or email.split("@", 1)[0]).strip()[:128] or email
        user_id = self._directory.invite(email, role=role, team=team, name=display_name, password=chosen)
        profile = UserProfile(
            user_id=user_id,
            email=email,
            name=display_name,
            role=role,
            team=team,
            created_at=self._now(),
            permissions=permissions_of(role),
        )
        self._profiles.put_profile(profile)
        return Invited(profile, chosen, generated=password is None)
