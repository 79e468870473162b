"""What the approval routes share: the decision an admin sends, and how a request is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.registry.approval import ApprovalRequest, read_decision
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.identity_views import profile_of
from functions.views import wire_time

logger = Logger()


def decide(request: ApiRequest, portal: Portal, *, approved: bool) -> ApiResponse:
    require(request.caller, "users:manage")  # admins decide
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    body = read_decision(request.json_object())
    by = profile_of(portal, request.caller).email
    asked = portal.decide_approval(api_id, version, approved, body.reason, by, request.correlation_id)
    logger.info("approval decided", api_id=api_id, version=version, approved=approved, by=by)
    return json_response(202, approval_view(request, asked), {"Cache-Control": "no-store"})


def approval_view(request: ApiRequest, asked: ApprovalRequest) -> dict[str, Any]:
    path = f"/apis/{quote(asked.api_id, safe='')}/versions/{quote(asked.version, safe='')}"
    decision = asked.decision
    return {
        "apiId": asked.api_id,
        "version": asked.version,
        "owner": asked.owner,
        "submissionId": asked.submission_id,
        "baseVersion": asked.base_version,
        "status": asked.status,
        "requestedAt": wire_time(asked.requested_at),
        "deadline": wire_time(asked.deadline),
        "breakingCount": asked.breaking_count,
        "breaking": [
            {**change.to_wire(), "consumers": list(asked.consumers.get(change.operation, ()))}
            for change in asked.breaking
        ],
        "decision": None
        if decision is None
        else {
            "approved": decision.approved,
            "by": decision.by,
            "reason": decision.reason,
            "at": wire_time(decision.at),
        },
        "links": {
            "self": request.url(path + "/approval"),
            "approve": request.url(path + "/approve"),
            "reject": request.url(path + "/reject"),
            "submission": request.url(f"/submissions/{asked.submission_id}"),
        },
    }
