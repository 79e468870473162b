"""What a route's path names, for a caller allowed to see it: a 404 when there is none, a 403 when
the caller may not (shared by the routes that read the same record)."""

from __future__ import annotations

import re

from devportal.errors import FieldError, InvalidParameter, NotFound
from devportal.http import ApiRequest
from devportal.identity.access import require, require_team_member
from devportal.registry.models import ApiVersionRecord, CatalogEntry, Submission
from devportal.specs.openapi import check_api_id, check_version
from devportal.wiring import Portal
from functions.identity_views import profile_of

_SUBMISSION_ID = re.compile(r"^sub-[0-9a-f]{24}$")


def requested_submission(request: ApiRequest, portal: Portal) -> Submission:
    """The submission the path names, for a member of its team or an admin; a 404 otherwise."""
    submission_id = request.path_parameters.get("submissionId", "")
    if not _SUBMISSION_ID.fullmatch(submission_id):
        raise InvalidParameter(
            "`submissionId` is not a submission id.",
            [FieldError(detail="invalid format", parameter="submissionId")],
        )
    caller = request.caller
    submission = portal.registry.get_submission(submission_id)
    if submission is None:
        raise NotFound(f"No submission {submission_id}.")
    require_team_member(caller, profile_of(portal, caller), submission.owner)
    return submission


def requested_version(request: ApiRequest, portal: Portal, permission: str = "docs:read") -> ApiVersionRecord:
    """The registered version the path names, for a caller with `permission`; a 404 otherwise."""
    require(request.caller, permission)
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    version = check_version(request.path_parameters.get("version", ""))
    record = portal.registry.get_version(api_id, version)
    if record is None:
        raise NotFound(f"{api_id} has no registered version {version!r}.")
    return record


def requested_entry(request: ApiRequest, portal: Portal) -> CatalogEntry:
    """The catalog entry of the API the path names, for a caller who may read the catalog; a 404
    when the catalog has no such API."""
    require(request.caller, "catalog:read")
    return _entry(request, portal)


def owned_entry(request: ApiRequest, portal: Portal) -> CatalogEntry:
    """The catalog entry of the API the path names, for a developer of its owning team or an
    admin (403 otherwise); a 404 when the catalog has no such API."""
    entry = _entry(request, portal)
    require_team_member(request.caller, profile_of(portal, request.caller), entry.owner)
    return entry


def _entry(request: ApiRequest, portal: Portal) -> CatalogEntry:
    api_id = check_api_id(request.path_parameters.get("apiId", ""))
    entry = portal.registry.get_catalog_entry(api_id)
    if entry is None:
        raise NotFound(f"No API {api_id!r} is in the catalog.")
    return entry
