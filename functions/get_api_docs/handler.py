"""GET /apis/{apiId}/versions/{version}/docs - the rendered documentation page.

Lambda responses are capped at 6 MB; larger pages (GitHub's API renders to ~12 MB) are answered
with a redirect to a short-lived presigned URL of the page in the docs bucket."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.entrypoints import api_function

INLINE_LIMIT_BYTES = 5 * 1024 * 1024
PRESIGNED_SECONDS = 300
_PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300, immutable",
}


def get_api_docs(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "docs:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = portal.registry.get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    docs = portal.docs
    size = docs.size(record.docs_key)
    if size is None:
        raise NotFound(f"The documentation of {api_id} {version} is missing.")
    if size > INLINE_LIMIT_BYTES:
        return ApiResponse(302, b"", {"Location": docs.download_url(record.docs_key, PRESIGNED_SECONDS)})
    return ApiResponse(200, docs.get(record.docs_key), dict(_PAGE_HEADERS))


handler = api_function(get_api_docs)
