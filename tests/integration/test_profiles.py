"""Profiles listed through the table's indexes (moto's DynamoDB): in address order, a page at a
time, per team or all, with any address a valid place to start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from devportal import wiring
from devportal.identity.users import UserProfile
from tests.support.aws import AwsWorld


def test_profiles_are_listed_by_address_per_team_and_all(aws: AwsWorld) -> None:
    profiles = wiring.portal().profiles
    team, other = f"t{uuid.uuid4().hex[:8]}", f"o{uuid.uuid4().hex[:8]}"
    joined = datetime(2026, 12, 1, tzinfo=UTC)
    mine = [f"{name}-{team}@example.com" for name in ("dana", "ada", "cy", "bo")]
    for n, email in enumerate(mine):
        assert profiles.put_profile(UserProfile(f"sub-{team}-{n}", email, email, "viewer", team, joined))
    assert profiles.put_profile(UserProfile(f"sub-{other}", f"eve-{other}@example.com", "Eve", "viewer", other, joined))
    assert not profiles.put_profile(UserProfile(f"sub-{team}-0", mine[0], "again", "viewer", team, joined))

    first = profiles.list_profiles(team=team, limit=3, after=None)
    assert [p.email for p in first.profiles] == sorted(mine)[:3]
    assert first.next_cursor == sorted(mine)[2]
    rest = profiles.list_profiles(team=team, limit=3, after=first.next_cursor)
    assert ([p.email for p in rest.profiles], rest.next_cursor) == (sorted(mine)[3:], None)
    assert [p.email for p in profiles.list_profiles(team=team, limit=50, after="c").profiles] == sorted(mine)[2:]
    assert profiles.list_profiles(team=team, limit=50, after="zzz").profiles == []

    everyone: list[str] = []
    after: str | None = None
    while True:  # all teams, two at a time: every profile once, in address order
        page = profiles.list_profiles(team=None, limit=2, after=after)
        everyone += [p.email for p in page.profiles]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert everyone == sorted(everyone)
    assert len(everyone) == len(set(everyone))
    assert set(mine) | {f"eve-{other}@example.com"} <= set(everyone)
