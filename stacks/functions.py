"""Every Lambda function of the portal, what it may touch, and how it is built.

`FUNCTIONS` is the one list: route functions come from the gateway contract, consumers from the
event catalog, plus the Temporal worker. Each names the AWS actions it performs per resource; the
stacks grant exactly those (and derive the function's DEVPORTAL_* settings from the same
resources), and tests/infra/test_least_privilege.py records the calls each handler really makes
against moto and fails when the two differ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from contracts import gateway_routes
from devportal.adapters.dynamodb import INDEXES
from devportal.names import TASK_QUEUE_REGISTRATION, ResourceNames
from events.catalog import CONSUMERS
from stacks.data_stack import object_arn
from stacks.packaging import LambdaAssets

Resource = Literal["table", "specs", "docs", "bus", "temporal-secret", "user-pool"]

# The setting (environment variable) a function needs to reach each resource.
RESOURCE_SETTINGS: dict[Resource, str] = {
    "table": "DEVPORTAL_TABLE_NAME",
    "specs": "DEVPORTAL_SPECS_BUCKET",
    "docs": "DEVPORTAL_DOCS_BUCKET",
    "bus": "DEVPORTAL_EVENT_BUS_NAME",
    "temporal-secret": "DEVPORTAL_TEMPORAL_SECRET_ARN",
    "user-pool": "DEVPORTAL_USER_POOL_ID",
}
# What Lambda itself needs besides the handler's calls: X-Ray segments (no resource-level
# permissions exist for these two) and, for consumers, the event source mapping's SQS calls.
TRACING_ACTIONS = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})
LOG_ACTIONS = frozenset({"logs:CreateLogStream", "logs:PutLogEvents"})
EVENT_SOURCE_ACTIONS = frozenset({"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"})

READ_TABLE = ("dynamodb:GetItem",)
QUERY_TABLE = ("dynamodb:Query",)
WRITE_VERSION = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # the function's short name; its AWS name is `{prefix}-{name}`
    handler: str  # "package.module:function"
    description: str
    kind: Literal["route", "consumer", "worker"]
    access: Mapping[Resource, tuple[str, ...]]
    timeout_seconds: int = 10
    memory_mb: int = 512
    environment: Mapping[str, str] = field(default_factory=dict)
    # Reads the user pool's id and the portal client's id: the identity routes, which call
    # Cognito's public sign-in API (no IAM) and verify the tokens it returns.
    needs_user_pool: bool = False

    @property
    def lambda_handler(self) -> str:
        return self.handler.replace(":", ".")

    def function_name(self, names: ResourceNames) -> str:
        return f"{names.prefix}-{self.name}"


_ROUTE_ACCESS: dict[str, dict[Resource, tuple[str, ...]]] = {
    "submit_spec": {
        "table": ("dynamodb:GetItem", "dynamodb:PutItem"),
        "specs": ("s3:PutObject",),
        "bus": ("events:PutEvents",),
    },
    "list_apis": {"table": QUERY_TABLE},
    "get_api": {"table": ("dynamodb:GetItem", "dynamodb:Query")},
    "get_api_version": {"table": READ_TABLE},
    "get_api_docs": {"table": READ_TABLE, "docs": ("s3:GetObject",)},
    "get_submission": {"table": READ_TABLE},
    # the profile; the failed-sign-in counter (read, count, clear on success); UserSignedIn
    "login": {
        "table": ("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:UpdateItem"),
        "bus": ("events:PutEvents",),
    },
    "refresh_tokens": {},
    "logout": {},
    "get_me": {"table": READ_TABLE},
    "create_api_key": {"table": ("dynamodb:PutItem",)},
    "list_api_keys": {"table": QUERY_TABLE},
    "rotate_api_key": {"table": ("dynamodb:PutItem", "dynamodb:Query")},
    "revoke_api_key": {"table": ("dynamodb:PutItem", "dynamodb:Query")},
    "invite_user": {
        "table": ("dynamodb:PutItem",),
        "user-pool": (
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminSetUserPassword",
        ),
    },
}
_USER_POOL_ROUTES = {"login", "refresh_tokens", "logout", "invite_user"}
_CONSUMER_ACCESS: dict[str, dict[Resource, tuple[str, ...]]] = {
    "start-registration": {"temporal-secret": ("secretsmanager:GetSecretValue",)},
    "track-submission": {"table": ("dynamodb:UpdateItem",)},
    "update-catalog": {"table": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")},
    "record-sign-in": {"table": ("dynamodb:UpdateItem",)},
}


def _functions() -> tuple[FunctionSpec, ...]:
    routes = {route.function: route for route in gateway_routes()}
    specs = [
        FunctionSpec(
            name=route.function.replace("_", "-"),
            handler=route.handler,
            description=f"{route.method} {route.path} ({route.operation_id})",
            kind="route",
            access=_ROUTE_ACCESS[route.function],
            memory_mb=1024 if route.function == "submit_spec" else 512,
            timeout_seconds=29 if route.function == "submit_spec" else 10,
            needs_user_pool=route.function in _USER_POOL_ROUTES,
        )
        for route in routes.values()
    ]
    specs += [
        FunctionSpec(
            name=consumer.name,
            handler=consumer.handler,
            description=consumer.description,
            kind="consumer",
            access=_CONSUMER_ACCESS[consumer.name],
            timeout_seconds=consumer.timeout_seconds,
            environment=(
                {"DEVPORTAL_REGISTRATION_TASK_QUEUE": TASK_QUEUE_REGISTRATION}
                if consumer.kind == "workflow-start"
                else {}
            ),
        )
        for consumer in CONSUMERS.values()
    ]
    specs.append(
        FunctionSpec(
            name="registration-worker",
            handler="temporal_bridge.lambda_worker:handler",
            description="Temporal worker for ApiRegistrationWorkflow, invoked by Temporal Cloud (serverless worker)",
            kind="worker",
            access={
                "table": WRITE_VERSION,
                "specs": ("s3:GetObject", "s3:PutObject"),
                "docs": ("s3:PutObject", "s3:DeleteObject"),
                "bus": ("events:PutEvents",),
                "temporal-secret": ("secretsmanager:GetSecretValue",),
            },
            timeout_seconds=600,
            memory_mb=2048,
            environment={"DEVPORTAL_REGISTRATION_TASK_QUEUE": TASK_QUEUE_REGISTRATION},
        )
    )
    return tuple(specs)


FUNCTIONS: tuple[FunctionSpec, ...] = _functions()


def function_spec(name: str) -> FunctionSpec:
    return next(spec for spec in FUNCTIONS if spec.name == name)


def powertools_environment(names: ResourceNames, spec: FunctionSpec) -> dict[str, str]:
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
    """How a function reaches one resource: the value of its DEVPORTAL_* setting, the ARNs its
    actions apply to, and what a call needs beyond its own action (kms:Decrypt for a secret under
    the portal's key)."""

    setting: str
    arns: tuple[str, ...]
    implied: tuple[iam.PolicyStatement, ...] = ()


@dataclass(frozen=True)
class Runtime:
    """The code and dependency layer every function in one stack shares."""

    code: lambda_.Code
    build_id: str
    layer: lambda_.ILayerVersion
    log_retention: logs.RetentionDays
    removal: RemovalPolicy


class PortalFunction(Construct):
    """One function: its own role (no managed policies), its own log group, X-Ray on, Powertools
    configured through the environment, and grants for exactly the actions its spec names."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        names: ResourceNames,
        runtime: Runtime,
        bindings: Mapping[Resource, Binding],
        extra_environment: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.names = names
        function_name = spec.function_name(names)
        self.log_group = logs.LogGroup(
            self, "Logs", log_group_name=f"/aws/lambda/{function_name}", retention=runtime.log_retention,
            removal_policy=runtime.removal,
        )  # fmt: skip
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_name}: {spec.description}"[:1000],
        )
        environment = dict(powertools_environment(names, spec))
        environment.update(spec.environment)
        for resource in spec.access:
            environment[RESOURCE_SETTINGS[resource]] = bindings[resource].setting
        environment.update(extra_environment or {})
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=spec.description[:256],
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.lambda_handler,
            code=runtime.code,
            layers=[runtime.layer],
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            environment=environment,
        )
        self.log_group.grant_write(self.role)
        for resource, actions in spec.access.items():
            binding = bindings[resource]
            self.role.add_to_principal_policy(
                iam.PolicyStatement(actions=sorted(actions), resources=list(binding.arns))
            )
            for statement in binding.implied:
                self.role.add_to_principal_policy(statement)


def shared_runtime(scope: Construct, assets: LambdaAssets, *, production: bool) -> Runtime:
    return Runtime(
        code=lambda_.Code.from_asset(str(assets.code)),
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
) -> dict[Resource, Binding]:
    return {
        "user-pool": Binding(user_pool.user_pool_id, (user_pool.user_pool_arn,)),
        "table": Binding(
            table.table_name, (table.table_arn, *(f"{table.table_arn}/index/{index}" for index in INDEXES))
        ),
        "specs": Binding(specs_bucket, (object_arn(specs_bucket),)),
        "docs": Binding(docs_bucket, (object_arn(docs_bucket),)),
        "bus": Binding(bus.event_bus_name, (bus.event_bus_arn,)),
        "temporal-secret": Binding(
            secret.secret_arn,
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
