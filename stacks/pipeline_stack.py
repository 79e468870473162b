"""The delivery pipeline (CDK Pipelines): source -> synth (lint, every test tier, package, synth)
-> staging -> end-to-end checks against staging -> manual approval -> prod. It updates itself
when the pipeline's own definition changes. Beside it, the builds that give feature branches
stages of their own (stacks.branch_stages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Stack, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.branch_stages import BranchStages, Source
from stacks.buckets import access_log_bucket, private_bucket

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_CONNECTION = re.compile(r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/.+$")
# The build image, with the Python and Node the code and its tests are written for.
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
RUNTIME_VERSIONS = {"python": "3.11", "nodejs": "20"}
# {"username": ..., "password": ...} of a staging developer (README: delivery pipeline).
E2E_USER_SECRET = "devportal-staging/e2e-user"  # noqa: S105  (a secret name, not a secret)
INSTALL = ["make install"]


@dataclass(frozen=True)
class PipelineSettings:
    repository: str
    branch: str
    connection_arn: str

    @property
    def account(self) -> str:
        """The connection's account and region: where the pipeline lives unless the CLI says otherwise."""
        return self.connection_arn.split(":")[4]

    @property
    def region(self) -> str:
        return self.connection_arn.split(":")[3]

    @classmethod
    def from_context(cls, node: Any) -> PipelineSettings:
        repository = node.try_get_context("repository") or ""
        branch = node.try_get_context("branch") or "main"
        connection_arn = node.try_get_context("connectionArn") or ""
        problems = []
        if not _REPOSITORY.match(repository):
            problems.append('"repository" must be owner/name')
        if not _CONNECTION.match(connection_arn):
            problems.append('"connectionArn" must be the ARN of an AWS CodeConnections connection')
        if problems:
            raise ValueError("pipeline context: " + "; ".join(problems))
        return cls(repository, branch, connection_arn)


class PipelineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: PipelineSettings,
        stage_factory: Callable[[Construct, str], Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        source = pipelines.CodePipelineSource.connection(
            settings.repository, settings.branch, connection_arn=settings.connection_arn
        )
        context = (
            f"-c pipeline=true -c repository={settings.repository} -c branch={settings.branch} "
            f"-c connectionArn={settings.connection_arn}"
        )
        # A customer-managed key for artifacts: CDK Pipelines gives its CodeBuild projects the same key.
        key = kms.Key(self, "ArtifactsKey", enable_key_rotation=True, alias="alias/devportal-pipeline")
        artifacts = private_bucket(
            self,
            "Artifacts",
            access_logs=access_log_bucket(self, "ArtifactAccessLogs", retention_days=90),
            key=key,
            versioned=False,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name="devportal",
            artifact_bucket=artifacts,
            pipeline_type=codepipeline.PipelineType.V2,
            # one CodeBuild project publishes every file asset (each stage's nested stack templates and
            # Lambda code), not one project per asset (forty of them)
            publish_assets_in_parallel=False,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(build_image=BUILD_IMAGE),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {"phases": {"install": {"runtime-versions": RUNTIME_VERSIONS}}}
                ),
            ),
            synth=pipelines.ShellStep(
                "Synth",
                input=source,
                install_commands=INSTALL,
                commands=[
                    "make test",  # lint, types, unit, integration, infra (cdk-nag, cfn-lint), e2e
                    "make ui",  # the portal UI (ui/out) each stage's web stack ships
                    "make package",
                    f"node_modules/.bin/cdk synth --no-notices {context}",
                ],
                primary_output_directory="cdk.out",
            ),
        )
        staging = stage_factory(self, "staging")
        staging_api = staging.stacks["api"]
        self.pipeline.add_stage(
            staging,
            post=[
                pipelines.CodeBuildStep(
                    "EndToEnd",
                    input=source,
                    install_commands=INSTALL,
                    commands=["make test-deployed"],
                    env_from_cfn_outputs={"DEVPORTAL_API_URL": staging_api.url_output},
                    # A staging user an admin created once; its credentials never enter the template.
                    build_environment=codebuild.BuildEnvironment(
                        build_image=BUILD_IMAGE,
                        environment_variables={
                            "DEVPORTAL_TEST_USERNAME": codebuild.BuildEnvironmentVariable(
                                type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
                                value=f"{E2E_USER_SECRET}:username",
                            ),
                            "DEVPORTAL_TEST_PASSWORD": codebuild.BuildEnvironmentVariable(
                                type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
                                value=f"{E2E_USER_SECRET}:password",
                            ),
                        },
                    ),
                )
            ],
        )
        self.pipeline.add_stage(
            stage_factory(self, "prod"),
            pre=[pipelines.ManualApprovalStep("PromoteToProd", comment="Staging passed its end-to-end checks.")],
        )
        # Feature branches deploy to stages of their own, outside this pipeline's stages.
        self.branch_stages = BranchStages(
            self,
            "BranchStages",
            source=Source(settings.repository, settings.connection_arn, settings.branch),
            key=key,
            build_image=BUILD_IMAGE,
            install={"runtime-versions": RUNTIME_VERSIONS, "commands": INSTALL},
        )
        self.pipeline.build_pipeline()  # materialize the library's roles so their findings can be named
