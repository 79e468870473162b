"""The single table and the buckets for specs and rendered docs."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from devportal.adapters.dynamodb import INDEXES, PARTITION_KEY, SORT_KEY
from devportal.names import ResourceNames


class DataStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, names: ResourceNames, production: bool, **kwargs: object
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
            deletion_protection=production,
            removal_policy=retain,
        )
        self.specs_bucket = self._bucket("Specs", retain, production)
        self.docs_bucket = self._bucket("Docs", retain, production)

    def _bucket(self, construct_id: str, removal: RemovalPolicy, production: bool) -> s3.Bucket:
        # Names are left to CloudFormation (bucket names are global); functions get them as settings.
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            removal_policy=removal,
            auto_delete_objects=not production,
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30)),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
        )
