"""GET /submissions/{submissionId}/document - the document as submitted, so its findings can be
read where they are. Rejected documents are kept too: they are what the findings point into.

Documents over what a Lambda response holds are answered with a redirect to a short-lived
presigned URL of the stored document."""

from __future__ import annotations

from devportal.http import ApiRequest, ApiResponse
from devportal.wiring import Portal
from functions.entrypoints import api_function
from functions.requested import requested_submission
from functions.stored import MEDIA_TYPES, stored_object


def get_submission_document(request: ApiRequest, portal: Portal) -> ApiResponse:
    submission = requested_submission(request, portal)
    return stored_object(
        portal.specs,
        submission.spec_key,
        f"The document of {submission.submission_id} is missing.",
        {
            "Content-Type": f"{MEDIA_TYPES[submission.format]}; charset=utf-8",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300, immutable",  # a submission's document never changes
        },
    )


handler = api_function(get_submission_document)
