"""Feature branches' own stages, beside the delivery pipeline (which deploys only staging and prod).

- `devportal-branch-deploy` (CodeBuild, on every push to a branch other than the pipeline's):
  the fast checks (lint, unit tests), then `cdk deploy --all -c featureBranch=<branch>` - stacks
  `devportal-<branch stage>-*` with small settings, no VPC and nothing retained or protected from
  deletion (app.py) - then a test developer in the stage's pool and `make test-deployed` against it.
- `devportal-branch-destroy` (CodeBuild): when a pull request from the branch is merged or closed,
  `devportal branch-stage destroy` deletes the branch's stacks; daily, `devportal branch-stage
  reap` deletes the stages nobody deployed to for a week (branches deleted without a pull request).

Neither can touch staging or prod: the stage a branch deploys to is never a fixed stage's
(devportal.names.branch_stage refuses such branches), `destroy` and `reap` skip fixed stages
whatever their tags say, and the projects' roles are denied every action on the fixed stages'
stacks, tables and user pools. Branch stages belong in the pipeline's account and region and are
deployed with the CDK bootstrap's roles, like the pipeline's."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from devportal.names import FIXED_STAGES

BOOTSTRAP_QUALIFIER = "hnb659fds"  # the CDK bootstrap's default qualifier
IDLE_DAYS = 7
DEPLOY_TIMEOUT = Duration.minutes(90)


@dataclass(frozen=True)
class Source:
    repository: str  # owner/name
    connection_arn: str  # an AWS CodeConnections connection to it
    main_branch: str  # the pipeline's branch: never a branch stage


class BranchStages(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: Source,
        key: kms.IKey,
        build_image: codebuild.IBuildImage,
        install: dict[str, object],
    ) -> None:
        super().__init__(scope, construct_id)
        self.source, self.key, self.build_image = source, key, build_image
        self.install = install  # the pipeline's install phase: the same toolchain as its builds
        branch = '"${CODEBUILD_WEBHOOK_HEAD_REF#refs/heads/}"'
        self.deploy = self._project(
            "Deploy",
            name="devportal-branch-deploy",
            description="Deploys a feature branch to its own stage and runs the deployed-stage tests against it",
            on=(codebuild.EventAction.PUSH,),
            commands=[
                f"BRANCH={branch}",
                '.venv/bin/devportal branch-stage name "$BRANCH"',  # refuses a branch named like a fixed stage
                "make lint test-unit",
                "make ui package",
                'node_modules/.bin/cdk deploy --all --require-approval never --no-notices -c featureBranch="$BRANCH"',
                '.venv/bin/devportal branch-stage test-user --branch "$BRANCH" --env-file branch.env',
                "set -a && . ./branch.env && set +a && make test-deployed",
            ],
        )
        self.destroy = self._project(
            "Destroy",
            name="devportal-branch-destroy",
            description="Destroys a feature branch's stage when its pull request closes; daily, idle branch stages",
            on=(codebuild.EventAction.PULL_REQUEST_MERGED, codebuild.EventAction.PULL_REQUEST_CLOSED),
            commands=[
                # a pull request's event names the branch; the daily schedule sets REAP instead
                'if [ -n "$REAP" ]; then .venv/bin/devportal branch-stage reap --idle-days "$REAP"; '
                f"else .venv/bin/devportal branch-stage destroy --branch {branch}; fi",
            ],
        )
        events.Rule(
            self,
            "DailyReap",
            description=f"Destroy branch stages nobody deployed to for {IDLE_DAYS} days",
            schedule=events.Schedule.cron(minute="0", hour="5"),
            targets=[
                targets.CodeBuildProject(
                    self.destroy,
                    event=events.RuleTargetInput.from_object(
                        {
                            "environmentVariablesOverride": [
                                {"name": "REAP", "value": str(IDLE_DAYS), "type": "PLAINTEXT"}
                            ]
                        }
                    ),
                )
            ],
        )
        self._grant_deploy(self.deploy.role)
        self._grant_destroy(self.destroy.role)
        for project in (self.deploy, self.destroy):
            self._deny_fixed_stages(project.role)

    def _project(
        self,
        construct_id: str,
        *,
        name: str,
        description: str,
        on: tuple[codebuild.EventAction, ...],
        commands: list[str],
    ) -> codebuild.Project:
        """A project on the repository, started by GitHub's `on` events for any branch but the pipeline's."""
        owner, repo = self.source.repository.split("/", 1)
        main_ref = f"^refs/heads/{self.source.main_branch}$"
        project = codebuild.Project(
            self,
            construct_id,
            project_name=name,
            description=description,
            source=codebuild.Source.git_hub(
                owner=owner,
                repo=repo,
                webhook=True,
                webhook_filters=[codebuild.FilterGroup.in_event_of(*on).and_head_ref_is_not(main_ref)],
            ),
            encryption_key=self.key,
            timeout=DEPLOY_TIMEOUT,
            environment=codebuild.BuildEnvironment(
                build_image=self.build_image, compute_type=codebuild.ComputeType.MEDIUM
            ),
            logging=codebuild.LoggingOptions(
                cloud_watch=codebuild.CloudWatchLoggingOptions(
                    log_group=logs.LogGroup(self, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH)
                )
            ),
            build_spec=codebuild.BuildSpec.from_object(
                {
                    "version": "0.2",
                    "env": {"shell": "bash"},
                    "phases": {"install": self.install, "build": {"commands": commands}},
                }
            ),
        )
        # The repository through the pipeline's CodeConnections connection (no token in the account).
        cfn = project.node.default_child
        assert isinstance(cfn, codebuild.CfnProject)
        cfn.add_property_override("Source.Auth", {"Type": "CODECONNECTIONS", "Resource": self.source.connection_arn})
        project.add_to_role_policy(
            iam.PolicyStatement(
                actions=["codeconnections:GetConnectionToken", "codeconnections:UseConnection"],
                resources=[self.source.connection_arn],
            )
        )
        return project

    def _grant_deploy(self, role: iam.IRole | None) -> None:
        assert role is not None
        # `cdk deploy` works through the bootstrap's roles (publish assets, deploy, look up).
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=[f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/cdk-{BOOTSTRAP_QUALIFIER}-*"],
            )
        )
        # `branch-stage test-user`: the stage's outputs, its pool's test developer, their profile.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudformation:DescribeStacks"],
                resources=[_stack_arn("devportal-*")],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "cognito-idp:AdminCreateUser",
                    "cognito-idp:AdminSetUserPassword",
                    "cognito-idp:AdminAddUserToGroup",
                    "cognito-idp:AdminDeleteUser",
                ],
                # pools have generated ids; the fixed stages' are denied by their stage tag below
                resources=[f"arn:{Aws.PARTITION}:cognito-idp:{Aws.REGION}:{Aws.ACCOUNT_ID}:userpool/*"],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],
                resources=[f"arn:{Aws.PARTITION}:dynamodb:{Aws.REGION}:{Aws.ACCOUNT_ID}:table/devportal-*-table"],
            )
        )

    def _grant_destroy(self, role: iam.IRole | None) -> None:
        assert role is not None
        # Finding a branch's stacks lists every stack (DescribeStacks without a name is allowed on
        # "*" only); deleting is for the portal's stacks alone (and never the fixed stages', below).
        role.add_to_principal_policy(iam.PolicyStatement(actions=["cloudformation:DescribeStacks"], resources=["*"]))
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["cloudformation:DeleteStack"], resources=[_stack_arn("devportal-*")])
        )
        # CloudFormation deletes with the role the stacks were deployed with (the bootstrap's).
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[
                    f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/"
                    f"cdk-{BOOTSTRAP_QUALIFIER}-cfn-exec-role-{Aws.ACCOUNT_ID}-{Aws.REGION}"
                ],
                conditions={"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
            )
        )

    def _deny_fixed_stages(self, role: iam.IRole | None) -> None:
        assert role is not None
        fixed = list(FIXED_STAGES)
        role.add_to_principal_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["cloudformation:*", "dynamodb:*"],
                resources=[_stack_arn(f"devportal-{stage}-*") for stage in fixed]
                + [
                    f"arn:{Aws.PARTITION}:dynamodb:{Aws.REGION}:{Aws.ACCOUNT_ID}:table/devportal-{stage}-table"
                    for stage in fixed
                ],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["cognito-idp:*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:ResourceTag/stage": list(fixed)}},
            )
        )


def _stack_arn(name: str) -> str:
    return f"arn:{Aws.PARTITION}:cloudformation:{Aws.REGION}:{Aws.ACCOUNT_ID}:stack/{name}/*"
