"""POST /usage - a service publishes a batch of usage records with its team's key (x-api-key).

202 when every record is accepted; 207 with a problem+json naming each refused record (by index and
JSON pointer) when some are; 422 when none is."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from devportal.errors import FieldError
from devportal.http import ApiRequest, ApiResponse, json_response, problem
from devportal.identity.keys import USAGE_PUBLISH
from devportal.wiring import Portal
from functions.entrypoints import api_function

logger = Logger()


def record_usage(request: ApiRequest, portal: Portal) -> ApiResponse:
    key = portal.api_keys.verify(request.headers.get("x-api-key"), USAGE_PUBLISH)
    recorded = portal.record_usage(request.body, team=key.team, correlation_id=request.correlation_id)
    logger.info(
        "usage recorded",
        batch_id=recorded.batch_id,
        team=key.team,
        key_id=key.key_id,
        accepted=recorded.accepted,
        refused=len(recorded.refused),
        parts=recorded.parts,
    )
    counts = {"batchId": recorded.batch_id, "accepted": recorded.accepted, "refused": len(recorded.refused)}
    if not recorded.refused:
        return json_response(202, counts)
    return problem(
        207,
        "Some usage records were refused",
        f"{recorded.accepted} of {recorded.accepted + len(recorded.refused)} records were accepted and will be "
        f"counted; the {len(recorded.refused)} refused are listed in `errors`, each with the reason. Fix them and "
        "send them in a new batch (a new batchId).",
        slug="usage-partially-accepted",
        request_id=request.request_id,
        field_errors=[FieldError(detail=each.detail, pointer=each.pointer) for each in recorded.refused],
        extensions=counts,
    )


handler = api_function(record_usage)
