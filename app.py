"""The CDK app. `make synth STAGE=dev|staging|prod` synthesizes one stage's stacks into cdk.out;
`make synth-pipeline` the delivery pipeline that deploys staging and prod. Offline: no
credentials, no Docker, no network (the Lambda asset folders come from `make package`).

Context (`-c key=value` with the cdk CLI, or CDK_CONTEXT_JSON):
- stage: dev (default) | staging | prod
- featureBranch: a Git branch; its own stage `devportal-<branch stage>-*` (devportal.names.branch_stage)
  with small settings and nothing retained, instead of `stage`
- corsOrigins: list of browser origins allowed to call the API (default: any; tokens travel in
  headers, never cookies)
- alarmEmail: an address subscribed to the alarm topic (and to the cost alerts topic)
- budgetUsd: what the stage may cost a month in US dollars (default dev 50, staging 100, prod
  500, a feature branch's 25): its AWS Budget warns at 80 % and 100 % forecast and at 100 % spent, and the account's
  billing alarm fires past it (made where the stage is deployed in us-east-1, where AWS publishes
  estimated charges)
- mailFrom: the address notifications are sent from (its domain becomes an SES identity; publish
  the DKIM records it outputs); default notifications@devportal.example.com
- vpc: new | none | vpc-<id> (default: none in dev, new in staging and prod): run the functions in
  private subnets with VPC endpoints and flow logs; see stacks.network_stack for vpcAzs,
  vpcSubnetIds, vpcRouteTableIds, vpcCidr, vpcEndpoints, temporalEgress (nat | privatelink) and
  temporalEndpointService
- apiDomain (+ hostedZoneId and hostedZoneName, or apiCertificateArn): the gateway's custom domain,
  TLS 1.2+, its execute-api endpoint then off (stacks.domains.ApiDomain)
- portalDomain (+ portalCertificateArn from us-east-1, or hostedZoneId and hostedZoneName): the
  portal's custom domain on its CloudFront distribution, TLS 1.2+ (stacks.domains.PortalDomain)
- portalWaf: true | false (default true; a feature branch's stage has none): the edge stack's
  CloudFront web ACL (us-east-1) on the portal's distribution
- idp: corporate federation, see stacks.auth_stack.Federation
- temporalInvokerPrincipals, temporalExternalId: let Temporal Cloud invoke the worker Lambda
- pipeline: true to synthesize the pipeline stack instead; it needs repository (owner/name),
  branch and connectionArn (an AWS CodeConnections connection to the repository)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from devportal.names import FIXED_STAGES, ResourceNames, branch_stage
from functions.topology import routing
from stacks import functions
from stacks.api_stack import ApiStack
from stacks.auth_stack import AuthStack, Federation
from stacks.cost_stack import DEFAULT_BUDGET_USD, CostStack
from stacks.data_stack import DataStack, global_bucket_name
from stacks.domains import ApiDomain, PortalDomain, check_zone
from stacks.edge_stack import EDGE_REGION, EdgeStack
from stacks.events_stack import EventsStack
from stacks.monitoring_stack import MonitoringStack
from stacks.nag import (
    acknowledge_findings,
    acknowledge_library_wildcards,
    acknowledge_replication_buckets,
    branch_stage_reason,
)
from stacks.network_stack import NetworkSettings, NetworkStack, VpcMode
from stacks.packaging import LambdaAssets, lambda_assets
from stacks.pipeline_stack import PipelineSettings, PipelineStack
from stacks.security_stack import SecurityStack
from stacks.web_stack import WebStack
from stacks.workflows_stack import TemporalInvoker, WorkflowsStack

STAGES = FIXED_STAGES
StackT = TypeVar("StackT", bound=cdk.Stack)
# CDK feature flags this app relies on, set in code so `python app.py`, the cdk CLI and the tests agree.
FEATURE_FLAGS = {
    # Access-log buckets get a bucket policy for the logging service instead of a legacy ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # Cross-stack references keep producers from deleting what consumers import (CDK's default, stated).
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}
# The network stack is made only where the stage has a VPC.
STACK_KINDS = (
    "security",
    "edge",
    "network",
    "database",
    "events",
    "auth",
    "api",
    "workflows",
    "monitoring",
    "web",
    "cost",
)
DEFAULT_VPC: dict[str, VpcMode] = {"dev": "none", "staging": "new", "prod": "new", "branch": "none"}


@dataclass(frozen=True)
class StageSettings:
    stage: str
    cors_origins: tuple[str, ...]
    alarm_email: str | None
    federation: Federation | None
    invoker: TemporalInvoker | None
    temporal_ui_url: str | None = None  # e.g. https://cloud.temporal.io/namespaces/<namespace>
    portal_domain: PortalDomain | None = None  # the portal's custom domain (prod at it, other stages below it)
    mail_from: str = "notifications@devportal.example.com"  # an address at a domain SES may send from
    budget_usd: float = 0  # 0: the stage's default (DEFAULT_BUDGET_USD)
    network: NetworkSettings = field(default_factory=lambda: NetworkSettings(mode="none"))
    branch: str | None = None  # the Git branch of a feature branch's stage
    api_domain: ApiDomain | None = None
    portal_waf: bool = True  # the edge stack's web ACL on the portal's hosting

    @property
    def production(self) -> bool:
        return self.stage == "prod"

    @classmethod
    def from_context(cls, node: Any, stage: str, *, branch: str | None = None) -> StageSettings:
        """A fixed stage's settings, or (with `branch`) the settings of a feature branch's stage."""
        if branch is not None:
            stage = branch_stage(branch)
        elif stage not in STAGES:
            raise ValueError(
                f"stage must be one of {', '.join(STAGES)}, got {stage!r} (a feature branch: -c featureBranch=<branch>)"
            )
        kind = stage if branch is None else "branch"
        origins = node.try_get_context("corsOrigins") or list(cdk.aws_apigateway.Cors.ALL_ORIGINS)
        if isinstance(origins, str):
            origins = [origins]
        return cls(
            stage=stage,
            cors_origins=tuple(origins),
            alarm_email=node.try_get_context("alarmEmail"),
            federation=Federation.from_context(node.try_get_context("idp")),
            invoker=TemporalInvoker.from_context(
                node.try_get_context("temporalInvokerPrincipals"), node.try_get_context("temporalExternalId")
            ),
            temporal_ui_url=node.try_get_context("temporalUiUrl") or None,
            portal_domain=_portal_domain(node, stage, branch),
            mail_from=node.try_get_context("mailFrom") or "notifications@devportal.example.com",
            budget_usd=_amount(node.try_get_context("budgetUsd"), DEFAULT_BUDGET_USD[kind]),
            network=NetworkSettings.from_context(node, default=DEFAULT_VPC[kind]),
            branch=branch,
            api_domain=ApiDomain.from_context(node, stage),
            portal_waf=_portal_waf(node, branch),
        )


def _portal_domain(node: Any, stage: str, branch: str | None) -> PortalDomain | None:
    check_zone(node)
    domain = PortalDomain.from_context(node, stage)
    if domain is not None and branch is not None:
        # its certificate (or its zone's records) would outlive `devportal branch-stage destroy`
        raise ValueError('a feature branch\'s stage is served at its CloudFront address: leave out "portalDomain"')
    return domain


def _portal_waf(node: Any, branch: str | None) -> bool:
    wanted = _flag(node.try_get_context("portalWaf"), "portalWaf", default=branch is None)
    if wanted and branch is not None:
        # its us-east-1 stack would outlive `devportal branch-stage destroy`, which works in one region
        raise ValueError('a feature branch\'s stage has no edge stack: leave out "portalWaf"')
    return wanted


def _flag(value: object, key: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ValueError(f'context "{key}" must be true or false, got {value!r}')


def _amount(value: object, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        amount = float(str(value))
    except ValueError:
        raise ValueError(f'context "budgetUsd" must be an amount of US dollars, got {value!r}') from None
    return amount  # more than 0: the cost stack holds it to that


def _known(value: str) -> bool:
    return not cdk.Token.is_unresolved(value)


def portal_stacks(scope: Construct, settings: StageSettings, assets: LambdaAssets) -> dict[str, cdk.Stack]:
    """Every stack of one stage, named `devportal-{stage}-{kind}`."""
    stage = settings.stage
    names = ResourceNames(f"devportal-{stage}")
    production = settings.production

    def stack_id(kind: str) -> str:
        return f"devportal-{stage}-{kind}"

    def make(kind: str, kind_of_stack: Callable[..., StackT], **kwargs: Any) -> StackT:
        return kind_of_stack(scope, stack_id(kind), stack_name=stack_id(kind), names=names, **kwargs)

    security = make("security", SecurityStack, production=production)
    network = None
    if settings.network.mode != "none":
        network = make(
            "network",
            NetworkStack,
            settings=settings.network,
            production=production,
            key=security.key,
        )
    database = make(
        "database",
        DataStack,
        production=production,
        upload_origins=settings.cors_origins,
    )
    bus = make(
        "events",
        EventsStack,
        key=security.key,
        archive_days=365 if production else 30,
    )
    auth = make(
        "auth",
        AuthStack,
        production=production,
        federation=settings.federation,
        web_acl_arn=security.web_acl.attr_arn,
    )
    notifications = functions.Notifications.of(names, settings.mail_from)
    bindings = functions.bindings(
        table=database.table,
        specs_bucket=global_bucket_name(names.specs_bucket),
        docs_bucket=global_bucket_name(names.docs_bucket),
        bus=bus.bus,
        secret=security.temporal_secret,
        key=security.key,
        user_pool=auth.user_pool,
        user_pool_client_id=auth.client.user_pool_client_id,
        parameters_path=names.parameters_path,
        test_credentials_prefix=names.test_credentials_prefix,
        notifications=notifications,
    )
    api = make(
        "api",
        ApiStack,
        assets=assets,
        production=production,
        bindings=bindings,
        user_pool=auth.user_pool,
        web_acl_arn=security.web_acl.attr_arn,
        cors_origins=settings.cors_origins,
        temporal_ui_url=settings.temporal_ui_url,
        network=network,
        domain=settings.api_domain,
    )
    workflows = make(
        "workflows",
        WorkflowsStack,
        assets=assets,
        production=production,
        bindings=bindings,
        queues=bus.queues,
        invoker=settings.invoker,
        notifications=notifications,
        failed_deliveries=bus.failed_deliveries,
        network=network,
    )
    monitoring = make(
        "monitoring",
        MonitoringStack,
        key=security.key,
        api=api.api,
        functions={name: function.function for name, function in (api.functions | workflows.functions).items()},
        dead_letter_queues={
            **{spec.dead_letter_name: bus.dead_letter_queues[spec.name] for spec in routing(names).queues},
            names.failed_deliveries_queue: bus.failed_deliveries,
        },
        state_machines=workflows.state_machines,
        alarm_email=settings.alarm_email,
    )
    web = make(
        "web",
        WebStack,
        stage=stage,
        api=api.origin,
        production=production,
        portal_web_acl=settings.portal_waf,
        domain=settings.portal_domain,
        portal_url_parameter=names.portal_url_parameter,
    )
    cost = make(
        "cost",
        CostStack,
        budget_usd=settings.budget_usd,
        production=production,
        alarm_email=settings.alarm_email,
    )
    edge = None
    domain = settings.portal_domain
    if settings.portal_waf or (domain is not None and domain.certificate_made):
        # us-east-1, for CloudFront; the account stays the stage's (explicit in the pipeline's stages)
        edge = make(
            "edge",
            EdgeStack,
            protect=settings.portal_waf,
            domain=domain,
            env=cdk.Environment(account=security.account if _known(security.account) else None, region=EDGE_REGION),
        )
        web.add_stack_dependency(edge)
    stacks: dict[str, cdk.Stack] = {
        "security": security,
        **({"edge": edge} if edge is not None else {}),
        **({"network": network} if network is not None else {}),
        "database": database,
        "events": bus,
        "auth": auth,
        "api": api,
        "workflows": workflows,
        "monitoring": monitoring,
        "web": web,
        "cost": cost,
    }
    # Functions name their buckets rather than importing them: say the order out loud.
    api.add_stack_dependency(database)
    workflows.add_stack_dependency(database)
    for stack in stacks.values():
        # cost allocation tags on everything each stack makes (the budget counts `deployment`)
        cdk.Tags.of(stack).add("project", "devportal")
        cdk.Tags.of(stack).add("stage", stage)
        cdk.Tags.of(stack).add("deployment", names.prefix)
        if settings.branch is not None:
            # what `devportal branch-stage destroy` and `reap` find a branch's stacks by
            cdk.Tags.of(stack).add("branch", settings.branch)
        acknowledge_findings(stack, production=production)
    return stacks


class PortalStage(cdk.Stage):
    """One stage's stacks as a unit the pipeline deploys."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: StageSettings, assets: LambdaAssets, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.stacks = portal_stacks(self, settings, assets)
        cdk.Validations.of(self).add_plugins(AwsSolutionsChecks(self))


def build(app: cdk.App, assets: LambdaAssets | None = None) -> list[cdk.Stack]:
    """The stacks `app.synth()` will write; cdk-nag AwsSolutions runs on all of them."""
    assets = assets or lambda_assets()
    for flag, value in FEATURE_FLAGS.items():
        app.node.set_context(flag, value)
    environment = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    stacks: list[cdk.Stack]
    if str(app.node.try_get_context("pipeline") or "").lower() == "true":
        pipeline_settings = PipelineSettings.from_context(app.node)
        # Explicit, as a pipeline deploying to two regions (the edge stacks are in us-east-1) must be:
        # the CLI's account and region, else the connection's.
        environment = cdk.Environment(
            account=environment.account or pipeline_settings.account,
            region=environment.region or pipeline_settings.region,
        )

        def stage_factory(scope: Construct, stage: str) -> PortalStage:
            return PortalStage(
                scope, stage, settings=StageSettings.from_context(app.node, stage), assets=assets, env=environment
            )

        pipeline = PipelineStack(
            app, "devportal-pipeline", settings=pipeline_settings, stage_factory=stage_factory, env=environment
        )
        acknowledge_library_wildcards(pipeline.pipeline)
        acknowledge_library_wildcards(pipeline.branch_stages, branch_stage_reason)
        acknowledge_replication_buckets(app)
        stacks = [pipeline]
    else:
        stage = app.node.try_get_context("stage") or os.environ.get("DEVPORTAL_STAGE") or "dev"
        branch = app.node.try_get_context("featureBranch") or None
        settings = StageSettings.from_context(app.node, stage, branch=branch)
        stacks = list(portal_stacks(app, settings, assets).values())
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stacks


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
