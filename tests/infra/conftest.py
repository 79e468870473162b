"""Synthesize the CDK app once per session (offline: no credentials, Docker or network)."""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as cdk_app

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    outdir: Path = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context={"stage": "dev"}, outdir=str(outdir))
    stacks = cdk_app.build(app)
    return {stack.stack_name.removeprefix("devportal-dev-"): Template.from_stack(stack) for stack in stacks}
