"""Resource names, in one place, for both worlds.

The CDK stacks and the local runtime derive every table, bucket, bus, queue and topic name from a
`ResourceNames` value; functions never compute names themselves, they read them from their
settings (environment), which the stacks or the local runtime fill in from here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

DEFAULT_PREFIX = "devportal"
# The stages the delivery pipeline deploys; every other stage is a feature branch's.
FIXED_STAGES = ("dev", "staging", "prod")
# A branch stage's name is short enough for every resource name built from it (buckets:
# devportal-<stage>-specs-<account>-<region> within S3's 63 characters).
BRANCH_STAGE_MAX = 19
TASK_QUEUE_REGISTRATION = "devportal-registration"
TASK_QUEUE_ANALYTICS = "devportal-analytics"
TASK_QUEUE_TESTING = "devportal-testing"

# Temporal search attributes every registration workflow carries (all Keyword).
SEARCH_ATTRIBUTES = ("ApiId", "ApiVersion", "Owner", "Step")


def branch_stage(branch: str) -> str:
    """The stage a feature branch deploys to (`devportal-<stage>-*`): the branch's name in
    lowercase letters, digits and hyphens, at most 19 characters (a longer name keeps its first 14
    and 4 characters of its hash), starting with a letter. A branch whose name would be one of the
    fixed stages is refused: a branch never deploys over staging or prod."""
    name = branch.strip().removeprefix("refs/heads/")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError(f"branch {branch!r} has no letters or digits to name a stage after")
    if not slug[0].isalpha():
        slug = f"b-{slug}"
    if len(slug) > BRANCH_STAGE_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:4]
        slug = f"{slug[: BRANCH_STAGE_MAX - 5].rstrip('-')}-{digest}"
    if slug in FIXED_STAGES:
        raise ValueError(
            f"branch {branch!r} would deploy to the {slug} stage, which only the delivery pipeline deploys: "
            "rename the branch"
        )
    return slug


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
