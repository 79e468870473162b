"""moto-backed AWS for integration tests: one server per session, fresh resources per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from devportal import wiring
from devportal.names import ResourceNames
from devportal_local.config import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, REGION, aws_environment
from devportal_local.provision import provision


def reset_process_caches() -> None:
    """Settings and adapters are built once per process (a Lambda cold start); tests change the
    environment between tests, so each starts with a fresh composition root."""
    wiring.reset()


@dataclass
class AwsWorld:
    endpoint: str
    names: ResourceNames
    user_pool_id: str = ""
    client_id: str = ""

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=AWS_ACCESS_KEY_ID,
            aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
        )

    def queue_url(self, name: str) -> str:
        url: str = self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        return url

    def consumed(self, queue: str, wait_seconds: int = 2) -> list[dict[str, Any]]:
        """What reaches a consumer's `queue`, the SNS fan-outs forwarded first as the local pollers
        do all the time (an event with several consumers reaches them through its topic)."""
        from devportal_local.pollers import sns_forward_target
        from devportal_local.provision import topic_arns
        from functions.topology import routing

        topics = topic_arns(self.client("sns"))
        for rule in routing(self.names).rules:
            if rule.target_kind == "topic":
                stand_in = self.names.fanout_queue(rule.event.detail_type)
                waiting = self.drain(stand_in, wait_seconds=0)
                if waiting:
                    assert sns_forward_target(stand_in, topics[rule.target_name]).deliver(waiting) == set()
        return self.drain(queue, wait_seconds)

    def drain(self, queue: str, wait_seconds: int = 2) -> list[dict[str, Any]]:
        """Receive and delete everything that arrives within `wait_seconds`."""
        sqs, url = self.client("sqs"), self.queue_url(queue)
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)
            wait_seconds = 0


def aws_world(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsWorld]:
    names = ResourceNames(f"t{uuid.uuid4().hex[:10]}")
    for key, value in aws_environment(endpoint, names).items():
        monkeypatch.setenv(key, value)
    reset_process_caches()
    provisioned = provision(
        names,
        visibility_timeout_seconds=1,
        portal_url="http://portal.test",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
    for key, value in provisioned.environment(endpoint).items():
        monkeypatch.setenv(key, value)
    yield AwsWorld(endpoint, names, provisioned.user_pool.pool_id, provisioned.user_pool.client_id)
    reset_process_caches()
