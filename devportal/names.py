"""Resource names, in one place, for both worlds.

The CDK stacks and the local runtime derive every table, bucket, bus, queue and topic name from a
`ResourceNames` value; functions never compute names themselves, they read them from their
settings (environment), which the stacks or the local runtime fill in from here.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "devportal"
TASK_QUEUE_REGISTRATION = "devportal-registration"
TASK_QUEUE_ANALYTICS = "devportal-analytics"
TASK_QUEUE_TESTING = "devportal-testing"

# Temporal search attributes every registration workflow carries (all Keyword).
SEARCH_ATTRIBUTES = ("ApiId", "ApiVersion", "Owner", "Step")


@dataclass(frozen=True)
class ResourceNames:
    prefix: str = DEFAULT_PREFIX

    @property
    def table(self) -> str:
        return f"{self.prefix}-table"

    @property
    def specs_bucket(self) -> str:
        return f"{self.prefix}-specs"

    @property
    def docs_bucket(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def event_bus(self) -> str:
        return f"{self.prefix}-bus"

    def queue(self, consumer: str) -> str:
        return f"{self.prefix}-{consumer}"

    def dead_letter_queue(self, consumer: str) -> str:
        return f"{self.prefix}-{consumer}-dlq"

    def topic(self, detail_type: str) -> str:
        return f"{self.prefix}-{detail_type}"

    def rule(self, detail_type: str) -> str:
        return f"{self.prefix}-{detail_type}"

    @property
    def test_credentials_prefix(self) -> str:
        """Secrets Manager names under which teams keep their test targets' credentials
        (`devportal/test-credentials/<name>`); contract tests read nothing else."""
        return f"{self.prefix}/test-credentials/"

    @property
    def parameters_path(self) -> str:
        """Where the runtime-tunable settings live in SSM Parameter Store (devportal.settings.TUNABLE)."""
        return f"/{self.prefix}/settings"

    @property
    def webhook_secrets_prefix(self) -> str:
        """Secrets Manager names of webhook subscriptions' signing secrets (`<prefix>/webhook-secrets/<sub>`)."""
        return f"{self.prefix}/webhook-secrets/"

    def state_machine(self, name: str) -> str:
        """A Step Functions state machine from state_machines/<name>.asl.json."""
        return f"{self.prefix}-{name}"

    @property
    def failed_deliveries_queue(self) -> str:
        """Where the notification state machine puts the events it could not deliver (for a redrive)."""
        return f"{self.prefix}-notify-failed"

    @property
    def portal_url_parameter(self) -> str:
        """The SSM parameter holding where people open the portal (links in mail)."""
        return f"/{self.prefix}/portal-url"

    @property
    def mail_configuration_set(self) -> str:
        return f"{self.prefix}-mail"

    def fanout_queue(self, detail_type: str) -> str:
        """Local-only SQS stand-in for an EventBridge -> SNS target, which moto cannot deliver."""
        return f"{self.prefix}-{detail_type}-to-sns"
