"""Everything that reacts to events: one Lambda per catalog consumer (the Temporal bridge among
them) fed by its queue, the Temporal registration worker as a serverless worker Lambda, the role
Temporal Cloud assumes to invoke it, and the Step Functions state machines in state_machines/ with
the functions their Task states invoke; the SES identity and configuration set mail goes out by."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from devportal.names import ResourceNames
from functions import state_machines as machines
from functions.catalog import tasks, workers
from functions.declaration import Resource
from functions.topology import routing
from stacks.functions import Binding, Notifications, PortalFunction, mail_domain, shared_runtime
from stacks.network_stack import NetworkStack
from stacks.packaging import LambdaAssets
from stacks.release import Releases

STATE_MACHINES_DIR = Path(__file__).resolve().parent.parent / "state_machines"


@dataclass(frozen=True)
class TemporalInvoker:
    """Who may invoke the worker: Temporal Cloud's invoker roles (shown on the Create Worker
    Deployment page of the Temporal Cloud UI) and the external id agreed with it."""

    principals: tuple[str, ...]
    external_id: str

    @classmethod
    def from_context(cls, principals: object, external_id: object) -> TemporalInvoker | None:
        if not principals and not external_id:
            return None
        if not isinstance(principals, list) or not principals or not all(isinstance(p, str) for p in principals):
            raise ValueError('context "temporalInvokerPrincipals" must be a list of IAM role ARNs')
        if not isinstance(external_id, str) or not 5 <= len(external_id) <= 45:
            raise ValueError('context "temporalExternalId" must be a string of 5 to 45 characters')
        return cls(tuple(principals), external_id)


def state_machine_files(directory: Path = STATE_MACHINES_DIR) -> list[Path]:
    return sorted(directory.glob("*.asl.json"))


class WorkflowsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        assets: LambdaAssets,
        production: bool,
        bindings: Mapping[Resource, Binding],
        queues: Mapping[str, sqs.IQueue],
        invoker: TemporalInvoker | None,
        notifications: Notifications | None = None,
        failed_deliveries: sqs.IQueue | None = None,
        state_machine_substitutions: Mapping[str, str] | None = None,
        state_machines: Sequence[Path] | None = None,
        network: NetworkStack | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        runtime = shared_runtime(self, assets, production=production)
        releases = Releases(self, "Releases", application_name=f"{names.prefix}-workflows", production=production)
        self.functions: dict[str, PortalFunction] = {}
        for planned in routing(names).queues:
            spec = planned.consumer
            function = PortalFunction(
                self, f"Fn-{spec.name}", spec=spec, names=names, runtime=runtime, bindings=bindings,
                network=network, releases=releases,
            )  # fmt: skip
            queue = queues[planned.name]
            # The mapping's own SQS calls, and nothing more (SqsEventSource would also grant
            # ChangeMessageVisibility and GetQueueUrl, which Lambda's poller does not use).
            queue.grant(function.role, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
            lambda_.EventSourceMapping(
                self,
                f"Esm-{spec.name}",
                target=function.target,
                event_source_arn=queue.queue_arn,
                batch_size=planned.settings.batch_size,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
            self.functions[spec.name] = function

        # The Temporal workers (registration, analytics, testing): one Lambda version per build id
        # each, as Temporal's serverless workers expect; Temporal's worker versioning releases them,
        # not CodeDeploy (stacks.release).
        self.workers: dict[str, PortalFunction] = {}
        self.worker_versions: dict[str, lambda_.IVersion] = {}
        for worker_spec in workers():
            worker = PortalFunction(
                self,
                f"Fn-{worker_spec.name}",
                spec=worker_spec,
                names=names,
                runtime=runtime,
                bindings=bindings,
                extra_environment={"DEVPORTAL_BUILD_ID": runtime.build_id},
                network=network,
            )
            self.functions[worker_spec.name] = self.workers[worker_spec.name] = worker
            self.worker_versions[worker_spec.name] = worker.function.current_version
            label = "".join(part.title() for part in worker_spec.name.split("-"))
            CfnOutput(self, f"{label}VersionArn", value=worker.function.current_version.function_arn)
        self.worker = self.workers["registration-worker"]
        self.worker_version = self.worker_versions["registration-worker"]
        CfnOutput(self, "WorkerBuildId", value=runtime.build_id)
        if invoker is not None:
            self.invoker_role = iam.Role(
                self,
                "TemporalCloudInvoker",
                description="Assumed by Temporal Cloud to invoke the Temporal workers (serverless workers)",
                assumed_by=iam.CompositePrincipal(*(iam.ArnPrincipal(arn) for arn in invoker.principals)),
                external_ids=[invoker.external_id],
                max_session_duration=Duration.hours(1),
            )
            self.invoker_role.add_to_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction", "lambda:GetFunction"],
                    # Each worker and the version of this build: the build id Temporal routes to.
                    resources=[
                        arn
                        for name, worker in self.workers.items()
                        for arn in (worker.function.function_arn, self.worker_versions[name].function_arn)
                    ],
                )
            )
            CfnOutput(self, "TemporalInvokerRoleArn", value=self.invoker_role.role_arn)

        # The functions state machines invoke as Task states (rendering, a webhook's POST, the outcome)
        self.tasks: dict[str, PortalFunction] = {}
        for task_spec in tasks():
            task = PortalFunction(self, f"Fn-{task_spec.name}", spec=task_spec, names=names, runtime=runtime,
                                  bindings=bindings, network=network, releases=releases)  # fmt: skip
            self.functions[task_spec.name] = self.tasks[task_spec.name] = task

        # Mail: the sender's domain as an SES identity (DKIM records to publish are in its outputs),
        # and the configuration set every message goes through (reputation metrics, suppression).
        self.mail_identity: ses.EmailIdentity | None = None
        if notifications is not None:
            self.mail_identity = ses.EmailIdentity(
                self, "MailIdentity", identity=ses.Identity.domain(mail_domain(notifications.mail_from))
            )
            self.configuration_set = ses.ConfigurationSet(
                self,
                "MailConfigurationSet",
                configuration_set_name=notifications.configuration_set,
                reputation_metrics=True,
                suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
                tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            )

        self.state_machines: dict[str, sfn.StateMachine] = {}
        for path in state_machines if state_machines is not None else state_machine_files():
            name = path.name.removesuffix(".asl.json")
            substitutions = dict(state_machine_substitutions or {})
            if state_machine_substitutions is None:
                assert failed_deliveries is not None, "the notify state machine needs its failed-deliveries queue"
                substitutions = machines.substitutions(
                    name, names, lambda f: self.tasks[f.name].target.function_arn, failed_deliveries.queue_url
                )
            log_group = logs.LogGroup(
                self,
                f"SfnLogs-{name}",
                log_group_name=f"/aws/vendedlogs/states/{names.prefix}-{name}",
                retention=runtime.log_retention,
                removal_policy=runtime.removal,
            )
            self.state_machines[name] = sfn.StateMachine(
                self,
                f"StateMachine-{name}",
                state_machine_name=f"{names.prefix}-{name}",
                state_machine_type=sfn.StateMachineType.STANDARD,
                # Inlined, not uploaded as an asset: cfn-lint and cdk-nag read the definition.
                definition_body=sfn.DefinitionBody.from_string(json.dumps(json.loads(path.read_text("utf-8")))),
                definition_substitutions=substitutions,
                tracing_enabled=True,
                logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            )
            machine = self.state_machines[name]
            # What its states call, and nothing else (the definition is a string CDK cannot read).
            invoked = [self.tasks[f.name].target.function_arn for f in tasks(name)]
            if invoked:
                machine.add_to_role_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=invoked))
            if state_machine_substitutions is None and notifications is not None and failed_deliveries is not None:
                machine.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["ses:SendEmail"],
                        resources=[notifications.identity_arn, notifications.configuration_set_arn],
                    )
                )
                machine.add_to_role_policy(
                    iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failed_deliveries.queue_arn])
                )
