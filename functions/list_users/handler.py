"""GET /users - the portal's users, a page at a time (admins)."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.identity.users import check_email
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function


def list_users(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "users:manage")
    team, cursor = request.query_param("team"), request.query_param("cursor")
    page = portal.profiles.list_profiles(
        team=check_team(team) if team is not None else None,
        limit=request.page_limit(),
        after=check_email(cursor, parameter="cursor") if cursor is not None else None,
    )
    return json_response(200, {"items": [p.view() for p in page.profiles], "nextCursor": page.next_cursor})


handler = api_function(list_users)
