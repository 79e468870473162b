"""GET /apis/{apiId}/test-runs - the API's runs, newest first: each one's status, score and
coverage, so a page can draw their trend."""

from __future__ import annotations

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_entry

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR = 1024


def list_test_runs(request: ApiRequest, portal: Portal) -> ApiResponse:
    api_id = requested_entry(request, portal).api_id
    limit = request.page_limit(DEFAULT_LIMIT, MAX_LIMIT)
    cursor = request.query_param("cursor")
    if cursor is not None and not 1 <= len(cursor) <= MAX_CURSOR:
        raise InvalidParameter(
            f"`cursor` is at most {MAX_CURSOR} characters: pass the `nextCursor` of the previous page.",
            [FieldError(detail="too long", parameter="cursor")],
        )
    runs, next_cursor = portal.test_runs.page(api_id, limit=limit, cursor=cursor)
    return json_response(
        200, {"apiId": api_id, "items": runs, "nextCursor": next_cursor}, {"Cache-Control": "no-store"}
    )


handler = api_function(list_test_runs)
