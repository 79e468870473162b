"""What a Lambda function is and may do, declared once, beside its handler.

Every function is one folder, `functions/<folder>/`, holding `handler.py` (the code Lambda runs,
`handler` in it) and `function.py`, whose `FUNCTION` is a `Function`: what triggers it (an
operation of the gateway contract, events of the catalog through its own queue, or a Temporal task
queue), the AWS resources it reaches and the exact IAM actions it calls on each, and how it runs
(memory, timeout, settings). Nothing else lists functions: the CDK stacks, the local gateway and
pollers, the least-privilege checks and the packaging all read these declarations through
`functions.catalog`.

Declarations are plain data and import nothing but the event models they name, so reading them
costs nothing at synth time and never runs handler code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from devportal.names import ResourceNames
from events.envelope import DomainEvent

# What a function can reach. Each resource comes with the settings (environment variables) that
# name it, filled in by the stacks in AWS and by `devportal up` locally.
Resource = Literal[
    "table",
    "specs",
    "docs",
    "bus",
    "temporal-secret",
    "user-pool",
    "parameters",
    "test-credentials",
    "webhook-secrets",
    "notifications",
    "mail",
    "portal-url",
]
RESOURCE_SETTINGS: Mapping[Resource, tuple[str, ...]] = MappingProxyType(
    {
        "table": ("DEVPORTAL_TABLE_NAME",),
        "specs": ("DEVPORTAL_SPECS_BUCKET",),
        "docs": ("DEVPORTAL_DOCS_BUCKET",),
        "bus": ("DEVPORTAL_EVENT_BUS_NAME",),
        "temporal-secret": ("DEVPORTAL_TEMPORAL_SECRET_ARN",),
        # The pool and the portal's app client; a function that only calls Cognito's public
        # sign-in API (no IAM) declares the resource with no actions.
        "user-pool": ("DEVPORTAL_USER_POOL_ID", "DEVPORTAL_USER_POOL_CLIENT_ID"),
        # The runtime-tunable settings (devportal.settings.TUNABLE), read by path from SSM.
        "parameters": ("DEVPORTAL_PARAMETERS_PATH",),
        # Teams' credentials for their contract-test targets: secrets under one name prefix.
        "test-credentials": ("DEVPORTAL_TEST_CREDENTIALS_PREFIX",),
        # Webhook subscriptions' signing secrets: secrets under one name prefix.
        "webhook-secrets": ("DEVPORTAL_WEBHOOK_SECRETS_PREFIX",),
        # The notification state machine (state_machines/notify.asl.json) and its executions.
        "notifications": ("DEVPORTAL_NOTIFY_STATE_MACHINE_ARN",),
        # SES: the sender identity, its configuration set, and the portal's address for links.
        "mail": ("DEVPORTAL_MAIL_FROM", "DEVPORTAL_MAIL_CONFIGURATION_SET"),
        # Where people open the portal (for links in mail): an SSM parameter the web stack writes
        # (the distribution's address is known only once it is deployed); locally, the gateway's.
        "portal-url": ("DEVPORTAL_PORTAL_URL_PARAMETER",),
    }
)

Kind = Literal["route", "consumer", "worker", "task"]


@dataclass(frozen=True)
class Route:
    """Invoked by the gateway for one operation of contracts/gateway.openapi.yaml."""

    operation_id: str


@dataclass(frozen=True)
class Queue:
    """Fed by its own SQS queue (with a dead-letter queue) with the catalog events named, the way
    a Lambda event source mapping feeds it: batches, partial batch failures, a DLQ after
    `max_receive_count` receives."""

    events: tuple[type[DomainEvent], ...]
    batch_size: int = 10
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 60

    def __post_init__(self) -> None:
        if not self.events:
            raise ValueError("a queue-fed function consumes at least one event")

    @property
    def detail_types(self) -> tuple[str, ...]:
        return tuple(event.DETAIL_TYPE for event in self.events)


@dataclass(frozen=True)
class TaskQueue:
    """A Temporal worker, invoked by Temporal Cloud when its task queue has work (a serverless
    worker); locally the same workflows run in the `devportal worker` process."""

    name: str


@dataclass(frozen=True)
class StateMachineTask:
    """A Task state of a Step Functions state machine (state_machines/<state_machine>.asl.json),
    which invokes the function synchronously with the state's input; locally moto's state machine
    reaches it through the local Lambda invoke endpoint."""

    state_machine: str


Trigger = Route | Queue | TaskQueue | StateMachineTask


@dataclass(frozen=True)
class Function:
    description: str
    trigger: Trigger
    access: Mapping[Resource, tuple[str, ...]] = field(default_factory=dict)
    memory_mb: int = 512
    timeout_seconds: int = 10
    # Settings beyond the resources' own (see RESOURCE_SETTINGS), the same in both worlds.
    environment: Mapping[str, str] = field(default_factory=dict)
    # Addresses outside AWS the handler calls, in words ("teams' webhook URLs"); empty for none.
    # In a VPC such a function runs behind NAT (stacks.network_stack), the others cannot get out.
    outbound: str = ""
    # Filled in by functions.catalog from where the declaration lives.
    folder: str = ""

    @property
    def name(self) -> str:
        """The short name; the AWS function is `{prefix}-{name}`."""
        return self.folder.replace("_", "-")

    @property
    def handler(self) -> str:
        """ "package.module:function", as the local runtime loads it."""
        return f"functions.{self.folder}.handler:handler"

    @property
    def lambda_handler(self) -> str:
        return f"functions.{self.folder}.handler.handler"

    @property
    def kind(self) -> Kind:
        if isinstance(self.trigger, Route):
            return "route"
        if isinstance(self.trigger, Queue):
            return "consumer"
        if isinstance(self.trigger, StateMachineTask):
            return "task"
        return "worker"

    def function_name(self, names: ResourceNames) -> str:
        return f"{names.prefix}-{self.name}"

    def actions(self) -> frozenset[tuple[Resource, str]]:
        return frozenset((resource, action) for resource, actions in self.access.items() for action in actions)
