"""Task `SendWebhook` of state_machines/notify.asl.json: the Standard Webhooks POST of one
attempt. `RetryableDelivery` (timeout, no connection, 429, 5xx) is retried by the state machine
with backoff and jitter; `DeliveryRefused` (another 4xx, a redirect, a refused address) is not."""

from __future__ import annotations

from typing import Any

from devportal.notify.deliver import Step
from devportal.wiring import Portal
from functions.entrypoints import task_function


def send_webhook(event: dict[str, Any], portal: Portal) -> dict[str, Any]:
    return portal.send_webhook.send(Step.of(event))


handler = task_function(send_webhook)
