"""The Cognito user pool, as data: the auth stack builds it in AWS, the local runtime provisions it
in moto, and a test checks both come out the same."""

from __future__ import annotations

from dataclasses import dataclass

USER_POOL_NAME = "dev-portal-users"
# Roles, least to most privileged; a user's role is the Cognito group they belong to, and the
# group's precedence makes the strongest role win when a user is in several.
ROLES = ("viewer", "developer", "admin")
TEAM_ATTRIBUTE = "team"  # custom:team
# Access tokens from USER_PASSWORD_AUTH carry this scope; API Gateway's Cognito authorizer accepts
# access tokens (not id tokens) only on methods that require a scope.
ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"  # noqa: S105  (a scope name)
ACCESS_TOKEN_MINUTES = 60
REFRESH_TOKEN_DAYS = 30


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_digits: bool = True
    require_symbols: bool = True


PASSWORD_POLICY = PasswordPolicy()


def role_precedence(role: str) -> int:
    """Cognito precedence: lower wins. admin 0, developer 1, viewer 2."""
    return len(ROLES) - 1 - ROLES.index(role)


def client_name(prefix: str) -> str:
    return f"{prefix}-portal"
