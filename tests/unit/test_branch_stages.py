"""Feature branches' stages: the name a branch deploys to, and which stages go when
(devportal.names.branch_stage, devportal_cli.commands.branches)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from devportal.names import BRANCH_STAGE_MAX, FIXED_STAGES, ResourceNames, branch_stage
from devportal_cli.commands.branches import BranchStack, idle_stages, in_delete_order

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("branch", "stage"),
    [
        ("feature/login-form", "feature-login-form"),
        ("refs/heads/Fix_BUG-12", "fix-bug-12"),
        ("123-hotfix", "b-123-hotfix"),
        ("x//y", "x-y"),
        ("dependabot/npm_and_yarn/next-15", "dependabot-npm-d944"),
    ],
)
def test_a_branch_deploys_to_a_stage_named_after_it(branch: str, stage: str) -> None:
    assert branch_stage(branch) == stage


def test_long_names_are_cut_and_told_apart_by_a_hash() -> None:
    first, second = branch_stage("feature/payments-refunds-one"), branch_stage("feature/payments-refunds-two")
    assert first != second
    assert len(first) == len(second) == BRANCH_STAGE_MAX
    assert first.startswith("feature-paymen")


@pytest.mark.parametrize("branch", ["prod", "Staging", "refs/heads/dev", "PROD/"])
def test_a_branch_never_deploys_over_a_fixed_stage(branch: str) -> None:
    with pytest.raises(ValueError, match="only the delivery pipeline deploys: rename the branch"):
        branch_stage(branch)


def test_a_branch_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(ValueError, match="no letters or digits"):
        branch_stage("--/--")


def test_the_longest_stage_keeps_every_name_within_aws_limits() -> None:
    names = ResourceNames(f"devportal-{'a' * BRANCH_STAGE_MAX}")
    account, longest_region = "123456789012", "ap-southeast-5"
    assert len(f"{names.specs_bucket}-{account}-{longest_region}") <= 63  # S3
    assert len(f"{names.prefix}-rotate-subscription-secret") <= 64  # Lambda (the longest function)
    assert len(names.rule("ApiVersionLifecycleChanged")) <= 64  # EventBridge rules
    assert len(names.fanout_queue("ApiVersionLifecycleChanged")) <= 80  # SQS


def stack(stage: str, kind: str, changed: datetime, branch: str = "b") -> BranchStack:
    return BranchStack(f"devportal-{stage}-{kind}", branch, stage, kind, changed)


def test_dependents_are_deleted_before_what_they_use() -> None:
    kinds = ["security", "network", "database", "events", "auth", "api", "workflows", "monitoring", "web", "cost"]
    ordered = in_delete_order(stack("feat", kind, NOW) for kind in kinds)
    assert [s.kind for s in ordered] == list(reversed(kinds))


def test_a_stage_is_idle_when_its_newest_stack_is_old() -> None:
    stacks = [
        stack("old", "api", NOW - timedelta(days=9)),
        stack("old", "web", NOW - timedelta(days=8)),
        stack("busy", "api", NOW - timedelta(days=30)),
        stack("busy", "workflows", NOW - timedelta(hours=3)),  # deployed today: the whole stage stays
    ]
    idle = idle_stages(stacks, now=NOW, idle=timedelta(days=7))
    assert set(idle) == {"old"}
    assert {s.kind for s in idle["old"]} == {"api", "web"}


def devportal(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devportal_cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_cli_prints_the_stage_or_refuses_with_exit_2() -> None:
    named = devportal("branch-stage", "name", "refs/heads/feature/login-form")
    assert (named.returncode, named.stdout) == (0, "feature-login-form\n")
    refused = devportal("branch-stage", "name", "staging")
    assert refused.returncode == 2
    assert refused.stderr == (
        "devportal: branch 'staging' would deploy to the staging stage, which only the delivery pipeline "
        "deploys: rename the branch\n"
    )


def test_fixed_stages_are_the_pipelines() -> None:
    assert FIXED_STAGES == ("dev", "staging", "prod")
