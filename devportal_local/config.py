"""Where the local stack runs: ports, state directory, and the environment every child gets.

The environment is the whole contract between the supervisor and its children: the same
variables a Lambda function would get from the CDK stacks (resource names), plus AWS_ENDPOINT_URL
pointing every boto3 client at moto and TEMPORAL_ADDRESS pointing at the dev server."""

from __future__ import annotations

import json
import secrets
import socket
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from devportal.names import TASK_QUEUE_ANALYTICS, TASK_QUEUE_REGISTRATION, TASK_QUEUE_TESTING, ResourceNames
from devportal.settings import MEBIBYTE

if TYPE_CHECKING:
    from temporalio.client import Client

LOOPBACK = "127.0.0.1"
MAIL_FROM = "notifications@devportal.local"  # the SES identity the local portal sends from
REGION = "us-east-1"
# moto accepts any credentials; these are printed as the demo's AWS credentials.
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - moto's placeholder, not a secret


@dataclass(frozen=True)
class Ports:
    gateway: int = 8080
    moto: int = 5050
    temporal: int = 7233
    temporal_ui: int = 8233
    temporal_http: int = 7243
    temporal_metrics: int = 7253
    lambdas: int = 5051

    def resolved(self) -> Ports:
        """Port 0 means "any free port"; pick them now so every child agrees."""
        chosen = {name: port or free_port() for name, port in asdict(self).items()}
        return Ports(**chosen)

    def busy(self) -> list[tuple[str, int]]:
        return [(name, port) for name, port in asdict(self).items() if port and not port_is_free(port)]


@dataclass(frozen=True)
class LocalConfig:
    state_dir: Path
    ports: Ports = Ports()
    prefix: str = "devportal"
    namespace: str = "default"
    visibility_timeout_seconds: int = 10
    max_spec_bytes: int = 10 * MEBIBYTE
    settings_refresh_seconds: int = 60  # how long a function trusts a tunable it read from SSM

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(self.prefix)

    @property
    def moto_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.moto}"

    @property
    def gateway_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.gateway}"

    @property
    def temporal_address(self) -> str:
        return f"{LOOPBACK}:{self.ports.temporal}"

    @property
    def temporal_ui_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.temporal_ui}"

    async def connect_temporal(self) -> Client:
        """A client of the stack's Temporal dev server, speaking the workers' data converter."""
        from temporalio.client import Client
        from temporalio.contrib.pydantic import pydantic_data_converter

        return await Client.connect(
            self.temporal_address, namespace=self.namespace, data_converter=pydantic_data_converter
        )

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def temporal_db(self) -> Path:
        return self.state_dir / "temporal.db"

    @property
    def aws_state_dir(self) -> Path:
        """Where moto's state is kept between runs (devportal_local.aws_server)."""
        return self.state_dir / "aws"

    def kept_state(self) -> list[Path]:
        """What a restart finds again, and `--fresh` wipes: AWS (moto), Temporal, the demo users."""
        return [self.aws_state_dir, *sorted(self.state_dir.glob("temporal.db*")), self.state_dir / "demo-users.json"]

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    def with_resolved_ports(self) -> LocalConfig:
        return replace(self, ports=self.ports.resolved())

    def client_args(self) -> dict[str, str]:
        """boto3 client arguments that reach this stack's moto."""
        return {
            "endpoint_url": self.moto_url,
            "region_name": REGION,
            "aws_access_key_id": AWS_ACCESS_KEY_ID,
            "aws_secret_access_key": AWS_SECRET_ACCESS_KEY,
        }

    def client(self, service: str) -> Any:
        return boto3.client(service, **self.client_args())  # type: ignore[call-overload]

    def child_env(self) -> dict[str, str]:
        return {
            **aws_environment(self.moto_url, self.names),
            "AWS_REGION": REGION,
            "MOTO_PORT": str(self.ports.moto),
            "DEVPORTAL_LAMBDA_ENDPOINT": f"http://{LOOPBACK}:{self.ports.lambdas}",
            "DEVPORTAL_LAMBDA_PORT": str(self.ports.lambdas),
            "DEVPORTAL_MAIL_OUTBOX_URL": self.moto_url,  # the outbox page: SES in moto keeps what was sent
            "DEVPORTAL_MAX_SPEC_BYTES": str(self.max_spec_bytes),
            "DEVPORTAL_PARAMETERS_MAX_AGE_SECONDS": str(self.settings_refresh_seconds),
            "DEVPORTAL_STATE_DIR": str(self.state_dir),
            "DEVPORTAL_PREFIX": self.prefix,
            "DEVPORTAL_GATEWAY_PORT": str(self.ports.gateway),
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_NAMESPACE": self.namespace,
            "DEVPORTAL_TEMPORAL_UI_URL": f"{self.temporal_ui_url}/namespaces/{self.namespace}",
            "POWERTOOLS_SERVICE_NAME": "devportal",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "POWERTOOLS_METRICS_NAMESPACE": "devportal",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }

    def save(self, pid: int) -> None:
        state = {
            "pid": pid,
            "stateDir": str(self.state_dir),
            "prefix": self.prefix,
            "ports": asdict(self.ports),
            "gatewayUrl": self.gateway_url,
            "temporalUiUrl": self.temporal_ui_url,
            "motoUrl": self.moto_url,
            "temporalAddress": self.temporal_address,
            "namespace": self.namespace,
            "visibilityTimeoutSeconds": self.visibility_timeout_seconds,
            "maxSpecBytes": self.max_spec_bytes,
            "settingsRefreshSeconds": self.settings_refresh_seconds,
        }
        self.state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, state_dir: Path) -> LocalConfig:
        """The configuration of a running `devportal up` in `state_dir`."""
        state = json.loads((state_dir / "state.json").read_text(encoding="utf-8"))
        return cls(
            state_dir=Path(state["stateDir"]),
            ports=Ports(**state["ports"]),  # a state file from before a port was added gets its default
            prefix=state["prefix"],
            namespace=state["namespace"],
            visibility_timeout_seconds=state["visibilityTimeoutSeconds"],
            max_spec_bytes=state["maxSpecBytes"],
            settings_refresh_seconds=state.get("settingsRefreshSeconds", 60),
        )


# Ports handed out for "any free port" come from below the kernel's ephemeral range: a port the
# kernel picked (bind to 0) can be given to some outgoing connection before our child binds it,
# which a busy machine does within the seconds a stack takes to start.
_PICKED_PORTS = (20000, 32000)


def aws_environment(endpoint: str, names: ResourceNames) -> dict[str, str]:
    """What a process needs to reach moto at `endpoint` and find the resources of `names`."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "DEVPORTAL_TABLE_NAME": names.table,
        "DEVPORTAL_SPECS_BUCKET": names.specs_bucket,
        "DEVPORTAL_DOCS_BUCKET": names.docs_bucket,
        "DEVPORTAL_EVENT_BUS_NAME": names.event_bus,
        "DEVPORTAL_REGISTRATION_TASK_QUEUE": TASK_QUEUE_REGISTRATION,
        "DEVPORTAL_ANALYTICS_TASK_QUEUE": TASK_QUEUE_ANALYTICS,
        "DEVPORTAL_PARAMETERS_PATH": names.parameters_path,
        "DEVPORTAL_TESTING_TASK_QUEUE": TASK_QUEUE_TESTING,
        "DEVPORTAL_TEST_CREDENTIALS_PREFIX": names.test_credentials_prefix,
        "DEVPORTAL_WEBHOOK_SECRETS_PREFIX": names.webhook_secrets_prefix,
        "DEVPORTAL_MAIL_FROM": MAIL_FROM,
        "DEVPORTAL_MAIL_CONFIGURATION_SET": names.mail_configuration_set,
        "DEVPORTAL_PORTAL_URL_PARAMETER": names.portal_url_parameter,
        # the services a team tests locally run on this machine
        "DEVPORTAL_TEST_TARGETS_ALLOW_LOOPBACK": "true",
    }


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port nobody listens on, outside the range outgoing connections draw from."""
    low, high = _PICKED_PORTS[0], min(_PICKED_PORTS[1], _ephemeral_low() - 1)
    for _ in range(200):
        port = secrets.SystemRandom().randint(low, high)
        if port_is_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # a crowded range: let the kernel pick
        sock.bind((LOOPBACK, 0))
        fallback: int = sock.getsockname()[1]
        return fallback


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True
