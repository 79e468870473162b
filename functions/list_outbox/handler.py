"""GET /mail/outbox - what the portal's mail service was asked to send, newest first (admins): on a
local stack, SES in moto keeps every message; in AWS mail leaves through SES, which keeps no copy."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.wiring import Portal
from functions.entrypoints import api_function

MAX_SHOWN = 200


def list_outbox(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "users:manage")
    if portal.outbox is None:
        raise NotFound(
            "There is no outbox here: mail leaves through SES, which keeps no copy. Each subscription's "
            "deliveries say what was sent to it, and when."
        )
    sent = portal.outbox.sent()
    items = [mail.wire() for mail in reversed(sent[-MAX_SHOWN:])]
    return json_response(200, {"items": items, "total": len(sent)}, {"Cache-Control": "no-store"})


handler = api_function(list_outbox)
