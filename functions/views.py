"""JSON shapes of registry records as the gateway contract defines them (contracts/gateway.openapi.yaml)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from devportal.http import ApiRequest
from devportal.registry.models import ApiVersionRecord, CatalogEntry, StoredRuleset, Submission, SubmissionStatus
from devportal.specs.lint import RULES


def wire_time(value: Any) -> str:
    return str(value.isoformat(timespec="milliseconds").replace("+00:00", "Z"))


def version_path(api_id: str, version: str) -> str:
    return f"/apis/{quote(api_id, safe='')}/versions/{quote(version, safe='')}"


def submission_view(request: ApiRequest, s: Submission, temporal_ui_url: str | None) -> dict[str, Any]:
    """`temporal_ui_url`: the namespace's page in the Temporal Web UI, when the portal knows it."""
    view: dict[str, Any] = {
        "submissionId": s.submission_id,
        "apiId": s.api_id,
        "version": s.version,
        "owner": s.owner,
        "status": s.status.value,
        "sha256": s.sha256,
        "sizeBytes": s.size_bytes,
        "format": s.format,
        "submittedAt": wire_time(s.submitted_at),
        "updatedAt": wire_time(s.updated_at),
        "workflowId": s.workflow_id,
        "links": {
            "self": request.url(f"/submissions/{s.submission_id}"),
            "document": request.url(f"/submissions/{s.submission_id}/document"),
        },
    }
    if s.step is not None and s.status is SubmissionStatus.REGISTERING:
        view["step"] = s.step.value
    if temporal_ui_url is not None:
        view["links"]["workflow"] = f"{temporal_ui_url}/workflows/{quote(s.workflow_id, safe='')}"
    if s.status is SubmissionStatus.REGISTERED:
        view["links"]["version"] = request.url(version_path(s.api_id, s.version))
        view["links"]["docs"] = request.url(version_path(s.api_id, s.version) + "/docs")
    if s.status is SubmissionStatus.REJECTED:
        view["reason"] = s.reason
        view["findings"] = [
            {"pointer": f.pointer, "message": f.message, "rule": f.rule, "severity": f.severity} for f in s.findings
        ]
        view["findingsTruncated"] = s.findings_truncated
    return view


def version_view(request: ApiRequest, r: ApiVersionRecord) -> dict[str, Any]:
    path = version_path(r.api_id, r.version)
    return {
        "apiId": r.api_id,
        "version": r.version,
        "title": r.title,
        "owner": r.owner,
        "status": r.status,
        "sunset": r.sunset.isoformat() if r.sunset is not None else None,
        "statusChangedAt": wire_time(r.status_changed_at) if r.status_changed_at is not None else None,
        "openapiVersion": r.openapi_version,
        "operationCount": r.operation_count,
        "sha256": r.sha256,
        "registeredAt": wire_time(r.registered_at),
        "submissionId": r.submission_id,
        "lint": dict(r.lint) if r.lint is not None else None,
        "links": {
            "self": request.url(path),
            "docs": request.url(path + "/docs"),
            "api": request.url(f"/apis/{quote(r.api_id, safe='')}"),
            "lint": request.url(path + "/lint"),
        },
    }


def ruleset_view(stored: StoredRuleset) -> dict[str, Any]:
    return {
        "team": stored.team,
        "ruleset": stored.ruleset.to_wire(),
        "effective": {rule.id: stored.ruleset.level_of(rule) for rule in RULES},
        "updatedBy": stored.updated_by,
        "updatedAt": wire_time(stored.updated_at) if stored.updated_at else None,
    }


def catalog_view(request: ApiRequest, e: CatalogEntry) -> dict[str, Any]:
    return {
        "apiId": e.api_id,
        "title": e.title,
        "owner": e.owner,
        "latestVersion": e.latest_version,
        "health": "degraded" if e.degraded else "healthy",
        "degradedRules": list(e.degraded),
        "lastReport": None
        if e.last_report is None
        else {"day": e.last_report[0].isoformat(), "headline": e.last_report[1]},
        "lastTestRun": None if e.last_test_run is None else dict(e.last_test_run),
        "links": {
            "self": request.url(f"/apis/{quote(e.api_id, safe='')}"),
            "latest": request.url(version_path(e.api_id, e.latest_version)),
            "docs": request.url(version_path(e.api_id, e.latest_version) + "/docs"),
        },
    }


def test_run_view(run: dict[str, Any], temporal_ui_url: str | None) -> dict[str, Any]:
    """A test run as GET /test-runs/{runId} shows it: the record, its results once it ended, and
    where ops watch it."""
    view = {key: value for key, value in run.items() if key != "result"}
    result = run.get("result")
    if result is not None:
        view["results"] = {
            key: result[key] for key in ("coverage", "checks", "byCheck", "operations", "cases") if key in result
        }
        if result.get("error"):
            view["error"] = result["error"]
    workflow_id = str(run.get("workflowId", ""))
    if temporal_ui_url is not None and workflow_id:
        view["workflowUrl"] = f"{temporal_ui_url}/workflows/{quote(workflow_id, safe='')}"
    return view


def test_schedule_view(schedule: dict[str, Any], temporal_ui_url: str | None) -> dict[str, Any]:
    """A test schedule as the gateway shows it, with its page in the Temporal Web UI."""
    view = dict(schedule)
    if temporal_ui_url is not None:
        view["scheduleUrl"] = f"{temporal_ui_url}/schedules/{quote(str(schedule['scheduleId']), safe='')}"
    return view
