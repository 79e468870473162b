"""The CDK app: `cdk synth -c stage=dev|staging|prod`, or `make synth STAGE=...`.

Synthesizes offline: no credentials, no Docker, no network."""

from __future__ import annotations

import os

import aws_cdk as cdk

from devportal.names import ResourceNames
from stacks.data_stack import DataStack
from stacks.events_stack import EventsStack

STAGES = ("dev", "staging", "prod")


def build(app: cdk.App) -> list[cdk.Stack]:
    stage = app.node.try_get_context("stage") or os.environ.get("DEVPORTAL_STAGE") or "dev"
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, got {stage!r}")
    names = ResourceNames(f"devportal-{stage}")
    environment = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    data = DataStack(app, f"devportal-{stage}-data", names=names, production=stage == "prod", env=environment)
    bus = EventsStack(app, f"devportal-{stage}-events", names=names, env=environment)
    for stack in (data, bus):
        cdk.Tags.of(stack).add("project", "devportal")
        cdk.Tags.of(stack).add("stage", stage)
    return [data, bus]


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
