"""Every AWS resource of the portal, created in moto from the same definitions the CDK stacks use:
the names module, the table shape, and the event catalog's routing.

Idempotent: running it against an already provisioned moto changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from devportal.identity.pool import (
    ACCESS_TOKEN_MINUTES,
    PASSWORD_POLICY,
    REFRESH_TOKEN_DAYS,
    ROLES,
    TEAM_ATTRIBUTE,
    USER_POOL_NAME,
    client_name,
    role_precedence,
)
from devportal.names import ResourceNames
from devportal.settings import tunable_defaults
from devportal.tables import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from devportal_local.config import MAIL_FROM, REGION
from functions import state_machines
from functions.topology import DLQ_RETENTION_SECONDS, Routing, routing

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from functions.declaration import Function


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    client_id: str


@dataclass(frozen=True)
class Provisioned:
    table: str
    buckets: tuple[str, ...]
    bus: str
    rules: int
    topics: int
    queues: int
    stand_ins: tuple[str, ...]
    user_pool: UserPool
    state_machine_arns: dict[str, str]

    def summary(self) -> str:
        return (
            f"table {self.table}, {len(self.buckets)} buckets, bus {self.bus}, {self.rules} rules, "
            f"{self.topics} topic(s), {self.queues} queues each with a DLQ"
            + (f", {len(self.stand_ins)} SNS stand-in queue(s)" if self.stand_ins else "")
            + f", {len(self.state_machine_arns)} state machine(s)"
            + f", user pool {self.user_pool.pool_id}"
        )

    def environment(self, endpoint_url: str) -> dict[str, str]:
        """What the children need beyond the static configuration: the ids moto chose, and where
        moto serves the pool's signing keys (in AWS they sit at the issuer's URL)."""
        return {
            "DEVPORTAL_USER_POOL_ID": self.user_pool.pool_id,
            "DEVPORTAL_USER_POOL_CLIENT_ID": self.user_pool.client_id,
            "DEVPORTAL_JWKS_URL": f"{endpoint_url}/{self.user_pool.pool_id}/.well-known/jwks.json",
            "DEVPORTAL_NOTIFY_STATE_MACHINE_ARN": self.state_machine_arns["notify"],
        }


def provision(
    names: ResourceNames,
    *,
    visibility_timeout_seconds: int | None = None,
    tunables: Mapping[str, str] | None = None,
    upload_origins: Sequence[str] = (),
    portal_url: str = "http://127.0.0.1:8080",
    **client_args: Any,
) -> Provisioned:
    """`visibility_timeout_seconds` overrides the catalog's per-consumer value, so that a failed
    message is retried within seconds on a laptop rather than after a minute. `tunables` are set
    over the defaults of the runtime-tunable settings (the rest keep what an operator put there)."""
    plan = routing(names)
    ssm = boto3.client("ssm", **client_args)
    _parameters(ssm, names, tunables or {})
    ssm.put_parameter(  # as the web stack writes it in AWS
        Name=names.portal_url_parameter, Value=portal_url, Type="String", Overwrite=True,
        Description="Where people open the portal (links in mail)",
    )  # fmt: skip
    _table(boto3.client("dynamodb", **client_args), names.table)
    s3 = boto3.client("s3", **client_args)
    for bucket in (names.specs_bucket, names.docs_bucket):
        _bucket(s3, bucket)
    if upload_origins:  # the portal's pages PUT large documents to the specs bucket (as the data stack allows)
        s3.put_bucket_cors(
            Bucket=names.specs_bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedMethods": ["PUT"],
                        "AllowedOrigins": list(upload_origins),
                        "AllowedHeaders": ["Content-Type", "Content-Length"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
    sqs = boto3.client("sqs", **client_args)
    arns = _queues(sqs, plan, names, visibility_timeout_seconds)
    topic_arns = _topics(boto3.client("sns", **client_args), plan, arns)
    _rules(boto3.client("events", **client_args), plan, names, arns)
    user_pool = _user_pool(boto3.client("cognito-idp", **client_args), names)
    _mail(boto3.client("sesv2", **client_args), names)
    failed_url = sqs.get_queue_url(QueueName=names.failed_deliveries_queue)["QueueUrl"]
    account = arns[names.failed_deliveries_queue].split(":")[4]
    machines = _state_machines(
        boto3.client("stepfunctions", **client_args),
        names,
        lambda function: f"arn:aws:lambda:{REGION}:{account}:function:{function.function_name(names)}",
        failed_url,
    )
    return Provisioned(
        table=names.table,
        buckets=(names.specs_bucket, names.docs_bucket),
        bus=plan.bus,
        rules=len(plan.rules),
        topics=len(topic_arns),
        queues=len(plan.queues),
        stand_ins=tuple(
            names.fanout_queue(rule.event.detail_type) for rule in plan.rules if rule.target_kind == "topic"
        ),
        user_pool=user_pool,
        state_machine_arns=machines,
    )


# Locally a failing receiver is retried within seconds, not for half an hour (as the visibility
# timeout is shortened): 1 s doubling to 4 s, 4 retries; what is retried, and the jitter, as in AWS.
QUICK_RETRIES = {"interval": 1, "cap": 4, "attempts": 4}


def _mail(sesv2: Any, names: ResourceNames) -> None:
    """The sender identity (verified at once in moto) and the configuration set mail goes through."""
    identities = {i["IdentityName"] for i in sesv2.list_email_identities().get("EmailIdentities", [])}
    if MAIL_FROM not in identities:
        sesv2.create_email_identity(EmailIdentity=MAIL_FROM)
    try:
        sesv2.create_configuration_set(ConfigurationSetName=names.mail_configuration_set)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"AlreadyExistsException", "ConfigurationSetAlreadyExistsException"}:
            raise


def _state_machines(
    sfn: Any, names: ResourceNames, function_arn: Callable[[Function], str], failed_url: str
) -> dict[str, str]:
    """Each state machine of state_machines/, created or brought to today's definition."""
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines().get("stateMachines", [])}
    arns = {}
    for path in state_machines.files():
        name = state_machines.name_of(path)
        quick = state_machines.with_quick_retries(state_machines.definition(path), **QUICK_RETRIES)
        values = state_machines.substitutions(name, names, function_arn, failed_url)
        definition = state_machines.filled(json.dumps(quick), values)
        aws_name = names.state_machine(name)
        role = f"arn:aws:iam::000000000000:role/{aws_name}"  # moto runs it without assuming anything
        if aws_name in existing:
            sfn.update_state_machine(stateMachineArn=existing[aws_name], definition=definition, roleArn=role)
            arns[name] = existing[aws_name]
        else:
            arns[name] = sfn.create_state_machine(name=aws_name, definition=definition, roleArn=role)["stateMachineArn"]
    return arns


def _parameters(ssm: Any, names: ResourceNames, tunables: Mapping[str, str]) -> None:
    """The runtime-tunable settings, as the database stack creates them: defaults where a parameter
    is missing, `tunables` (what the command line said) always."""
    for name, default in tunable_defaults().items():
        given = tunables.get(name)
        try:
            ssm.put_parameter(
                Name=f"{names.parameters_path}/{name}",
                Value=given if given is not None else default,
                Type="String",
                Overwrite=given is not None,
                Description=f"devportal runtime setting {name} (default {default})",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ParameterAlreadyExists":
                raise


_PREFIX_TAG = "devportal:prefix"


def _user_pool(cognito: Any, names: ResourceNames) -> UserPool:
    """The pool the auth stack declares (devportal.identity.pool), tagged with this deployment's
    prefix so that several local deployments in one moto never share users."""
    pool_id = None
    for summary in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if summary["Name"] == USER_POOL_NAME:
            described = cognito.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
            if described.get("UserPoolTags", {}).get(_PREFIX_TAG) == names.prefix:
                pool_id = summary["Id"]
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=USER_POOL_NAME,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": PASSWORD_POLICY.min_length,
                    "RequireLowercase": PASSWORD_POLICY.require_lowercase,
                    "RequireUppercase": PASSWORD_POLICY.require_uppercase,
                    "RequireNumbers": PASSWORD_POLICY.require_digits,
                    "RequireSymbols": PASSWORD_POLICY.require_symbols,
                }
            },
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            Schema=[{"Name": TEAM_ATTRIBUTE, "AttributeDataType": "String", "Mutable": True}],
            UserPoolTags={_PREFIX_TAG: names.prefix},
        )["UserPool"]["Id"]
    existing_groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for role in ROLES:
        if role not in existing_groups:
            cognito.create_group(
                UserPoolId=pool_id,
                GroupName=role,
                Precedence=role_precedence(role),
                Description=f"devportal role: {role}",
            )
    wanted = client_name(names.prefix)
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == wanted), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=wanted,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
            AccessTokenValidity=ACCESS_TOKEN_MINUTES,
            IdTokenValidity=ACCESS_TOKEN_MINUTES,
            RefreshTokenValidity=REFRESH_TOKEN_DAYS,
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        )["UserPoolClient"]["ClientId"]
    return UserPool(pool_id, client_id)


def _table(dynamodb: Any, name: str) -> None:
    attributes = {PARTITION_KEY, SORT_KEY} | {k for pair in INDEXES.values() for k in pair}
    try:
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
            KeySchema=[
                {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": index,
                    "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index, (pk, sk) in INDEXES.items()
            ],
            SSESpecification={"Enabled": True},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") != "ENABLED":
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )


def _bucket(s3: Any, name: str) -> None:
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def _queue(sqs: SQSClient, name: str, attributes: dict[str, str]) -> str:
    """Create the queue, or bring a kept one to today's settings (a restart with another
    visibility timeout must not fail on CreateQueue's "exists with other attributes")."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)  # type: ignore[arg-type]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def _queue_with_dlq(sqs: SQSClient, name: str, dlq_name: str, visibility: int, max_receive_count: int) -> str:
    dlq_arn = _queue(sqs, dlq_name, {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)})
    return _queue(
        sqs,
        name,
        {
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
        },
    )


def _queues(sqs: SQSClient, plan: Routing, names: ResourceNames, visibility: int | None) -> dict[str, str]:
    arns = {
        queue.name: _queue_with_dlq(
            sqs,
            queue.name,
            queue.dead_letter_name,
            visibility or queue.settings.visibility_timeout_seconds,
            queue.settings.max_receive_count,
        )
        for queue in plan.queues
    }
    for rule in plan.rules:
        if rule.target_kind == "topic":
            # moto cannot deliver an EventBridge rule to SNS: the rule feeds this queue, and the
            # local runtime's forwarder publishes each message to the topic.
            stand_in = names.fanout_queue(rule.event.detail_type)
            arns[stand_in] = _queue_with_dlq(sqs, stand_in, stand_in + "-dlq", visibility or 30, 5)
    # What the notify state machine could not deliver, kept for a redrive (to the notifier's queue)
    arns[names.failed_deliveries_queue] = _queue(
        sqs, names.failed_deliveries_queue, {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )
    return arns


def topic_arns(sns: Any) -> dict[str, str]:
    """Every SNS topic's ARN by its name: ListTopics answers 100 at a time (in AWS and in moto, where
    the tests' deployments share one server), so every page is read."""
    return {
        topic["TopicArn"].rsplit(":", 1)[-1]: topic["TopicArn"]
        for page in sns.get_paginator("list_topics").paginate()
        for topic in page.get("Topics", [])
    }


def _topics(sns: Any, plan: Routing, queue_arns: dict[str, str]) -> dict[str, str]:
    topic_arns = {}
    for topic in plan.topics:
        arn = sns.create_topic(Name=topic.name)["TopicArn"]
        topic_arns[topic.name] = arn
        existing = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions", [])}
        for queue in topic.subscriber_queues:
            if queue_arns[queue] not in existing:
                sns.subscribe(
                    TopicArn=arn,
                    Protocol="sqs",
                    Endpoint=queue_arns[queue],
                    Attributes={"RawMessageDelivery": "true"},
                )
    return topic_arns


def _rules(events: Any, plan: Routing, names: ResourceNames, queue_arns: dict[str, str]) -> None:
    try:
        events.create_event_bus(Name=plan.bus)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    for rule in plan.rules:
        events.put_rule(
            Name=rule.name,
            EventBusName=plan.bus,
            EventPattern=json.dumps(rule.event.event_pattern()),
            State="ENABLED",
            Description=rule.event.description,
        )
        target_queue = names.fanout_queue(rule.event.detail_type) if rule.target_kind == "topic" else rule.target_name
        events.put_targets(
            Rule=rule.name,
            EventBusName=plan.bus,
            Targets=[{"Id": "deliver", "Arn": queue_arns[target_queue]}],
        )
