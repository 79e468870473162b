"""Tasks `Delivered`, `Skipped` and `Failed` of state_machines/notify.asl.json: the round's outcome
on the delivery; a failure is announced (`NotificationFailed`) and its event handed back for the
failed-deliveries queue."""

from __future__ import annotations

from typing import Any

from devportal.notify.deliver import Step
from devportal.wiring import Portal
from functions.entrypoints import task_function


def finish_delivery(event: dict[str, Any], portal: Portal) -> dict[str, Any]:
    return portal.finish_delivery.finish(Step.of(event), event.get("outcome") or {})


handler = task_function(finish_delivery)
