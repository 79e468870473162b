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
# Cognito's special characters (its space counts only inside a password; the portal asks for one of these).
PASSWORD_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"  # noqa: S105 - a character class, not a password
# The longest password the portal sets: Cognito takes 256, moto (the local pool) 98.
MAX_PASSWORD_CHARS = 98


def chosen_password_pattern(policy: PasswordPolicy = PASSWORD_POLICY) -> str:
    """The policy as one regular expression, in the dialect both JSON Schema (ECMA-262) and Python
    read alike: lookaheads for each character class it requires, no control characters. Length is
    the schema's minLength/maxLength (code points), not part of the pattern."""
    symbols = "".join("\\" + c if c in "\\]^[-" else c for c in PASSWORD_SYMBOLS)
    required = [
        ("[a-z]", policy.require_lowercase),
        ("[A-Z]", policy.require_uppercase),
        ("[0-9]", policy.require_digits),
        (f"[{symbols}]", policy.require_symbols),
    ]
    lookaheads = "".join(f"(?=.*{cls})" for cls, wanted in required if wanted)
    return f"^{lookaheads}[^\\x00-\\x1f\\x7f\\u2028\\u2029]*$"


def role_precedence(role: str) -> int:
    """Cognito precedence: lower wins. admin 0, developer 1, viewer 2."""
    return len(ROLES) - 1 - ROLES.index(role)


def client_name(prefix: str) -> str:
    return f"{prefix}-portal"
