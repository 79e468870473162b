"""Least privilege, template half: each function's role allows exactly the actions its Function
declares (plus what Lambda itself needs), on named resources. The other half,
tests/integration/test_least_privilege.py, records the calls each handler really makes against
moto and checks them against the same Function - so the template equals real use."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devportal.names import ResourceNames
from functions.catalog import functions
from functions.declaration import Function
from stacks.functions import EVENT_SOURCE_ACTIONS, LOG_ACTIONS, TRACING_ACTIONS
from stacks.network_stack import NETWORK_ACTIONS
from tests.infra.conftest import Synthesized

NAMES = ResourceNames("devportal-dev")
PROD = ResourceNames("devportal-prod")
# Reading a secret encrypted with the portal's key needs the key, through Secrets Manager only.
SECRET_KEY_ACTIONS = frozenset({"kms:Decrypt"})


def role_statements(synthesized: Synthesized, spec: Function, names: ResourceNames = NAMES) -> list[dict[str, Any]]:
    template = synthesized.templates["workflows" if spec.kind != "route" else "api"]
    functions = template.find_resources("AWS::Lambda::Function")
    (function,) = [f for f in functions.values() if f["Properties"]["FunctionName"] == spec.function_name(names)]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    roles = template.find_resources("AWS::IAM::Role")
    assert "ManagedPolicyArns" not in roles[role_id]["Properties"]
    assert "Policies" not in roles[role_id]["Properties"]
    return statements


def actions_of(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def resources_of(statement: dict[str, Any]) -> list[Any]:
    found = statement["Resource"]
    return found if isinstance(found, list) else [found]


@pytest.mark.parametrize("spec", functions(), ids=lambda spec: spec.name)
@pytest.mark.parametrize("stage", ["dev", "prod"])  # prod runs in a VPC
def test_a_function_may_do_what_it_declares_and_nothing_else(
    stage: str, spec: Function, request: pytest.FixtureRequest
) -> None:
    statements = role_statements(request.getfixturevalue(stage), spec, NAMES if stage == "dev" else PROD)
    assert all(statement["Effect"] == "Allow" for statement in statements)
    granted = set().union(*(actions_of(s) for s in statements))
    declared = {action for actions in spec.access.values() for action in actions}
    platform = TRACING_ACTIONS | LOG_ACTIONS | (NETWORK_ACTIONS if stage == "prod" else frozenset())
    if spec.kind == "consumer":
        platform |= EVENT_SOURCE_ACTIONS
    if "temporal-secret" in spec.access:
        platform |= SECRET_KEY_ACTIONS
    assert granted == declared | platform
    assert not [action for action in granted if "*" in action]


@pytest.mark.parametrize("spec", functions(), ids=lambda spec: spec.name)
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_wildcard_resources_only_where_iam_has_no_resource_level_permissions(
    stage: str, spec: Function, request: pytest.FixtureRequest
) -> None:
    for statement in role_statements(request.getfixturevalue(stage), spec, NAMES if stage == "dev" else PROD):
        for resource in resources_of(statement):
            if resource == "*":
                assert actions_of(statement) <= TRACING_ACTIONS or actions_of(statement) == NETWORK_ACTIONS, statement
            else:
                rendered = json.dumps(resource)
                # object keys inside one named bucket are the only other wildcard
                assert "*" not in rendered or rendered.endswith(('/*"]]}', '/*"')), rendered


def test_the_secret_key_is_usable_only_through_secrets_manager(dev: Synthesized) -> None:
    for spec in functions():
        for statement in role_statements(dev, spec):
            if "kms:Decrypt" in actions_of(statement):
                assert "kms:ViaService" in json.dumps(statement["Condition"])


def test_queue_consumers_read_only_their_own_queue(dev: Synthesized) -> None:
    for spec in functions():
        if spec.kind != "consumer":
            continue
        (statement,) = [s for s in role_statements(dev, spec) if actions_of(s) == EVENT_SOURCE_ACTIONS]
        (queue,) = resources_of(statement)
        assert spec.name.replace("-", "") in json.dumps(queue).replace("-", "").lower()
