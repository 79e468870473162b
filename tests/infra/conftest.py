"""Synthesize the CDK app once per session (offline: no credentials, Docker or network), with
cdk-nag AwsSolutions attached exactly as `make synth` runs it."""

from __future__ import annotations

import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as cdk_app
from stacks.packaging import LambdaAssets, build_code, build_layer, lambda_assets

PIPELINE_CONTEXT = {
    "pipeline": "true",
    "repository": "example-org/devportal",
    "branch": "main",
    "connectionArn": "arn:aws:codeconnections:eu-west-1:123456789012:connection/00000000-0000-0000-0000-000000000000",
}


@dataclass
class Synthesized:
    outdir: Path
    stacks: dict[str, cdk.Stack]
    templates: dict[str, Template]
    assembly: Any


def with_nested(stack: cdk.Stack) -> Template:
    """A stack's template with the resources of its nested stacks (the API's functions) merged in:
    what the stack deploys, as one template to assert on."""
    merged = dict(Template.from_stack(stack).to_json())
    for nested in (c for c in stack.node.find_all() if isinstance(c, cdk.NestedStack)):
        for section in ("Resources", "Outputs", "Conditions"):
            merged.setdefault(section, {}).update(Template.from_stack(nested).to_json().get(section, {}))
    return Template.from_json(merged)


def synthesize(outdir: Path, context: dict[str, Any], assets: LambdaAssets) -> Synthesized:
    app = cdk.App(context=context, outdir=str(outdir))
    stacks = cdk_app.build(app, assets)
    assembly = app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    by_kind = {stack.stack_name.rsplit("-", 1)[-1]: stack for stack in stacks}
    return Synthesized(outdir, by_kind, {kind: with_nested(stack) for kind, stack in by_kind.items()}, assembly)


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    """A template's resources of one type, by logical id."""
    return {logical_id: dict(resource) for logical_id, resource in template.find_resources(kind).items()}


def properties(template: Template, kind: str) -> list[dict[str, Any]]:
    return [resource.get("Properties", {}) for resource in resources(template, kind).values()]


def all_functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Every portal function's properties by its name (the api's nested stacks included)."""
    found = {}
    for kind in ("api", "workflows"):
        for function in properties(synthesized.templates[kind], "AWS::Lambda::Function"):
            found[function["FunctionName"]] = function
    return found


@pytest.fixture(scope="session")
def assets() -> LambdaAssets:
    build_code()
    build_layer()  # from the wheelhouse `make install` filled; a no-op when the pins are unchanged
    return lambda_assets()


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory, assets: LambdaAssets) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out-dev"), {"stage": "dev"}, assets)


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory, assets: LambdaAssets) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out-prod"), {"stage": "prod"}, assets)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory, assets: LambdaAssets) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out-pipeline"), PIPELINE_CONTEXT, assets)


@pytest.fixture(scope="session")
def templates(dev: Synthesized) -> dict[str, Template]:
    return dev.templates
