"""Task `Render` of state_machines/notify.asl.json: the delivery's subscription still wants it (or
why not), and for e-mail the message SES sends."""

from __future__ import annotations

from typing import Any

from devportal.notify.deliver import Step
from devportal.wiring import Portal
from functions.entrypoints import task_function


def render_notification(event: dict[str, Any], portal: Portal) -> dict[str, Any]:
    return portal.render_delivery.render(Step.of(event))


handler = task_function(render_notification)
