"""GET /catalog/search - APIs and their operations by a few words, filtered, sorted, a page at a time."""

from __future__ import annotations

from typing import Any, cast

from devportal.errors import FieldError, InvalidParameter
from devportal.http import ApiRequest, ApiResponse, json_response
from devportal.identity.access import require
from devportal.search.index import Hit, Sort
from devportal.specs.openapi import check_team
from devportal.wiring import Portal
from functions.entrypoints import api_function

SORTS = ("relevance", "title", "updated")
STATUSES = ("active", "deprecated", "retired")
MAX_QUERY_CHARS = 200
MAX_OFFSET = 10_000


def search_catalog(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "catalog:read")
    query = request.query.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidParameter(
            f"`q` is at most {MAX_QUERY_CHARS} characters.", [FieldError(detail="too long", parameter="q")]
        )
    owner, status, sort = request.query_param("owner"), request.query_param("status"), request.query_param("sort")
    if status is not None and status not in STATUSES:
        raise InvalidParameter(
            f"`status` is one of {', '.join(STATUSES)}.", [FieldError(detail="unknown status", parameter="status")]
        )
    if sort is not None and sort not in SORTS:
        raise InvalidParameter(
            f"`sort` is one of {', '.join(SORTS)}.", [FieldError(detail="unknown order", parameter="sort")]
        )
    raw_offset = request.query.get("offset", "0")
    if not raw_offset.isdigit() or int(raw_offset) > MAX_OFFSET:
        raise InvalidParameter(
            f"`offset` must be an integer from 0 to {MAX_OFFSET}.", [FieldError(detail="invalid", parameter="offset")]
        )
    result = portal.catalog_index.current().search(
        query,
        owner=check_team(owner, parameter="owner") if owner is not None else None,
        status=status,
        sort=cast(Sort, sort) if sort is not None else None,
        limit=request.page_limit(),
        offset=int(raw_offset),
    )
    return json_response(
        200,
        {
            "total": result.total,
            "items": [_hit_view(hit) for hit in result.hits],
            "facets": {
                "owners": [{"value": f.value, "count": f.count} for f in result.owners],
                "statuses": [{"value": f.value, "count": f.count} for f in result.statuses],
            },
        },
        {"Cache-Control": "private, no-cache"},
    )


def _hit_view(hit: Hit) -> dict[str, Any]:
    document = hit.document
    return {
        "apiId": document.api_id,
        "title": document.title,
        "owner": document.owner,
        "latestVersion": document.version,
        "status": document.status,
        "description": document.description,
        "tags": list(document.tags),
        "operationCount": document.operation_count,
        "updatedAt": document.updated_at.isoformat().replace("+00:00", "Z"),
        "score": hit.score,
        "operations": [
            {"method": o.method, "path": o.path, "summary": o.summary, "operationId": o.operation_id}
            for o in hit.operations
        ],
    }


handler = api_function(search_catalog)
