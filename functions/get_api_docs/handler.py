"""GET /apis/{apiId}/versions/{version}/docs - the rendered documentation page.

Lambda responses are capped at 6 MB; larger pages (GitHub's API renders to ~12 MB) are answered
with a redirect to a short-lived presigned URL of the page in the docs bucket."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version
from functions.stored import stored_object

_PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300, immutable",
}


def get_api_docs(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal)
    return stored_object(
        portal.docs,
        record.docs_key,
        f"The documentation of {record.api_id} {record.version} is missing.",
        _PAGE_HEADERS,
    )


handler = api_function(get_api_docs)
