"""The one way this app makes an S3 bucket: private, encrypted, TLS only, access-logged, with
lifecycle rules. Access-log buckets themselves are the one kind that logs nowhere."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct


def access_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    retention_days: int,
    removal: RemovalPolicy = RemovalPolicy.RETAIN,
    acls_for_cloudfront: bool = False,
) -> s3.Bucket:
    """Target of server access logs: the logging service writes through a bucket policy (owner
    enforced, no ACLs); entries expire after `retention_days`. CloudFront's standard logs are
    delivered through the bucket's ACL instead (`acls_for_cloudfront`: ACLs on, the bucket owner
    still owns every object)."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        object_ownership=(
            s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
            if acls_for_cloudfront
            else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
        ),
        removal_policy=removal,
        auto_delete_objects=removal is RemovalPolicy.DESTROY,
        lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(retention_days))],
    )


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    access_logs: s3.IBucket,
    lifecycle_rules: Sequence[s3.LifecycleRule],
    removal: RemovalPolicy = RemovalPolicy.RETAIN,
    versioned: bool = True,
    name: str | None = None,
    key: kms.IKey | None = None,
) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        bucket_name=name,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=versioned,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"{construct_id.lower()}/",
        removal_policy=removal,
        auto_delete_objects=removal is RemovalPolicy.DESTROY,
        lifecycle_rules=list(lifecycle_rules),
    )
