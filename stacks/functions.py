"""Lambda functions in CDK: one `PortalFunction` per declaration (functions/<folder>/function.py).

Each declaration names the AWS actions its handler performs per resource; the stacks grant
exactly those on the resources' ARNs (and derive the function's DEVPORTAL_* settings from the same
resources), and tests/integration/test_least_privilege.py records the calls each handler really
makes against moto and fails when the two differ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from devportal.names import ResourceNames
from devportal.tables import INDEXES
from functions.declaration import RESOURCE_SETTINGS, Function, Resource
from stacks.data_stack import object_arn, parameters_arn
from stacks.network_stack import NetworkStack, network_actions
from stacks.packaging import LambdaAssets
from stacks.release import Releases

# What Lambda itself needs besides the handler's calls: X-Ray segments (no resource-level
# permissions exist for these two) and, for consumers, the event source mapping's SQS calls.
TRACING_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})
LOG_ACTIONS = frozenset({"logs:CreateLogStream", "logs:PutLogEvents"})
EVENT_SOURCE_ACTIONS = frozenset({"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"})


def powertools_environment(names: ResourceNames, spec: Function) -> dict[str, str]:
    return {
        "POWERTOOLS_SERVICE_NAME": spec.name,
        "POWERTOOLS_METRICS_NAMESPACE": "DevPortal",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "POWERTOOLS_TRACER_CAPTURE_ERROR": "true",
        "DEVPORTAL_STAGE": names.prefix,
    }


@dataclass(frozen=True)
class Binding:
    """How a function reaches one resource: the values of its DEVPORTAL_* settings (in the order of
    RESOURCE_SETTINGS), the ARNs its actions apply to, and what a call needs beyond its own action
    (kms:Decrypt for a secret under the portal's key)."""

    values: tuple[str, ...]
    arns: tuple[str, ...]
    implied: tuple[iam.PolicyStatement, ...] = ()

    def settings(self, resource: Resource) -> dict[str, str]:
        names = RESOURCE_SETTINGS[resource]
        if len(names) != len(self.values):
            raise ValueError(f"{resource} is reached through {', '.join(names)}: one value each")
        return dict(zip(names, self.values, strict=True))


@dataclass(frozen=True)
class Notifications:
    """What functions that tell teams reach, named before the stacks that create them exist (the
    state machine in the workflows stack, the portal's address in the web stack), so that no stack
    waits on another for a name."""

    state_machine_arn: str
    webhook_secrets_prefix: str
    mail_from: str
    identity_arn: str
    configuration_set: str
    configuration_set_arn: str
    portal_url_parameter: str

    @classmethod
    def of(cls, names: ResourceNames, mail_from: str) -> Notifications:
        return cls(
            state_machine_arn=regional_arn("states", f"stateMachine:{names.state_machine('notify')}"),
            webhook_secrets_prefix=names.webhook_secrets_prefix,
            mail_from=mail_from,
            identity_arn=regional_arn("ses", f"identity/{mail_domain(mail_from)}"),
            configuration_set=names.mail_configuration_set,
            configuration_set_arn=regional_arn("ses", f"configuration-set/{names.mail_configuration_set}"),
            portal_url_parameter=names.portal_url_parameter,
        )


def regional_arn(service: str, resource: str) -> str:
    return f"arn:{Aws.PARTITION}:{service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource}"


def mail_domain(mail_from: str) -> str:
    return mail_from.rsplit("@", 1)[1]


@dataclass(frozen=True)
class Runtime:
    """The code and dependency layer every function in one stack (and its nested stacks) shares."""

    code_path: str
    build_id: str
    layer: lambda_.ILayerVersion
    log_retention: logs.RetentionDays
    removal: RemovalPolicy
    _codes: dict[str, lambda_.Code] = field(default_factory=dict, compare=False, repr=False)

    def code(self, scope: Construct) -> lambda_.Code:
        """The code asset, one instance per (nested) stack as CDK requires."""
        path = Stack.of(scope).node.path
        if path not in self._codes:
            self._codes[path] = lambda_.Code.from_asset(self.code_path)
        return self._codes[path]


class PortalFunction(Construct):
    """One function: its own role (no managed policies), its own log group, X-Ray on, Powertools
    configured through the environment, and grants for exactly the actions its spec names. With a
    network, it runs in the VPC where its declaration places it (stacks.network_stack); with
    releases, callers reach it through `target`, its live alias (stacks.release)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: Function,
        names: ResourceNames,
        runtime: Runtime,
        bindings: Mapping[Resource, Binding],
        description: str | None = None,
        extra_environment: Mapping[str, str] | None = None,
        network: NetworkStack | None = None,
        releases: Releases | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.names = names
        function_name = spec.function_name(names)
        description = description or spec.description
        self.log_group = logs.LogGroup(
            self, "Logs", log_group_name=f"/aws/lambda/{function_name}", retention=runtime.log_retention,
            removal_policy=runtime.removal,
        )  # fmt: skip
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: {description}"[:1000],
        )
        environment = dict(powertools_environment(names, spec))
        environment.update(spec.environment)
        for resource in spec.access:
            environment.update(bindings[resource].settings(resource))
        environment.update(extra_environment or {})
        placement = network.placement(spec) if network is not None else None
        if placement is not None:
            # Lambda attaches the function to the VPC with the role's EC2 permissions: granted
            # before the function is made (the role's policy is a dependency of the function).
            self.role.add_to_principal_policy(network_actions())
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=description[:256],
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.lambda_handler,
            code=runtime.code(self),
            layers=[runtime.layer],
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            environment=environment,
            vpc=placement.vpc if placement else None,
            vpc_subnets=placement.subnets if placement else None,
            security_groups=list(placement.security_groups) if placement else None,
        )
        self.log_group.grant_write(self.role)
        # What calls it: the live alias CodeDeploy shifts between versions, or the function itself.
        self.target: lambda_.IFunction = self.function
        if releases is not None:
            self.target = releases.release(
                self, self.function, name=function_name, timeout_seconds=spec.timeout_seconds
            )
        for resource, actions in spec.access.items():
            binding = bindings[resource]
            if not actions:
                continue  # reached through a public API (Cognito sign-in): settings only
            self.role.add_to_principal_policy(
                iam.PolicyStatement(actions=sorted(actions), resources=list(binding.arns))
            )
            for statement in binding.implied:
                self.role.add_to_principal_policy(statement)


def shared_runtime(scope: Construct, assets: LambdaAssets, *, production: bool) -> Runtime:
    return Runtime(
        code_path=str(assets.code),
        build_id=assets.build_id,
        layer=lambda_.LayerVersion(
            scope,
            "Dependencies",
            code=lambda_.Code.from_asset(str(assets.layer)),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description="devportal runtime dependencies (pyproject.toml, pinned by constraints.txt)",
            removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
        ),
        log_retention=logs.RetentionDays.ONE_YEAR if production else logs.RetentionDays.ONE_MONTH,
        removal=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
    )


def bindings(
    *,
    table: dynamodb.ITableV2,
    specs_bucket: str,
    docs_bucket: str,
    bus: events.IEventBus,
    secret: secretsmanager.ISecret,
    key: kms.IKey,
    user_pool: cognito.IUserPool,
    user_pool_client_id: str,
    parameters_path: str,
    test_credentials_prefix: str,
    notifications: Notifications,
) -> dict[Resource, Binding]:
    return {
        "webhook-secrets": Binding(
            (notifications.webhook_secrets_prefix,),
            (
                f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:"
                f"{notifications.webhook_secrets_prefix}*",
            ),
        ),
        "notifications": Binding((notifications.state_machine_arn,), (notifications.state_machine_arn,)),
        "mail": Binding(
            (notifications.mail_from, notifications.configuration_set),
            (notifications.identity_arn, notifications.configuration_set_arn),
        ),
        "portal-url": Binding(
            (notifications.portal_url_parameter,), (parameters_arn(notifications.portal_url_parameter),)
        ),
        "test-credentials": Binding(
            (test_credentials_prefix,),
            (f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{test_credentials_prefix}*",),
        ),
        "parameters": Binding((parameters_path,), (parameters_arn(parameters_path),)),
        "user-pool": Binding((user_pool.user_pool_id, user_pool_client_id), (user_pool.user_pool_arn,)),
        "table": Binding(
            (table.table_name,), (table.table_arn, *(f"{table.table_arn}/index/{index}" for index in INDEXES))
        ),
        "specs": Binding((specs_bucket,), (object_arn(specs_bucket),)),
        "docs": Binding((docs_bucket,), (object_arn(docs_bucket),)),
        "bus": Binding((bus.event_bus_name,), (bus.event_bus_arn,)),
        "temporal-secret": Binding(
            (secret.secret_arn,),
            (secret.secret_arn,),
            implied=(
                iam.PolicyStatement(
                    actions=["kms:Decrypt"],
                    resources=[key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
                ),
            ),
        ),
    }
