"""Notifications' AWS adapters: the state machine's executions (Step Functions), webhook signing
secrets (Secrets Manager), e-mail (SES v2), and the webhook POST (HTTP through the address check)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient
from devportal.notify.deliver import DeliveryRefused
from devportal.testing.targets import RefusedTarget, TargetPolicy, pinned_session

ROTATION_GRACE = timedelta(hours=24)
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_BODY_CAP = 4096  # what is read of a receiver's answer (and then ignored)


class StepFunctionsExecutions:
    def __init__(self, state_machine_arn: str, client: Any = None) -> None:
        self._arn = state_machine_arn
        self._client: LazyClient[Any] = LazyClient("stepfunctions", client)

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        try:
            self._client().start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(payload))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise
        return True


class SecretsManagerSigningSecrets:
    """One secret per webhook subscription, `<prefix><subscriptionId>`, holding the current signing
    secret and, for a day after a rotation, the previous one."""

    def __init__(self, prefix: str, now: Callable[[], datetime], client: Any = None) -> None:
        self._prefix = prefix
        self._now = now
        self._client: LazyClient[Any] = LazyClient("secretsmanager", client)

    def _id(self, subscription_id: str) -> str:
        return f"{self._prefix}{subscription_id}"

    def create(self, subscription_id: str, secret: str, *, team: str) -> None:
        # The cost allocation tags every stack puts on what it makes (the prefix is
        # <deployment>/webhook-secrets/), and the team the secret belongs to.
        deployment = self._prefix.split("/", 1)[0]
        tags = {"project": "devportal", "stage": deployment.removeprefix("devportal-"), "deployment": deployment}
        self._client().create_secret(
            Name=self._id(subscription_id),
            SecretString=json.dumps({"current": secret}),
            Description="devportal webhook signing secret (Standard Webhooks)",
            Tags=[{"Key": key, "Value": value} for key, value in {**tags, "team": team}.items()],
        )

    def _read(self, subscription_id: str) -> dict[str, str]:
        value = self._client().get_secret_value(SecretId=self._id(subscription_id))
        read: dict[str, str] = json.loads(value["SecretString"])
        return read

    def current(self, subscription_id: str) -> list[str]:
        value = self._read(subscription_id)
        secrets = [value["current"]]
        rotated = value.get("rotatedAt")
        if value.get("previous") and rotated and self._now() - datetime.fromisoformat(rotated) < ROTATION_GRACE:
            secrets.append(value["previous"])
        return secrets

    def rotate(self, subscription_id: str, secret: str) -> None:
        previous = self._read(subscription_id)["current"]
        self._client().put_secret_value(
            SecretId=self._id(subscription_id),
            SecretString=json.dumps(
                {"current": secret, "previous": previous, "rotatedAt": self._now().astimezone(UTC).isoformat()}
            ),
        )

    def delete(self, subscription_id: str) -> None:
        try:
            self._client().delete_secret(SecretId=self._id(subscription_id), ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise


class SesMailer:
    def __init__(self, sender: str, configuration_set: str | None, client: Any = None) -> None:
        self._sender = sender
        self._configuration_set = configuration_set
        self._client: LazyClient[Any] = LazyClient("sesv2", client)

    def send(self, to: str, subject: str, text: str) -> str:
        sent = self._client().send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
            **({"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}),
        )
        return str(sent["MessageId"])


class PinnedWebhookPoster:
    """One POST per attempt: the host resolved once and checked (the policy of contract-test
    targets), the connection pinned to that address, no redirect followed, 10 s for the whole
    answer, at most a few KiB of it read."""

    def __init__(self, policy: TargetPolicy, timeout_seconds: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self._session = pinned_session(policy, max_body_bytes=WEBHOOK_BODY_CAP, cut_long_bodies=True, max_redirects=0)
        self._timeout = timeout_seconds
        # requests' timeouts are per socket operation: a receiver answering a byte at a time
        # would never trip them. The POST runs on a thread the attempt stops waiting for once the
        # whole answer is late (the thread ends at the next per-operation timeout at most).
        self._posting = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-post")

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        started = time.perf_counter()
        posted = self._posting.submit(
            self._session.post, url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False
        )
        try:
            response = posted.result(timeout=self._timeout)
        except FutureTimeout:
            posted.cancel()
            raise ConnectionError(f"no whole answer within {self._timeout:g} s") from None
        except RefusedTarget as refused:
            raise DeliveryRefused(str(refused)) from None
        except requests.exceptions.ConnectTimeout:
            raise ConnectionError(f"no connection within {self._timeout:g} s") from None
        except requests.exceptions.ReadTimeout:
            raise ConnectionError(f"no answer within {self._timeout:g} s") from None
        except requests.exceptions.RequestException as error:
            reason = _ERRNO.search(str(error))
            raise ConnectionError(
                f"could not connect: {reason.group(1).lower() if reason else type(error).__name__}"
            ) from None
        return response.status_code, _elapsed(started)


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
