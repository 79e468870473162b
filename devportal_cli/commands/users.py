"""`devportal users add`: invite a user to the running local stack."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from devportal.identity.pool import ROLES
from devportal_cli.options import add_state_dir, running_stack


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser("users", help="manage the users of a running local stack")
    actions = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="invite a user: a Cognito account in the role's group and a portal profile",
        description="Invite a user to the running local stack: a Cognito account (in moto) with a "
        "permanent password, in the group of its role, and its portal profile (USER#<id>/PROFILE). "
        "The password is generated unless given, and shown once.",
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES, help="viewer, developer or admin")
    add.add_argument("--team", required=True, help="the team the user belongs to (a slug, e.g. payments)")
    add.add_argument("--name", help="display name (default: the part of the e-mail before @)")
    add.add_argument("--password", help="a password meeting the pool's policy (default: generated)")
    add_state_dir(add)
    add.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devportal.errors import DomainError
    from devportal_local.users import invite, load_identity

    config = running_stack(args.state_dir)
    if config is None:
        return 1
    try:
        invited = invite(
            config,
            load_identity(config),
            email=args.email,
            role=args.role,
            team=args.team,
            name=args.name,
            password=args.password,
        )
    except DomainError as error:
        fields = "; ".join(f"{e.pointer or e.parameter}: {e.detail}" for e in error.errors)
        print(f"devportal: {error.detail}" + (f" ({fields})" if fields else ""), file=sys.stderr)
        return 1
    profile = invited.profile
    print(f"Invited {profile.email} as {profile.role} of team {profile.team} (user id {profile.user_id}).")
    if invited.generated:
        print(f"Password (shown once): {invited.password}")
    print(f"Sign in: POST {config.gateway_url}/auth/login")
    return 0
