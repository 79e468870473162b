"""Security: the customer-managed KMS key, the WAF web ACL for the API and the user pool, CloudTrail,
and the Temporal Cloud connection secret."""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from devportal.names import ResourceNames
from stacks.buckets import access_log_bucket, private_bucket

# AWS managed rule groups in front of the API, in evaluation order.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
# Requests per 5 minutes from one IP before WAF blocks it (API Gateway throttling works per stage).
RATE_LIMIT_PER_IP = 2000
# The services that write to things encrypted with the key: EventBridge and CloudWatch alarms publish
# to encrypted topics, CloudTrail writes encrypted log files.
KEY_USERS = ("events.amazonaws.com", "cloudwatch.amazonaws.com", "cloudtrail.amazonaws.com")


def let_services_use(key: kms.Key, services: tuple[str, ...], account: str) -> None:
    """Let AWS services of this account encrypt with `key` (what they publish to encrypted topics,
    what they write encrypted), and nothing else."""
    for service in services:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"Allow-{service.split('.')[0]}",
                principals=[iam.ServicePrincipal(service)],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": account}},
            )
        )


def web_acl(scope: Construct, construct_id: str, *, name: str, scope_kind: str = "REGIONAL") -> wafv2.CfnWebACL:
    """The portal's web ACL: AWS's managed rule groups (MANAGED_RULE_GROUPS) and a rate limit per
    IP. REGIONAL for the API and the user pool; CLOUDFRONT (made in us-east-1) for the portal's hosting."""

    def visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
        )

    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=visibility(group),
        )
        for priority, group in enumerate(MANAGED_RULE_GROUPS)
    ]
    rules.append(
        wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerIp",
            priority=len(rules),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=RATE_LIMIT_PER_IP
                )
            ),
            visibility_config=visibility("RateLimitPerIp"),
        )
    )
    return wafv2.CfnWebACL(
        scope,
        construct_id,
        name=name,
        scope=scope_kind,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=visibility(name),
        rules=rules,
    )


class SecurityStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, names: ResourceNames, production: bool, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        retain = RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{names.prefix}",
            description="devportal: topics, the Temporal Cloud secret, CloudTrail logs",
            enable_key_rotation=True,
            removal_policy=retain,
            pending_window=Duration.days(30 if production else 7),
        )
        let_services_use(self.key, KEY_USERS, self.account)
        self.temporal_secret = secretsmanager.Secret(
            self,
            "TemporalCloud",
            secret_name=f"{names.prefix}/temporal-cloud",
            description=(
                "Temporal Cloud connection as TEMPORAL_* variables (address, namespace, API key or mTLS "
                "material). Created with placeholders; put the real values before the first registration."
            ),
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(
                    {"TEMPORAL_ADDRESS": "", "TEMPORAL_NAMESPACE": "", "TEMPORAL_TLS": "true"}
                ),
                generate_string_key="TEMPORAL_API_KEY",
                exclude_punctuation=True,
            ),
            removal_policy=retain,
        )
        self.web_acl = web_acl(self, "WebAcl", name=f"{names.prefix}-api")
        self.trail = self._trail(names, retain, production)

    def _trail(self, names: ResourceNames, retain: RemovalPolicy, production: bool) -> cloudtrail.Trail:
        access_logs = access_log_bucket(self, "TrailAccessLogs", retention_days=365, removal=retain)
        bucket = private_bucket(
            self,
            "TrailLogs",
            access_logs=access_logs,
            removal=retain,
            lifecycle_rules=[
                s3.LifecycleRule(
                    transitions=[
                        s3.Transition(storage_class=s3.StorageClass.GLACIER, transition_after=Duration.days(90))
                    ],
                    expiration=Duration.days(7 * 365),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
        )
        trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=names.prefix,
            bucket=bucket,
            encryption_key=self.key,
            enable_file_validation=True,
            include_global_service_events=True,
            is_multi_region_trail=True,
            send_to_cloud_watch_logs=True,
            cloud_watch_logs_retention=logs.RetentionDays.ONE_YEAR,
        )
        if trail.log_group is not None:  # kept like the trail's bucket: in prod only
            trail.log_group.apply_removal_policy(retain)
        return trail
