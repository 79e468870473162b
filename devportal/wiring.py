"""The composition root: every adapter and use case a function or activity needs.

`Portal()` builds each piece from the settings (the environment) on first use and keeps it for the
portal's life; `Portal(registry=fake, ...)` hands in replacements instead - fakes in tests, a
client pointed elsewhere - and everything built from them uses them. Nothing is built at import
time, and each piece imports its adapter only when first used, so a function that reads one table
never loads the validator or PyJWT.

A process (a Lambda execution environment, a local poller) has one root: `portal()` returns it,
built on first use; `use(root)` installs another, `reset()` drops it so that the next `portal()`
builds again from the environment as it is then."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypedDict, Unpack

from devportal import settings

if TYPE_CHECKING:
    from devportal.adapters.temporal import TemporalConnection
    from devportal.analytics.aggregate import AggregateUsage, OperationTables
    from devportal.analytics.alerts import CheckHealth
    from devportal.analytics.daily import DailyReports
    from devportal.analytics.health import Thresholds
    from devportal.analytics.ingest import RecordUsage
    from devportal.analytics.overview import HealthOverview
    from devportal.analytics.ports import HealthStore, ReportStore, UsageStore
    from devportal.analytics.ratings import Ratings
    from devportal.analytics.records import TimeWindow
    from devportal.analytics.report import UsageReports
    from devportal.identity.attempts import AttemptLog, Counter, KnownDevices, SignIn
    from devportal.identity.invite import InviteUser
    from devportal.identity.keys import ApiKeys, KeyStore
    from devportal.identity.tokens import TokenVerifier
    from devportal.identity.users import Directory, Profiles
    from devportal.notify.deliver import FinishDelivery, Notify, RenderDelivery, SendWebhook
    from devportal.notify.digest import Digests
    from devportal.notify.manage import Subscriptions
    from devportal.notify.ports import (
        DeliveryStore,
        Executions,
        Mailer,
        Outbox,
        SigningSecrets,
        SubscriptionStore,
        WebhookPoster,
    )
    from devportal.registry.approval import Approvals, DecideApproval
    from devportal.registry.lifecycle import ChangeLifecycle
    from devportal.registry.ports import BlobStore, EventPublisher, RegistryRepository, Rulesets
    from devportal.registry.register import Registrar
    from devportal.registry.submit import SubmitSpec
    from devportal.registry.uploads import Uploads
    from devportal.search.live import LiveIndex
    from devportal.search.ports import SearchDocuments
    from devportal.specs.sandbox import SpecSandbox
    from devportal.testing.execute import ContractTests, Credentials
    from devportal.testing.runs import RequestTestRun, TestRunStore
    from devportal.testing.targets import TargetPolicy

_identity_log = logging.getLogger("devportal.identity")
_tuning_log = logging.getLogger("devportal.settings")


class Tunables(Protocol):
    """Where runtime-tunable settings come from (parameter name -> value, as stored)."""

    def values(self) -> Mapping[str, str]: ...


class _Defaults:
    def values(self) -> Mapping[str, str]:
        return {}


class Overrides(TypedDict, total=False):
    """What a Portal can be handed instead of building it: any port, or a use case whole."""

    registry: RegistryRepository
    specs: BlobStore
    docs: BlobStore
    publisher: EventPublisher
    profiles: Profiles
    attempt_log: AttemptLog
    known_devices: KnownDevices
    key_store: KeyStore
    directory: Directory
    token_verifier: TokenVerifier
    temporal: TemporalConnection
    limits: settings.SpecLimits
    tunables: Tunables
    sign_in: SignIn
    api_keys: ApiKeys
    invite_user: InviteUser
    submit_spec: SubmitSpec
    change_lifecycle: ChangeLifecycle
    registrar: Registrar
    search_documents: SearchDocuments
    catalog_index: LiveIndex
    usage_store: UsageStore
    operation_tables: OperationTables
    aggregate_usage: AggregateUsage
    record_usage: RecordUsage
    usage_reports: UsageReports
    report_store: ReportStore
    daily_reports: DailyReports
    temporal_ui_url: str | None
    test_runs: TestRunStore
    rulesets: Rulesets
    approvals: Approvals
    test_credentials: Credentials
    target_policy: TargetPolicy
    contract_tests: ContractTests
    request_test_run: RequestTestRun
    subscription_store: SubscriptionStore
    delivery_store: DeliveryStore
    executions: Executions
    signing_secrets: SigningSecrets
    mailer: Mailer
    webhook_poster: WebhookPoster
    portal_url: str


class Portal:
    def __init__(self, **overrides: Unpack[Overrides]) -> None:
        unknown = set(overrides) - set(Overrides.__optional_keys__)
        if unknown:
            raise TypeError(f"Portal cannot be given {', '.join(sorted(unknown))}")
        # Each piece is a cached_property: a value already in the instance dict is what it returns.
        self.__dict__.update(overrides)
        self._usage_window: tuple[dict[str, str], TimeWindow] | None = None

    # -- settings ------------------------------------------------------------------------------

    @cached_property
    def limits(self) -> settings.SpecLimits:
        """The limits before tuning: the environment's, or the defaults."""
        return settings.SpecLimits()

    @cached_property
    def tunables(self) -> Tunables:
        configured = settings.ParametersSettings()
        if configured.parameters_path is None:
            return _Defaults()
        from devportal.adapters.parameters import ParameterStoreTunables

        return ParameterStoreTunables(configured.parameters_path, configured.parameters_max_age_seconds)

    def spec_limits(self) -> settings.SpecLimits:
        """The limits now, tuned by whatever Parameter Store says (read at most once a minute)."""
        return settings.tuned(self.limits, self.tunables.values(), _tuning_log.warning)

    def key_rotation_grace(self) -> timedelta:
        keys = settings.tuned(settings.KeySettings(), self.tunables.values(), _tuning_log.warning)
        return timedelta(seconds=keys.key_rotation_grace_seconds)

    @cached_property
    def usage_settings(self) -> settings.UsageSettings:
        """Before tuning: the environment's, or the defaults (read once: a per-delivery read of
        the environment was a tenth of the aggregator's CPU)."""
        return settings.UsageSettings()

    def usage_window(self) -> TimeWindow:
        """Which record timestamps are counted, tuned by Parameter Store; worked out again only
        when the parameters change (validating settings reads the environment: a millisecond a
        delivery otherwise)."""
        from devportal.analytics.records import TimeWindow

        values = dict(self.tunables.values())
        if self._usage_window is not None and self._usage_window[0] == values:
            return self._usage_window[1]
        usage = settings.tuned(self.usage_settings, values, _tuning_log.warning)
        window = TimeWindow(usage.usage_retention_days, usage.usage_clock_skew_seconds)
        self._usage_window = (values, window)
        return window

    def health_defaults(self) -> Thresholds:
        """The health lines of an API whose team set none, tuned by Parameter Store."""
        from devportal.analytics.health import Thresholds

        health = settings.tuned(settings.HealthSettings(), self.tunables.values(), _tuning_log.warning)
        return Thresholds(
            health.health_error_rate, health.health_p99_ms, health.health_traffic_sigma, health.health_min_calls
        )

    @cached_property
    def table_name(self) -> str:
        return settings.TableSettings().table_name

    @cached_property
    def registration_task_queue(self) -> str:
        return settings.TemporalSettings().registration_task_queue

    @cached_property
    def analytics_task_queue(self) -> str:
        return settings.AnalyticsQueueSettings().analytics_task_queue

    @cached_property
    def testing_task_queue(self) -> str:
        return settings.TestingQueueSettings().testing_task_queue

    @cached_property
    def temporal_ui_url(self) -> str | None:
        """The namespace's page in the Temporal Web UI, without a trailing slash."""
        configured = settings.TemporalUiSettings().temporal_ui_url
        return None if configured is None else str(configured).rstrip("/")

    @cached_property
    def identity_settings(self) -> settings.IdentitySettings:
        return settings.IdentitySettings()

    # -- ports ---------------------------------------------------------------------------------

    @cached_property
    def registry(self) -> RegistryRepository:
        from devportal.adapters.registry import DynamoRegistry

        return DynamoRegistry(self.table_name)

    @cached_property
    def specs(self) -> BlobStore:
        from devportal.adapters.s3 import S3BlobStore

        return S3BlobStore(settings.SpecBucketSettings().specs_bucket)

    @cached_property
    def docs(self) -> BlobStore:
        from devportal.adapters.s3 import S3BlobStore

        return S3BlobStore(settings.DocsBucketSettings().docs_bucket)

    @cached_property
    def publisher(self) -> EventPublisher:
        from devportal.adapters.eventbridge import EventBridgePublisher

        return EventBridgePublisher(settings.EventBusSettings().event_bus_name)

    @cached_property
    def profiles(self) -> Profiles:
        from devportal.adapters.profiles import DynamoProfiles

        return DynamoProfiles(self.table_name)

    @cached_property
    def search_documents(self) -> SearchDocuments:
        from devportal.adapters.search import DynamoSearchDocuments

        return DynamoSearchDocuments(self.table_name)

    @cached_property
    def usage_store(self) -> UsageStore:
        from devportal.adapters.usage import DynamoUsageStore

        return DynamoUsageStore(self.table_name, retention_days=self.usage_window().retention_days)

    @cached_property
    def report_store(self) -> ReportStore:
        from devportal.adapters.reports import DynamoReportStore

        return DynamoReportStore(self.table_name)

    @cached_property
    def test_runs(self) -> TestRunStore:
        from devportal.adapters.testruns import DynamoTestRunStore

        return DynamoTestRunStore(self.table_name)

    @cached_property
    def rulesets(self) -> Rulesets:
        from devportal.adapters.rulesets import DynamoRulesets

        return DynamoRulesets(self.table_name)

    @cached_property
    def test_credentials(self) -> Credentials:
        from devportal.adapters.credentials import SecretsManagerCredentials

        return SecretsManagerCredentials(settings.TestCredentialSettings().test_credentials_prefix)

    @cached_property
    def target_settings(self) -> settings.TestTargetSettings:
        return settings.TestTargetSettings()

    @cached_property
    def target_policy(self) -> TargetPolicy:
        from devportal.testing.targets import TargetPolicy

        return TargetPolicy(allow_loopback=self.target_settings.test_targets_allow_loopback)

    @cached_property
    def attempt_log(self) -> AttemptLog:
        from devportal.adapters.profiles import DynamoAttemptLog

        return DynamoAttemptLog(self.table_name)

    @cached_property
    def known_devices(self) -> KnownDevices:
        from devportal.adapters.profiles import DynamoKnownDevices

        return DynamoKnownDevices(self.table_name)

    @cached_property
    def key_store(self) -> KeyStore:
        from devportal.adapters.keys import DynamoKeyStore

        return DynamoKeyStore(self.table_name)

    @cached_property
    def directory(self) -> Directory:
        from devportal.adapters.cognito import CognitoDirectory

        identity = self.identity_settings
        return CognitoDirectory(identity.user_pool_id, identity.user_pool_client_id)

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        from devportal.identity.tokens import JwksCache, TokenVerifier, issuer_for

        identity = self.identity_settings
        issuer = issuer_for(identity.region, identity.user_pool_id)
        return TokenVerifier(
            issuer=issuer,
            client_id=identity.user_pool_client_id,
            jwks=JwksCache(identity.jwks_url or f"{issuer}/.well-known/jwks.json"),
        )

    @cached_property
    def temporal(self) -> TemporalConnection:
        """Temporal, connected through the environment locally and through the Temporal Cloud
        secret (read once, at first use) where one is configured."""
        from devportal.adapters.temporal import TemporalConnection, connect_config

        return TemporalConnection(lambda: connect_config(self.temporal_overrides))

    @cached_property
    def temporal_overrides(self) -> dict[str, str] | None:
        """The Temporal Cloud connection from Secrets Manager; None locally (the environment has it)."""
        secret_id = settings.TemporalCloudSettings().temporal_secret_arn
        if secret_id is None:
            return None
        import boto3

        from devportal.adapters.aws import client_config
        from devportal.adapters.temporal import read_cloud_secret

        return read_cloud_secret(boto3.client("secretsmanager", config=client_config()), secret_id)

    # -- use cases -----------------------------------------------------------------------------

    @cached_property
    def sign_in(self) -> SignIn:
        from devportal.identity.attempts import SignIn

        return SignIn(self.directory, self.attempt_log, self.known_devices, _report_throttled_sign_ins)

    @cached_property
    def api_keys(self) -> ApiKeys:
        from devportal.identity.keys import ApiKeys

        return ApiKeys(self.key_store, self.key_rotation_grace)

    @cached_property
    def invite_user(self) -> InviteUser:
        from devportal.identity.invite import InviteUser

        return InviteUser(self.directory, self.profiles)

    @cached_property
    def submit_spec(self) -> SubmitSpec:
        from devportal.registry.submit import SubmitSpec

        return SubmitSpec(self.registry, self.specs, self.publisher, self.spec_limits)

    @cached_property
    def change_lifecycle(self) -> ChangeLifecycle:
        from devportal.registry.lifecycle import ChangeLifecycle

        return ChangeLifecycle(self.registry, self.publisher, _now)

    @cached_property
    def uploads(self) -> Uploads:
        from devportal.registry.uploads import Uploads

        return Uploads(self.specs, self.spec_limits)

    @cached_property
    def catalog_index(self) -> LiveIndex:
        """The search index this process holds between requests (loaded once, then kept current)."""
        from devportal.search.live import LiveIndex

        return LiveIndex(self.search_documents)

    @cached_property
    def operation_tables(self) -> OperationTables:
        """Registered versions' operations, kept between deliveries (versions are immutable)."""
        from devportal.analytics.aggregate import OperationTables

        return OperationTables(self.registry, self.specs)

    @cached_property
    def aggregate_usage(self) -> AggregateUsage:
        from devportal.analytics.aggregate import AggregateUsage

        return AggregateUsage(
            self.usage_store,
            self.operation_tables,
            self.usage_window,
            health=self.health_store,
            publisher=self.publisher,
        )

    @cached_property
    def record_usage(self) -> RecordUsage:
        from devportal.analytics.ingest import RecordUsage

        return RecordUsage(self.operation_tables, self.publisher, self.usage_window)

    @cached_property
    def usage_reports(self) -> UsageReports:
        from devportal.analytics.report import UsageReports

        return UsageReports(self.usage_store, self.registry, self.ratings)

    @cached_property
    def health_store(self) -> HealthStore:
        from devportal.adapters.health import DynamoHealthStore

        return DynamoHealthStore(self.table_name)

    @cached_property
    def check_health(self) -> CheckHealth:
        from devportal.analytics.alerts import CheckHealth

        return CheckHealth(
            self.usage_store,
            self.health_store,
            self.registry,
            self.publisher,
            self.health_defaults,
            lambda: timedelta(seconds=self.usage_window().skew_seconds),
        )

    @cached_property
    def daily_reports(self) -> DailyReports:
        from devportal.analytics.daily import DailyReports

        return DailyReports(
            self.usage_reports,
            self.usage_store,
            self.health_store,
            self.registry,
            self.report_store,
            self.publisher,
            self.usage_window,
        )

    @cached_property
    def health_overview(self) -> HealthOverview:
        from devportal.analytics.overview import HealthOverview

        return HealthOverview(self.health_store, self.health_defaults)

    @cached_property
    def ratings(self) -> Ratings:
        from devportal.adapters.ratings import DynamoRatingStore
        from devportal.analytics.ratings import Ratings

        return Ratings(DynamoRatingStore(self.table_name))

    @cached_property
    def contract_tests(self) -> ContractTests:
        from devportal.testing.execute import ContractTests

        return ContractTests(
            self.test_runs,
            self.registry,
            self.specs,
            self.publisher,
            self.test_credentials,
            self.target_policy,
            _now,
            max_body_bytes=self.target_settings.test_max_body_bytes,
        )

    @cached_property
    def request_test_run(self) -> RequestTestRun:
        import orjson

        from devportal.testing.runs import RequestTestRun

        def latest_version_of(api_id: str) -> str | None:
            entry = self.registry.get_catalog_entry(api_id)
            return None if entry is None else entry.latest_version

        return RequestTestRun(
            self.test_runs,
            self.registry.get_version,
            latest_version_of,
            lambda record: orjson.loads(self.specs.get(record.normalized_key)),
            self.publisher,
            self.target_policy.check_url,
            _now,
        )

    @cached_property
    def spec_sandbox(self) -> SpecSandbox:
        """Worker processes that check submitted documents; whoever runs the registrar closes it."""
        from devportal.settings import SpecSandboxSettings
        from devportal.specs.sandbox import SpecSandbox

        return SpecSandbox(SpecSandboxSettings().spec_check_workers)

    @cached_property
    def registrar(self) -> Registrar:
        from devportal.analytics.consumers import RecentConsumers
        from devportal.registry.register import Registrar

        return Registrar(
            self.registry,
            self.specs,
            self.docs,
            self.publisher,
            self.spec_limits,
            check=self.spec_sandbox.check,
            rulesets=self.rulesets,
            approvals=self.approvals,
            consumers=RecentConsumers(self.usage_store, self.operation_tables, _now),
        )

    @cached_property
    def decide_approval(self) -> DecideApproval:
        from devportal.registry.approval import DecideApproval

        return DecideApproval(self.approvals, self.publisher, _now)

    @cached_property
    def approvals(self) -> Approvals:
        from devportal.adapters.approvals import DynamoApprovals

        return DynamoApprovals(self.table_name)

    # -- notifications -------------------------------------------------------------------------

    @cached_property
    def portal_url(self) -> str:
        """Read once per process from its SSM parameter (the web stack writes it in AWS)."""
        import boto3

        from devportal.adapters.aws import client_config

        name = settings.PortalUrlSettings().portal_url_parameter
        ssm = boto3.client("ssm", config=client_config())
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"]).rstrip("/")

    @cached_property
    def subscription_store(self) -> SubscriptionStore:
        from devportal.adapters.subscriptions import DynamoSubscriptionStore

        return DynamoSubscriptionStore(self.table_name)

    @cached_property
    def delivery_store(self) -> DeliveryStore:
        from devportal.adapters.subscriptions import DynamoDeliveryStore

        return DynamoDeliveryStore(self.table_name)

    @cached_property
    def executions(self) -> Executions:
        from devportal.adapters.notify import StepFunctionsExecutions

        return StepFunctionsExecutions(settings.NotifySettings().notify_state_machine_arn)

    @cached_property
    def signing_secrets(self) -> SigningSecrets:
        from devportal.adapters.notify import SecretsManagerSigningSecrets

        return SecretsManagerSigningSecrets(settings.WebhookSecretSettings().webhook_secrets_prefix, _now)

    @cached_property
    def mail_settings(self) -> settings.MailSettings:
        return settings.MailSettings()

    @cached_property
    def mailer(self) -> Mailer:
        from devportal.adapters.notify import SesMailer

        mail = self.mail_settings
        return SesMailer(mail.mail_from, mail.mail_configuration_set)

    @cached_property
    def webhook_policy(self) -> TargetPolicy:
        """Where webhooks may go: the contract-test targets' address check (loopback only locally)."""
        from devportal.testing.targets import TargetPolicy

        return TargetPolicy(allow_loopback=self.target_settings.test_targets_allow_loopback, who="webhooks")

    @cached_property
    def webhook_poster(self) -> WebhookPoster:
        from devportal.adapters.notify import PinnedWebhookPoster

        return PinnedWebhookPoster(self.webhook_policy)

    @cached_property
    def outbox(self) -> Outbox | None:
        """The mail sent, where a mail service keeps it (a local stack); None in AWS."""
        configured = settings.OutboxSettings().mail_outbox_url
        if configured is None:
            return None
        from devportal.adapters.outbox import MotoOutbox

        return MotoOutbox(str(configured))

    @cached_property
    def subscriptions(self) -> Subscriptions:
        from devportal.notify.manage import Subscriptions
        from devportal.notify.subscriptions import WebhookPolicy

        def policy() -> WebhookPolicy:
            return WebhookPolicy(
                https_only=not self.target_settings.test_targets_allow_loopback, refusal=self.webhook_policy.check_url
            )

        return Subscriptions(
            self.subscription_store,
            lambda: self.signing_secrets,
            lambda: self.mailer,
            policy,
            _now,
            lambda: self.portal_url,
        )

    @cached_property
    def notify(self) -> Notify:
        from devportal.notify.deliver import Notify

        def owner(api_id: str) -> str | None:
            entry = self.registry.get_catalog_entry(api_id)
            return None if entry is None else entry.owner

        return Notify(self.subscription_store, self.delivery_store, self.executions, owner, _now)

    @cached_property
    def digests(self) -> Digests:
        from devportal.notify.digest import Digests

        return Digests(self.subscription_store, self.delivery_store, self.executions, _now)

    @cached_property
    def render_delivery(self) -> RenderDelivery:
        from devportal.notify.deliver import RenderDelivery

        return RenderDelivery(
            self.subscription_store, self.delivery_store, self.mail_settings.mail_from, self.portal_url
        )

    @cached_property
    def send_webhook(self) -> SendWebhook:
        from devportal.notify.deliver import SendWebhook

        return SendWebhook(
            self.subscription_store, self.delivery_store, self.signing_secrets, self.webhook_poster, _now
        )

    @cached_property
    def finish_delivery(self) -> FinishDelivery:
        from devportal.notify.deliver import FinishDelivery

        return FinishDelivery(self.subscription_store, self.delivery_store, self.publisher, _now)


def _now() -> datetime:
    return datetime.now(UTC)


def _report_throttled_sign_ins(account: str, counter: Counter) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    from devportal.adapters.metrics import emit
    from devportal.identity.attempts import LIMITS

    _identity_log.warning(
        "repeated failed sign-ins: refused until the window ends",
        extra={"account_sha256": account, "counter": counter, "max_failures": LIMITS[counter]},
    )
    emit("SignInsThrottled", 1, MetricUnit.Count, service="login")


_root: Portal | None = None
_root_lock = threading.Lock()


def portal() -> Portal:
    """This process's composition root, built from the environment on first use."""
    global _root
    with _root_lock:
        if _root is None:
            _root = Portal()
        return _root


def use(root: Portal) -> Portal:
    """Make `root` this process's composition root (tests, tools that point elsewhere)."""
    global _root
    with _root_lock:
        _root = root
    return root


def reset() -> None:
    """Forget the root: the next `portal()` builds a new one from the environment as it is then."""
    global _root
    with _root_lock:
        _root = None
