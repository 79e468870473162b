"""What the routes that hand out a version's stored files (its docs page, its document) share:
the version the path names, and a stored object answered inline or, past what a Lambda response
holds, as a redirect to a short-lived presigned URL."""

from __future__ import annotations

from collections.abc import Mapping

from devportal.errors import NotFound
from devportal.http import ApiRequest, ApiResponse
from devportal.identity.access import require
from devportal.registry.models import ApiVersionRecord
from devportal.registry.ports import BlobStore
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal

INLINE_LIMIT_BYTES = 5 * 1024 * 1024
PRESIGNED_SECONDS = 300


def requested_version(request: ApiRequest, portal: Portal) -> ApiVersionRecord:
    """The registered version the path names, for a caller who may read docs; a 404 otherwise."""
    require(request.caller, "docs:read")
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = portal.registry.get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    return record


def stored_object(store: BlobStore, key: str, missing: str, headers: Mapping[str, str]) -> ApiResponse:
    size = store.size(key)
    if size is None:
        raise NotFound(missing)
    if size > INLINE_LIMIT_BYTES:
        return ApiResponse(302, b"", {"Location": store.download_url(key, PRESIGNED_SECONDS)})
    return ApiResponse(200, store.get(key), dict(headers))
