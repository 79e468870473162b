"""The CDK stacks: what they declare, and that they declare what the local runtime provisions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from moto.server import ThreadedMotoServer

from devportal.names import ResourceNames
from devportal_local.config import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, LOOPBACK, REGION, free_port
from devportal_local.provision import provision, topic_arns
from functions.topology import routing
from tests.support.aws import AwsWorld

NAMES = ResourceNames("devportal-dev")


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {logical_id: dict(resource) for logical_id, resource in template.find_resources(kind).items()}


def test_the_table_has_its_keys_indexes_recovery_and_encryption(templates: dict[str, Template]) -> None:
    templates["database"].has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "TableName": NAMES.table,
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    Match.object_like(
                        {
                            "IndexName": "GSI1",
                            "KeySchema": [
                                {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                                {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                            ],
                        }
                    ),
                    Match.object_like({"IndexName": "GSI2"}),
                ]
            ),
            "BillingMode": "PAY_PER_REQUEST",
            "Replicas": [Match.object_like({"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})],
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_buckets_are_encrypted_private_tls_only_logged_and_expire(templates: dict[str, Template]) -> None:
    buckets = resources(templates["database"], "AWS::S3::Bucket")
    # specs, docs, large event bodies, and the access-log bucket they all log to
    assert len(buckets) == 4
    logged = [b for b in buckets.values() if "LoggingConfiguration" in b["Properties"]]
    assert len(logged) == 3
    for bucket in logged:
        rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        assert any("NoncurrentVersionExpiration" in rule for rule in rules)
        assert any("AbortIncompleteMultipartUpload" in rule for rule in rules)
    for bucket in buckets.values():
        properties = bucket["Properties"]
        assert (
            properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
                "SSEAlgorithm"
            ]
            == "AES256"
        )
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
    policies = resources(templates["database"], "AWS::S3::BucketPolicy")
    denies_plain_http = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(denies_plain_http) == 4


def test_every_queue_has_its_dead_letter_queue(templates: dict[str, Template]) -> None:
    queues = {
        q["Properties"]["QueueName"]: q["Properties"]
        for q in resources(templates["events"], "AWS::SQS::Queue").values()
    }
    for spec in routing(NAMES).queues:
        assert spec.dead_letter_name in queues
        redrive = queues[spec.name]["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == spec.settings.max_receive_count
        assert queues[spec.name]["VisibilityTimeout"] == spec.settings.visibility_timeout_seconds
        assert queues[spec.name]["SqsManagedSseEnabled"] is True


def test_rules_match_the_catalog(templates: dict[str, Template]) -> None:
    rules = {
        r["Properties"]["Name"]: r["Properties"] for r in resources(templates["events"], "AWS::Events::Rule").values()
    }
    plan = routing(NAMES)
    assert set(rules) == {r.name for r in plan.rules}
    for spec in plan.rules:
        assert rules[spec.name]["EventPattern"] == spec.event.event_pattern()
        (target,) = rules[spec.name]["Targets"]
        kind = "AWS::SNS::Topic" if spec.target_kind == "topic" else "AWS::SQS::Queue"
        logical_id = target["Arn"]["Ref"] if "Ref" in target["Arn"] else target["Arn"]["Fn::GetAtt"][0]
        assert (
            resources(templates["events"], kind)[logical_id]["Properties"].get(
                "TopicName" if kind == "AWS::SNS::Topic" else "QueueName"
            )
            == spec.target_name
        )


def test_fan_out_subscriptions_use_raw_delivery(templates: dict[str, Template]) -> None:
    subscriptions = resources(templates["events"], "AWS::SNS::Subscription")
    assert len(subscriptions) == sum(len(t.subscriber_queues) for t in routing(NAMES).topics)
    assert all(s["Properties"]["RawMessageDelivery"] is True for s in subscriptions.values())


@pytest.fixture
def moto_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsWorld]:
    port = free_port()
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    endpoint = f"http://{LOOPBACK}:{port}"
    provisioned = provision(
        NAMES,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
    yield AwsWorld(endpoint, NAMES, provisioned.user_pool.pool_id, provisioned.user_pool.client_id)
    server.stop()


def test_one_catalog_two_worlds(templates: dict[str, Template], moto_world: AwsWorld) -> None:
    """What `devportal up` provisions in moto is what the stacks deploy to AWS: the same rules with
    the same patterns, the same queues with the same dead-letter queues and receive counts."""
    template = templates["events"]
    cloud_rules = {
        r["Properties"]["Name"]: json.dumps(r["Properties"]["EventPattern"], sort_keys=True)
        for r in resources(template, "AWS::Events::Rule").values()
    }
    events_client = moto_world.client("events")
    local_rules = {
        r["Name"]: json.dumps(json.loads(r["EventPattern"]), sort_keys=True)
        for r in events_client.list_rules(EventBusName=NAMES.event_bus)["Rules"]
    }
    assert local_rules == cloud_rules

    sqs = moto_world.client("sqs")
    local_queues: dict[str, int | None] = {}
    for url in sqs.list_queues(QueueNamePrefix=NAMES.prefix)["QueueUrls"]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"]) if "RedrivePolicy" in attributes else None
        local_queues[url.rsplit("/", 1)[1]] = redrive["maxReceiveCount"] if redrive else None
    cloud_queues = {
        q["Properties"]["QueueName"]: (q["Properties"].get("RedrivePolicy") or {}).get("maxReceiveCount")
        for q in resources(template, "AWS::SQS::Queue").values()
    }
    # Locally only: the SNS stand-in queues (and their DLQs) that moto's missing SNS target needs.
    stand_ins = {name for name in local_queues if "-to-sns" in name}
    assert {k: v for k, v in local_queues.items() if k not in stand_ins} == cloud_queues
    (table,) = resources(templates["database"], "AWS::DynamoDB::GlobalTable").values()
    local_ttl = moto_world.client("dynamodb").describe_time_to_live(TableName=NAMES.table)["TimeToLiveDescription"]
    assert local_ttl["AttributeName"] == table["Properties"]["TimeToLiveSpecification"]["AttributeName"]
    # moto's state is per process: other tiers' deployments may share it, so look at ours only
    local_topics = {name for name in topic_arns(moto_world.client("sns")) if name.startswith(f"{NAMES.prefix}-")}
    cloud_topics = {t["Properties"]["TopicName"] for t in resources(template, "AWS::SNS::Topic").values()}
    assert local_topics == cloud_topics


def test_one_user_pool_two_worlds(templates: dict[str, Template], moto_world: AwsWorld) -> None:
    """The pool `devportal up` provisions in moto is the pool the auth stack deploys: name,
    password policy, role groups and their precedence, the client's sign-in flows."""
    cognito = moto_world.client("cognito-idp")
    local = cognito.describe_user_pool(UserPoolId=moto_world.user_pool_id)["UserPool"]
    (cloud,) = [r["Properties"] for r in resources(templates["auth"], "AWS::Cognito::UserPool").values()]
    assert local["Name"] == cloud["UserPoolName"]
    local_policy = local["Policies"]["PasswordPolicy"]
    for key, value in cloud["Policies"]["PasswordPolicy"].items():
        assert local_policy[key] == value, key
    assert (
        local["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
        is cloud["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    )
    local_groups = {g["GroupName"]: g["Precedence"] for g in cognito.list_groups(UserPoolId=local["Id"])["Groups"]}
    cloud_groups = {
        g["Properties"]["GroupName"]: g["Properties"]["Precedence"]
        for g in resources(templates["auth"], "AWS::Cognito::UserPoolGroup").values()
    }
    assert local_groups == cloud_groups
    client = cognito.describe_user_pool_client(UserPoolId=local["Id"], ClientId=moto_world.client_id)["UserPoolClient"]
    (cloud_client,) = [r["Properties"] for r in resources(templates["auth"], "AWS::Cognito::UserPoolClient").values()]
    assert client["ClientName"] == cloud_client["ClientName"]
    assert set(client["ExplicitAuthFlows"]) == set(cloud_client["ExplicitAuthFlows"])
    assert client.get("GenerateSecret", False) is cloud_client["GenerateSecret"]
