"""A feature branch's stage in (moto's) AWS: its test developer made and reset, its stacks
destroyed in dependency order, idle stages reaped - and nothing of a fixed stage touched, whatever
its tags say."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devportal.adapters.cognito import CognitoDirectory
from devportal.names import ResourceNames, branch_stage
from devportal_cli.commands.branches import (
    TEST_USER,
    branch_stacks,
    delete_stacks,
    destroy,
    ensure_test_user,
    idle_stages,
    write_env_file,
)
from devportal_local.config import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, REGION
from devportal_local.provision import provision
from tests.support.aws import AwsWorld

KINDS = ("security", "database", "events", "auth", "api", "workflows", "monitoring", "web", "cost")


def deploy_stack(cloudformation: Any, name: str, *, stage: str, branch: str | None, outputs: dict[str, str]) -> None:
    """A stand-in for one deployed stack: its name, its tags as app.py sets them, its outputs."""
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},  # any resource moto deploys
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    tags = [{"Key": "project", "Value": "devportal"}, {"Key": "stage", "Value": stage}]
    if branch is not None:
        tags.append({"Key": "branch", "Value": branch})
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template), Tags=tags)


def deploy_stage(cloudformation: Any, stage: str, branch: str | None, outputs: dict[str, dict[str, str]]) -> None:
    for kind in KINDS:
        deploy_stack(
            cloudformation, f"devportal-{stage}-{kind}", stage=stage, branch=branch, outputs=outputs.get(kind, {})
        )


def standing(cloudformation: Any) -> set[str]:
    return {
        s["StackName"]
        for page in cloudformation.get_paginator("describe_stacks").paginate()
        for s in page["Stacks"]
        if s["StackStatus"] != "DELETE_COMPLETE"
    }


@pytest.fixture
def branch() -> str:
    return f"feature/it-{uuid.uuid4().hex[:6]}"


def test_a_branch_stage_is_destroyed_dependents_first_and_fixed_stages_never(aws: AwsWorld, branch: str) -> None:
    cloudformation = aws.client("cloudformation")
    stage = branch_stage(branch)
    other = f"feature/other-{uuid.uuid4().hex[:6]}"
    deploy_stage(cloudformation, stage, branch, {})
    deploy_stage(cloudformation, branch_stage(other), other, {})
    # a fixed stage's stack wrongly tagged with the branch: still never deleted
    deploy_stack(
        cloudformation, f"devportal-staging-{uuid.uuid4().hex[:6]}", stage="staging", branch=branch, outputs={}
    )
    before = standing(cloudformation)
    said: list[str] = []

    planned = destroy(cloudformation, f"refs/heads/{branch}", dry_run=True, say=said.append)
    assert planned == []
    assert standing(cloudformation) == before
    deleted = destroy(cloudformation, branch, dry_run=False, say=said.append)

    assert deleted == [f"devportal-{stage}-{kind}" for kind in reversed(KINDS)]
    assert standing(cloudformation) == before - set(deleted)
    assert said[0] == f"would delete devportal-{stage}-cost"
    assert f"deleted devportal-{stage}-security" in said
    assert destroy(cloudformation, branch, dry_run=False, say=said.append) == []
    assert said[-1] == f"branch {branch} has no stage to destroy (devportal-{stage}-*)"


def test_deleting_a_fixed_stage_is_refused_even_when_asked_directly(aws: AwsWorld) -> None:
    from devportal_cli.commands.branches import BranchStack

    fixed = BranchStack("devportal-prod-api", "main", "prod", "api", datetime.now(UTC))
    with pytest.raises(RuntimeError, match="refusing to delete devportal-prod-api: prod is not a branch stage"):
        delete_stacks(aws.client("cloudformation"), [fixed], dry_run=False)


def test_only_idle_branch_stages_are_reaped(aws: AwsWorld, branch: str) -> None:
    cloudformation = aws.client("cloudformation")
    deploy_stage(cloudformation, branch_stage(branch), branch, {})
    found = [s for s in branch_stacks(cloudformation) if s.branch == branch]
    assert len(found) == len(KINDS)
    assert branch_stage(branch) not in idle_stages(found, now=datetime.now(UTC), idle=timedelta(days=7))
    later = datetime.now(UTC) + timedelta(days=8)
    assert set(idle_stages(found, now=later, idle=timedelta(days=7))) == {branch_stage(branch)}


def test_the_test_developer_is_made_then_given_a_new_password(aws: AwsWorld, branch: str, tmp_path: Any) -> None:
    names = ResourceNames(f"devportal-{branch_stage(branch)}")
    provisioned = provision(
        names,
        endpoint_url=aws.endpoint,
        region_name=REGION,
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
    pool, client = provisioned.user_pool.pool_id, provisioned.user_pool.client_id
    cloudformation, cognito = aws.client("cloudformation"), aws.client("cognito-idp")
    api_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/"
    deploy_stage(
        cloudformation,
        branch_stage(branch),
        branch,
        {"auth": {"UserPoolId": pool, "ClientId": client}, "api": {"ApiUrl": api_url}},
    )

    first = ensure_test_user(cloudformation, cognito, aws.client("dynamodb"), branch)
    second = ensure_test_user(cloudformation, cognito, aws.client("dynamodb"), branch)

    assert first["DEVPORTAL_API_URL"] == second["DEVPORTAL_API_URL"] == api_url
    assert first["DEVPORTAL_TEST_USERNAME"] == TEST_USER
    assert first["DEVPORTAL_TEST_PASSWORD"] != second["DEVPORTAL_TEST_PASSWORD"]
    directory = CognitoDirectory(pool, client, client=cognito)
    assert directory.sign_in(TEST_USER, second["DEVPORTAL_TEST_PASSWORD"]).access_token
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=TEST_USER)["Groups"]
    assert [g["GroupName"] for g in groups] == ["developer"]
    profiles = aws.client("dynamodb").query(
        TableName=names.table,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :users AND GSI1SK = :email",
        ExpressionAttributeValues={":users": {"S": "USERS"}, ":email": {"S": TEST_USER}},
    )["Items"]
    assert len(profiles) == 1  # made once
    env = tmp_path / "branch.env"
    write_env_file(env, second)
    assert env.stat().st_mode & 0o777 == 0o600
    assert f"DEVPORTAL_TEST_USERNAME={TEST_USER}\n" in env.read_text()
