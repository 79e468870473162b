"""GET /apis/{apiId}/versions/{version}/spec - the document as submitted, JSON or YAML, to download.

Documents over what a Lambda response holds are answered with a redirect to a short-lived
presigned URL of the stored document."""

from __future__ import annotations

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse
from devportal.identity.access import require
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.entrypoints import api_function

INLINE_LIMIT_BYTES = 5 * 1024 * 1024
PRESIGNED_SECONDS = 300
_MEDIA_TYPES = {"json": "application/json", "yaml": "application/yaml"}


def get_api_spec(request: ApiRequest, portal: Portal) -> ApiResponse:
    require(request.caller, "docs:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = portal.registry.get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    submission = portal.registry.get_submission(record.submission_id)
    spec_format = submission.format if submission is not None else "json"
    size = portal.specs.size(record.spec_key)
    if size is None:
        raise NotFound(f"The document of {api_id} {version} is missing.")
    if size > INLINE_LIMIT_BYTES:
        return ApiResponse(302, b"", {"Location": portal.specs.download_url(record.spec_key, PRESIGNED_SECONDS)})
    return ApiResponse(
        200,
        portal.specs.get(record.spec_key),
        {
            "Content-Type": f"{_MEDIA_TYPES[spec_format]}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{api_id}-{version}.{spec_format}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300, immutable",
        },
    )


handler = api_function(get_api_spec)
