"""Feature branches' stages: what a branch stage synthesizes to (offline), and the pipeline's
builds that deploy, test and destroy them without touching staging or prod."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devportal.names import branch_stage
from stacks.cost_stack import DEFAULT_BUDGET_USD
from tests.infra.conftest import Synthesized, properties, resources, synthesize

BRANCH = "feature/payments-refunds-rework"  # longer than a stage name may be: cut, with a hash
STAGE = branch_stage(BRANCH)


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory, assets: Any) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out-branch"), {"featureBranch": BRANCH}, assets)


def test_a_branch_stage_is_its_own_stacks_tagged_with_the_branch(branch: Synthesized) -> None:
    assert {s.stack_name for s in branch.stacks.values()} == {
        f"devportal-{STAGE}-{kind}"
        for kind in ("security", "database", "events", "auth", "api", "workflows", "monitoring", "web", "cost")
    }
    for stack in branch.stacks.values():
        assert stack.tags.tag_values()["branch"] == BRANCH
        assert stack.tags.tag_values()["stage"] == STAGE


# API Gateway's CloudWatch role is an account-wide setting other stages' APIs log through: CDK keeps
# it (and the setting) when one API goes, and so do we.


def test_a_branch_stage_is_small_and_leaves_nothing_behind(branch: Synthesized) -> None:
    kept = []
    for kind, template in branch.templates.items():
        for logical_id, resource in template.to_json()["Resources"].items():
            if resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
                kept.append((kind, resource["Type"], logical_id.removesuffix(logical_id[-8:])))
    assert sorted(kept) == [
        ("api", "AWS::ApiGateway::Account", "ApiAccount"),
        ("api", "AWS::IAM::Role", "ApiCloudWatchRole"),
    ]
    (table,) = properties(branch.templates["database"], "AWS::DynamoDB::GlobalTable")
    assert table.get("Replicas", [{}])[0].get("DeletionProtectionEnabled") in (None, False)
    (budget,) = properties(branch.templates["cost"], "AWS::Budgets::Budget")
    assert budget["Budget"]["BudgetLimit"]["Amount"] == DEFAULT_BUDGET_USD["branch"]
    assert "network" not in branch.stacks  # no VPC unless -c vpc=new


def test_the_pipeline_deploys_tests_and_destroys_branch_stages(pipeline: Synthesized) -> None:
    template = pipeline.templates["pipeline"]
    projects = {
        p["Properties"].get("Name"): p["Properties"] for p in resources(template, "AWS::CodeBuild::Project").values()
    }
    deploy, destroy = projects["devportal-branch-deploy"], projects["devportal-branch-destroy"]
    for project in (deploy, destroy):
        assert project["Source"]["Auth"]["Type"] == "CODECONNECTIONS"
        assert project["Triggers"]["Webhook"] is True
        (group,) = project["Triggers"]["FilterGroups"]
        assert {"ExcludeMatchedPattern": True, "Pattern": "^refs/heads/main$", "Type": "HEAD_REF"} in group
        assert "EncryptionKey" in project
    assert deploy["Triggers"]["FilterGroups"][0][0] == {"Pattern": "PUSH", "Type": "EVENT"}
    assert destroy["Triggers"]["FilterGroups"][0][0]["Pattern"] == "PULL_REQUEST_MERGED, PULL_REQUEST_CLOSED"
    commands = json.loads(deploy["Source"]["BuildSpec"])["phases"]["build"]["commands"]
    assert any("cdk deploy --all" in c and '-c featureBranch="$BRANCH"' in c for c in commands)
    assert commands[-1].endswith("make test-deployed")
    assert commands.index('.venv/bin/devportal branch-stage name "$BRANCH"') < commands.index("make lint test-unit")
    (rule,) = [r["Properties"] for r in resources(template, "AWS::Events::Rule").values() if "branch" in json.dumps(r)]
    assert rule["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert json.loads(rule["Targets"][0]["Input"])["environmentVariablesOverride"][0]["name"] == "REAP"


def test_branch_builds_are_denied_the_fixed_stages(pipeline: Synthesized) -> None:
    template = pipeline.templates["pipeline"]
    roles = {
        p["Properties"]["Name"]: p["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
        for p in resources(template, "AWS::CodeBuild::Project").values()
        if p["Properties"].get("Name", "").startswith("devportal-branch-")
    }
    policies = template.find_resources("AWS::IAM::Policy")
    for project, role in roles.items():
        statements = [
            s
            for p in policies.values()
            if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        ]
        denied = json.dumps([s for s in statements if s["Effect"] == "Deny"])
        for stage in ("dev", "staging", "prod"):
            assert f"stack/devportal-{stage}-*/*" in denied, project
            assert f"table/devportal-{stage}-table" in denied, project
        assert '"aws:ResourceTag/stage": ["dev", "staging", "prod"]' in denied
        allowed = [s for s in statements if s["Effect"] == "Allow"]
        if project.endswith("destroy"):
            (delete,) = [s for s in allowed if s["Action"] == "cloudformation:DeleteStack"]
            assert json.dumps(delete["Resource"]).endswith('stack/devportal-*/*"]]}')
            (listing,) = [s for s in allowed if s["Action"] == "cloudformation:DescribeStacks"]
            assert listing["Resource"] == "*"  # finding stacks by tag lists them all; it only reads
        else:
            assert "sts:AssumeRole" in json.dumps(allowed)


def test_a_branch_stage_has_no_edge_stack_to_leave_behind() -> None:
    import aws_cdk as cdk

    import app as cdk_app

    context = {"featureBranch": BRANCH, "portalWaf": "true"}
    with pytest.raises(ValueError, match="a feature branch's stage has no edge stack"):
        cdk_app.StageSettings.from_context(cdk.App(context=context).node, "dev", branch=BRANCH)
    with pytest.raises(ValueError, match='context "portalWaf" must be true or false'):
        cdk_app.StageSettings.from_context(cdk.App(context={"portalWaf": "yes"}).node, "dev")
