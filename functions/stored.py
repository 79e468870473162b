"""What the routes that hand out stored files (a version's docs page and document, a submission's
document) share: a stored object answered inline or, past what a Lambda response holds, as a
redirect to a short-lived presigned URL."""

from __future__ import annotations

from collections.abc import Mapping

from devportal.errors import NotFound
from devportal.http import ApiResponse
from devportal.registry.ports import BlobStore

INLINE_LIMIT_BYTES = 5 * 1024 * 1024
PRESIGNED_SECONDS = 300
MEDIA_TYPES = {"json": "application/json", "yaml": "application/yaml"}  # a stored document's, by format


def stored_object(store: BlobStore, key: str, missing: str, headers: Mapping[str, str]) -> ApiResponse:
    size = store.size(key)
    if size is None:
        raise NotFound(missing)
    if size > INLINE_LIMIT_BYTES:
        return ApiResponse(302, b"", {"Location": store.download_url(key, PRESIGNED_SECONDS)})
    return ApiResponse(200, store.get(key), dict(headers))
