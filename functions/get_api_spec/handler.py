"""GET /apis/{apiId}/versions/{version}/spec - the document as submitted, JSON or YAML, to download.

Documents over what a Lambda response holds are answered with a redirect to a short-lived
presigned URL of the stored document."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_version
from functions.stored import MEDIA_TYPES, stored_object


def get_api_spec(request: ApiRequest, portal: Portal) -> ApiResponse:
    record = requested_version(request, portal)
    submission = portal.registry.get_submission(record.submission_id)
    spec_format = submission.format if submission is not None else "json"
    return stored_object(
        portal.specs,
        record.spec_key,
        f"The document of {record.api_id} {record.version} is missing.",
        {
            "Content-Type": f"{MEDIA_TYPES[spec_format]}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{record.api_id}-{record.version}.{spec_format}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300, immutable",
        },
    )


handler = api_function(get_api_spec)
