"""Who may do what: roles give permissions, teams own APIs.

- viewer: read the catalog and the docs.
- developer: that, and submit (and test) APIs of their own team, and follow their team's submissions.
- admin: everything, for every team.

An API belongs to the team that first registered it; another team's developer cannot submit
versions of it (`devportal.registry.submit` checks that against the catalog)."""

from __future__ import annotations

from devportal.errors import Forbidden
from devportal.identity.caller import Caller
from devportal.identity.users import UserProfile, permissions_of


def permissions(caller: Caller) -> tuple[str, ...]:
    return permissions_of(caller.role) if caller.role else ()


def require(caller: Caller, permission: str) -> None:
    if permission not in permissions(caller):
        raise Forbidden(f"Your role ({caller.role or 'none'}) may not do this: it needs `{permission}`.")


def is_admin(caller: Caller) -> bool:
    return caller.role == "admin"


def submitting_team(caller: Caller, profile: UserProfile, requested: str | None) -> str:
    """The team a submission is made for: the caller's own, unless an admin names another."""
    require(caller, "apis:submit")
    if requested is None or requested == profile.team:
        return profile.team
    if is_admin(caller):
        return requested
    raise Forbidden(f"You may submit APIs of your own team ({profile.team}) only, not of {requested}.")


def require_team_member(caller: Caller, profile: UserProfile, team: str) -> None:
    """Team-scoped reads (a submission's status and findings): the team's developers and admins."""
    require(caller, "apis:submit")
    if team != profile.team and not is_admin(caller):
        raise Forbidden(f"This belongs to team {team}; you are in {profile.team}.")
