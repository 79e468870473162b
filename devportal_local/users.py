"""Users of the local stack: inviting one (`devportal users add`) and the demo users `devportal up`
creates, one per role, with generated passwords.

The demo users' credentials are written to `<state dir>/demo-users.json` (mode 0600) so that the
demo, the benchmarks and the end-to-end tests can sign in the way a person would. Like the rest of
the state they outlive a restart: the same users, the same passwords, until `--fresh`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from devportal.adapters.cognito import CognitoDirectory
from devportal.adapters.profiles import DynamoProfiles
from devportal.identity.invite import Invited, InviteUser
from devportal_local.config import LocalConfig

DEMO_USERS = (
    ("viewer", "viewer@devportal.local", "platform", "Vera Viewer"),
    ("developer", "developer@devportal.local", "pets", "Dev Eloper"),
    ("admin", "admin@devportal.local", "platform", "Ada Admin"),
)
IDENTITY_FILE = "identity.json"
DEMO_USERS_FILE = "demo-users.json"


@dataclass(frozen=True)
class Credentials:
    role: str
    email: str
    password: str
    team: str


def save_identity(config: LocalConfig, environment: dict[str, str]) -> None:
    config.run_dir.mkdir(parents=True, exist_ok=True)
    (config.run_dir / IDENTITY_FILE).write_text(json.dumps(environment, indent=2), encoding="utf-8")


def load_identity(config: LocalConfig) -> dict[str, str]:
    loaded: dict[str, str] = json.loads((config.run_dir / IDENTITY_FILE).read_text(encoding="utf-8"))
    return loaded


def invite(
    config: LocalConfig,
    identity: dict[str, str],
    *,
    email: str,
    role: str,
    team: str,
    name: str | None = None,
    password: str | None = None,
) -> Invited:
    directory = CognitoDirectory(
        identity["DEVPORTAL_USER_POOL_ID"],
        identity["DEVPORTAL_USER_POOL_CLIENT_ID"],
        client=config.client("cognito-idp"),
    )
    profiles = DynamoProfiles(config.names.table, client=config.client("dynamodb"))
    return InviteUser(directory, profiles)(email=email, role=role, team=team, name=name, password=password)


def demo_users_file(config: LocalConfig) -> Path:
    return config.state_dir / DEMO_USERS_FILE


def ensure_demo_users(config: LocalConfig, identity: dict[str, str]) -> tuple[list[Credentials], bool]:
    """The demo users: the ones kept from the last run when the pool still holds them all, otherwise
    created (and written, 0600). Returns them and whether they were kept."""
    path = demo_users_file(config)
    if path.exists():
        kept = list(demo_users(config.state_dir).values())
        pages = (
            config.client("cognito-idp")
            .get_paginator("list_users")
            .paginate(UserPoolId=identity["DEVPORTAL_USER_POOL_ID"])
        )
        held = {
            a["Value"] for page in pages for user in page["Users"] for a in user["Attributes"] if a["Name"] == "email"
        }
        if {c.email for c in kept} <= held and {c.role for c in kept} == {role for role, *_ in DEMO_USERS}:
            return kept, True
    created = []
    for role, email, team, name in DEMO_USERS:
        invited = invite(config, identity, email=email, role=role, team=team, name=name)
        created.append(Credentials(role, email, invited.password, team))
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps([asdict(c) for c in created], indent=2), encoding="utf-8")
    return created, False


def demo_users(state_dir: Path) -> dict[str, Credentials]:
    """The demo users of the stack running in `state_dir`, by role."""
    loaded = json.loads((state_dir / DEMO_USERS_FILE).read_text(encoding="utf-8"))
    return {entry["role"]: Credentials(**entry) for entry in loaded}
