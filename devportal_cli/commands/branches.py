"""`devportal branch-stage name | test-user | destroy | reap`: feature branches' own stages in AWS
(`devportal-<branch stage>-*`), as the branch-stage builds of the delivery pipeline use them. AWS
calls use your credentials and region, as the AWS CLI finds them.

A branch stage's stacks carry the tag `branch=<the Git branch>` (app.py); `destroy` and `reap`
find them by it and never delete a stack of a fixed stage (dev, staging, prod), whatever it is
tagged."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from devportal.names import FIXED_STAGES, ResourceNames, branch_stage

# Deleted in this order: what depends on a stack goes before it (app.py's STACK_KINDS, reversed).
DELETE_ORDER = ("cost", "web", "monitoring", "workflows", "api", "auth", "events", "database", "network", "security")
TEST_USER = "branch-e2e@devportal.example.com"
TEST_TEAM = "branch-e2e"


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "branch-stage", help="feature branches' own stages in AWS: name, test user, destroy, reap"
    )
    actions = parser.add_subparsers(dest="branch_command", required=True, metavar="ACTION")
    name = actions.add_parser(
        "name",
        help="print the stage a branch deploys to",
        description="Print the stage a Git branch deploys to (devportal-<stage>-*): lowercase letters, digits "
        "and hyphens, at most 19 characters. Exit 2 for a branch that would deploy over dev, staging or prod.",
    )
    name.add_argument("branch", help="the branch, e.g. feature/login-form or refs/heads/feature/login-form")
    name.set_defaults(run=run_name)
    user = actions.add_parser(
        "test-user",
        help="make (or reset) the developer the deployed-stage tests sign in as; write their settings",
        description="Make the developer the deployed-stage tests sign in as in the branch stage's user pool "
        f"({TEST_USER}, team {TEST_TEAM}), or give them a new password when they exist, and write "
        "DEVPORTAL_API_URL, DEVPORTAL_TEST_USERNAME and DEVPORTAL_TEST_PASSWORD to an env file (mode 0600) "
        "for `make test-deployed`. The password is never printed.",
    )
    user.add_argument("--branch", required=True, help="the branch whose stage it is")
    user.add_argument("--env-file", required=True, type=Path, help="where to write the settings")
    user.set_defaults(run=run_test_user)
    destroy = actions.add_parser(
        "destroy",
        help="delete every stack of a branch's stage, in dependency order",
        description="Delete the stacks tagged branch=<branch>, dependents first, waiting for each.",
    )
    destroy.add_argument("--branch", required=True)
    destroy.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    destroy.set_defaults(run=run_destroy)
    reap = actions.add_parser(
        "reap",
        help="destroy branch stages nobody deployed to for a while",
        description="Destroy every branch stage whose newest stack was created or updated more than --idle-days "
        "ago: the stages of branches deleted without a pull request being closed, or abandoned.",
    )
    reap.add_argument("--idle-days", type=float, default=7.0)
    reap.add_argument("--dry-run", action="store_true")
    reap.set_defaults(run=run_reap)


def run_name(args: argparse.Namespace) -> int:
    try:
        print(branch_stage(args.branch))
    except ValueError as error:
        print(f"devportal: {error}", file=sys.stderr)
        return 2
    return 0


@dataclass(frozen=True)
class BranchStack:
    name: str
    branch: str
    stage: str
    kind: str
    changed: datetime


def branch_stacks(cloudformation: Any) -> list[BranchStack]:
    """Every stack tagged with a branch, of a stage no fixed stage can be."""
    found = []
    for page in cloudformation.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            if stack.get("StackStatus") == "DELETE_COMPLETE":
                continue
            tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
            branch, stage = tags.get("branch"), tags.get("stage")
            if not branch or not stage or stage in FIXED_STAGES:
                continue
            prefix = f"{ResourceNames(f'devportal-{stage}').prefix}-"
            if not stack["StackName"].startswith(prefix):
                continue
            kind = stack["StackName"].removeprefix(prefix)
            changed = stack.get("LastUpdatedTime") or stack["CreationTime"]
            found.append(BranchStack(stack["StackName"], branch, stage, kind, changed))
    return found


def in_delete_order(stacks: Iterable[BranchStack]) -> list[BranchStack]:
    rank = {kind: i for i, kind in enumerate(DELETE_ORDER)}
    return sorted(stacks, key=lambda s: (s.stage, rank.get(s.kind, -1), s.name))


def delete_stacks(
    cloudformation: Any,
    stacks: list[BranchStack],
    *,
    dry_run: bool,
    say: Callable[[str], None] = print,
    poll_seconds: float = 10,
) -> list[str]:
    """Delete each stack and wait for it to go before the next; the names it deleted."""
    deleted = []
    for stack in in_delete_order(stacks):
        if stack.stage in FIXED_STAGES:  # never, whatever the tags say
            raise RuntimeError(f"refusing to delete {stack.name}: {stack.stage} is not a branch stage")
        if dry_run:
            say(f"would delete {stack.name}")
            continue
        say(f"deleting {stack.name} ...")
        cloudformation.delete_stack(StackName=stack.name)
        cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=stack.name, WaiterConfig={"Delay": poll_seconds, "MaxAttempts": 360}
        )
        say(f"deleted {stack.name}")
        deleted.append(stack.name)
    return deleted


def destroy(cloudformation: Any, branch: str, *, dry_run: bool, say: Callable[[str], None] = print) -> list[str]:
    stage = branch_stage(branch)
    stacks = [s for s in branch_stacks(cloudformation) if s.branch == branch.removeprefix("refs/heads/")]
    if not stacks:
        say(f"branch {branch} has no stage to destroy (devportal-{stage}-*)")
        return []
    return delete_stacks(cloudformation, stacks, dry_run=dry_run, say=say)


def idle_stages(stacks: Iterable[BranchStack], *, now: datetime, idle: timedelta) -> dict[str, list[BranchStack]]:
    """The branch stages whose newest stack changed longer than `idle` ago, with their stacks."""
    by_stage: dict[str, list[BranchStack]] = {}
    for stack in stacks:
        by_stage.setdefault(stack.stage, []).append(stack)
    return {stage: found for stage, found in by_stage.items() if now - max(s.changed for s in found) > idle}


def run_destroy(args: argparse.Namespace) -> int:
    import boto3

    try:
        destroy(boto3.client("cloudformation"), args.branch, dry_run=args.dry_run)
    except ValueError as error:
        print(f"devportal: {error}", file=sys.stderr)
        return 2
    return 0


def run_reap(args: argparse.Namespace) -> int:
    import boto3

    cloudformation = boto3.client("cloudformation")
    idle = idle_stages(branch_stacks(cloudformation), now=datetime.now(UTC), idle=timedelta(days=args.idle_days))
    if not idle:
        print(f"no branch stage has been idle for more than {args.idle_days:g} days")
    for stage, stacks in sorted(idle.items()):
        newest = max(s.changed for s in stacks)
        print(f"stage {stage} (branch {stacks[0].branch}) last changed {newest:%Y-%m-%d %H:%M} UTC")
        delete_stacks(cloudformation, stacks, dry_run=args.dry_run)
    return 0


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def ensure_test_user(cloudformation: Any, cognito: Any, dynamodb: Any, branch: str) -> dict[str, str]:
    """The settings `make test-deployed` needs for the branch's stage, its test developer made or
    given a new password."""
    from devportal.adapters.cognito import CognitoDirectory
    from devportal.adapters.profiles import DynamoProfiles
    from devportal.errors import AlreadyExists
    from devportal.identity.invite import InviteUser, generate_password

    names = ResourceNames(f"devportal-{branch_stage(branch)}")
    auth = stack_outputs(cloudformation, f"{names.prefix}-auth")
    api = stack_outputs(cloudformation, f"{names.prefix}-api")
    directory = CognitoDirectory(auth["UserPoolId"], auth["ClientId"], client=cognito)
    password = generate_password()
    try:
        InviteUser(directory, DynamoProfiles(names.table, client=dynamodb))(
            email=TEST_USER, role="developer", team=TEST_TEAM, name="Branch stage tests", password=password
        )
    except AlreadyExists:
        cognito.admin_set_user_password(
            UserPoolId=auth["UserPoolId"], Username=TEST_USER, Password=password, Permanent=True
        )
    return {
        "DEVPORTAL_API_URL": api["ApiUrl"],
        "DEVPORTAL_TEST_USERNAME": TEST_USER,
        "DEVPORTAL_TEST_PASSWORD": password,
    }


def write_env_file(path: Path, settings: dict[str, str]) -> None:
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(f"{key}={shlex.quote(value)}\n" for key, value in settings.items()), encoding="utf-8")


def run_test_user(args: argparse.Namespace) -> int:
    import boto3

    try:
        settings = ensure_test_user(
            boto3.client("cloudformation"), boto3.client("cognito-idp"), boto3.client("dynamodb"), args.branch
        )
    except ValueError as error:
        print(f"devportal: {error}", file=sys.stderr)
        return 2
    write_env_file(args.env_file, settings)
    print(f"{TEST_USER} can sign in to {settings['DEVPORTAL_API_URL']}; settings in {args.env_file}")
    return 0
