"""Blue-green releases of the portal's functions through CodeDeploy.

Every route, consumer and state-machine task is called through its `live` alias, never its
unqualified ARN: API Gateway's integrations, the queues' event source mappings and the state
machines' Task states all name the alias. A deployment publishes a new version and CodeDeploy
moves the alias onto it - in production 10 % of calls for 5 minutes, then all (canary); elsewhere
at once - and moves it back when the function's release alarms fire while it shifts: any error
of the alias, or its p99 duration above 80 % of the function's timeout.

The Temporal workers are not released this way: Temporal Cloud invokes the Lambda version of
each worker build id it routes tasks to, and a new build id's share of new workflows is ramped
in Temporal (worker versioning), which keeps running workflows on the code they started with.
An alias shifting under Temporal would mix two builds within one workflow (README: blue-green
releases)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

LIVE_ALIAS = "live"
# The release alarms: any error while traffic shifts, or a p99 close to the timeout.
ERRORS_THRESHOLD = 1
LATENCY_SHARE_OF_TIMEOUT = 0.8
ALARM_PERIOD = Duration.minutes(1)


class Releases(Construct):
    """One CodeDeploy application, its service role and deployment configuration, for the
    functions of one stack; `release(...)` gives a function its alias, alarms and deployment group."""

    def __init__(self, scope: Construct, construct_id: str, *, application_name: str, production: bool) -> None:
        super().__init__(scope, construct_id)
        self.production = production
        self.application = codedeploy.LambdaApplication(self, "Application", application_name=application_name)
        self.role = iam.Role(
            self,
            "DeployRole",
            assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
            description=f"{application_name}: CodeDeploy shifts the functions' live aliases",
        )
        self.config = (
            codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES
            if production
            else codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE
        )

    def release(
        self, scope: Construct, function: lambda_.Function, *, name: str, timeout_seconds: int
    ) -> lambda_.Alias:
        alias = lambda_.Alias(scope, "Live", alias_name=LIVE_ALIAS, version=function.current_version)
        errors = cloudwatch.Alarm(
            scope,
            "ReleaseErrors",
            alarm_name=f"{name}-release-errors",
            alarm_description=f"{name}:{LIVE_ALIAS} raised an error: a release in progress rolls back",
            metric=alias.metric_errors(period=ALARM_PERIOD, statistic="Sum"),
            threshold=ERRORS_THRESHOLD,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        latency = cloudwatch.Alarm(
            scope,
            "ReleaseLatency",
            alarm_name=f"{name}-release-latency",
            alarm_description=(
                f"{name}:{LIVE_ALIAS} p99 duration above {int(LATENCY_SHARE_OF_TIMEOUT * 100)} % of its "
                f"{timeout_seconds} s timeout for 2 minutes: a release in progress rolls back"
            ),
            metric=alias.metric_duration(period=ALARM_PERIOD, statistic="p99"),
            threshold=timeout_seconds * 1000 * LATENCY_SHARE_OF_TIMEOUT,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=2,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        codedeploy.LambdaDeploymentGroup(
            scope,
            "Release",
            application=self.application,
            deployment_group_name=name,
            alias=alias,
            deployment_config=self.config,
            alarms=[errors, latency],
            role=self.role,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        return alias
