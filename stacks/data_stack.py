"""The single table, the buckets for specs and rendered docs, and the runtime-tunable settings
(SSM parameters under `/<prefix>/settings/`, created with their defaults; operators change them
without a deploy, and functions pick a change up within a minute)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from devportal.names import ResourceNames
from devportal.registry.uploads import UPLOAD_PREFIX
from devportal.settings import tunable_defaults
from devportal.tables import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from functions.topology import DLQ_RETENTION_SECONDS
from stacks.buckets import access_log_bucket, private_bucket


def global_bucket_name(local_name: str) -> str:
    """Bucket names are global: the local name plus account and region. Functions reach their
    buckets by this name (no cross-stack import), and policies name `arn:...:s3:::{name}/*`."""
    return f"{local_name}-{Aws.ACCOUNT_ID}-{Aws.REGION}"


def object_arn(bucket_name: str) -> str:
    return f"arn:{Aws.PARTITION}:s3:::{bucket_name}/*"


def parameters_arn(path: str) -> str:
    """The ARN IAM names a parameter path by, for ssm:GetParametersByPath."""
    return f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{path}"


def nag_object_resource(local_name: str) -> str:
    """`object_arn(global_bucket_name(local_name))` as cdk-nag prints it in a finding's id."""
    return f"arn:<AWS::Partition>:s3:::{local_name}-<AWS::AccountId>-<AWS::Region>/*"


class DataStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        production: bool,
        upload_origins: Sequence[str] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        retain = RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=names.table,
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=index,
                    partition_key=dynamodb.Attribute(name=pk, type=dynamodb.AttributeType.STRING),
                    sort_key=dynamodb.Attribute(name=sk, type=dynamodb.AttributeType.STRING),
                )
                for index, (pk, sk) in INDEXES.items()
            ],
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=production,
            removal_policy=retain,
        )
        self.access_logs = access_log_bucket(
            self, "AccessLogs", retention_days=365 if production else 30, removal=retain
        )
        self.specs_bucket = self._bucket(
            "Specs",
            retain,
            production,
            name=global_bucket_name(names.specs_bucket),
            # Documents over the request-body cap arrive by presigned PUT (POST /apis/uploads), from
            # the portal's pages too; they matter until submitted, a day at most.
            extra_rules=[s3.LifecycleRule(prefix=UPLOAD_PREFIX, expiration=Duration.days(1))],
        )
        if upload_origins:
            self.specs_bucket.add_cors_rule(
                allowed_methods=[s3.HttpMethods.PUT],
                allowed_origins=list(upload_origins),
                allowed_headers=["Content-Type", "Content-Length"],
                max_age=3600,
            )
        self.docs_bucket = self._bucket("Docs", retain, production, name=global_bucket_name(names.docs_bucket))
        # Event bodies over EventBridge's size budget travel as references into this bucket; they
        # matter only until every consumer has read them.
        self.event_bodies_bucket = self._bucket(
            "EventBodies", retain, production, expiration=Duration.days(DLQ_RETENTION_SECONDS // 86400 + 1)
        )
        self.settings = {
            name: ssm.StringParameter(
                self,
                f"Setting-{name}",
                parameter_name=f"{names.parameters_path}/{name}",
                string_value=default,
                description=f"devportal runtime setting {name} (default {default})",
                tier=ssm.ParameterTier.STANDARD,
            )
            for name, default in tunable_defaults().items()
        }

    def _bucket(
        self,
        construct_id: str,
        removal: RemovalPolicy,
        production: bool,
        expiration: Duration | None = None,
        name: str | None = None,
        extra_rules: Sequence[s3.LifecycleRule] = (),
    ) -> s3.Bucket:
        return private_bucket(
            self,
            construct_id,
            name=name,
            access_logs=self.access_logs,
            removal=removal,
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30), expiration=expiration),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
                *extra_rules,
            ],
        )
