"""Handlers' logic with fakes: the composition root takes the fakes, the route and record
functions take the root, and no Lambda event, cache or module state is involved."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from devportal import wiring
from devportal.errors import Forbidden, InvalidParameter, NotFound
from devportal.http import ApiRequest
from devportal.identity.users import UserProfile
from devportal.registry.models import ApiVersionRecord, SubmissionStatus
from devportal.registry.submit import SubmitRequest
from devportal.settings import SpecLimits
from devportal.wiring import Portal
from events.analytics import ApiDailyReportPublished
from events.envelope import new_event
from events.registry import ApiRegistrationRejected, Finding
from functions.get_analytics_report.handler import get_analytics_report
from functions.get_api.handler import get_api
from functions.get_me.handler import get_me
from functions.list_analytics_reports.handler import list_analytics_reports
from functions.list_users.handler import list_users
from functions.submit_spec.handler import submit
from functions.track_submission.handler import record_handler as track
from functions.update_catalog.handler import record_handler as update_catalog
from tests.support.fakes import (
    InMemoryBlobStore,
    InMemoryProfiles,
    InMemoryRegistry,
    InMemoryReportStore,
    RecordingPublisher,
)
from tests.support.specs import petstore_json

DEVELOPER = UserProfile("sub-dev", "dev@example.com", "Dev", "developer", "pets", datetime(2026, 1, 1, tzinfo=UTC))
CLAIMS = {"sub": "sub-dev", "username": "dev", "cognito:groups": "developer", "client_id": "c", "scope": "x"}


def request(
    path: str,
    resource: str,
    *,
    body: bytes = b"",
    query: dict[str, str] | None = None,
    claims: dict[str, str] = CLAIMS,
    **parameters: str,
) -> ApiRequest:
    return ApiRequest(
        method="GET" if not body else "POST",
        path=path,
        resource=resource,
        path_parameters=parameters,
        query=query or {},
        headers={"content-type": "application/json"} if body else {},
        body=body,
        request_id="req-1",
        base_url="https://api.example.com/v1",
        claims=claims,
    )


class Record:
    """What a record handler reads of an SQS record."""

    def __init__(self, body: str) -> None:
        self.body = body


@pytest.fixture
def portal() -> Portal:
    return Portal(
        registry=InMemoryRegistry(),
        specs=InMemoryBlobStore(),
        docs=InMemoryBlobStore(),
        publisher=RecordingPublisher(),
        profiles=InMemoryProfiles(DEVELOPER),
        limits=SpecLimits(),
    )


def test_get_api_reads_the_registry_it_is_given(portal: Portal) -> None:
    with pytest.raises(NotFound):
        get_api(request("/apis/pets", "/apis/{apiId}", apiId="pets"), portal)
    portal.registry.store_version(
        ApiVersionRecord("pets", "1.0.0", "Pets", "pets", "a" * 64, "k", "n", "d", "3.1.0", 2, "sub-1",
                         datetime(2026, 1, 2, tzinfo=UTC))
    )  # fmt: skip
    answered = get_api(request("/apis/pets", "/apis/{apiId}", apiId="pets"), portal)
    body = json.loads(answered.body)
    assert (answered.status, body["latestVersion"], [v["version"] for v in body["versions"]]) == (
        200,
        "1.0.0",
        ["1.0.0"],
    )


def test_submit_announces_through_the_publisher_it_is_given(portal: Portal) -> None:
    answered = submit(request("/apis", "/apis", body=petstore_json()), portal)
    assert answered.status == 202
    publisher = portal.publisher
    assert isinstance(publisher, RecordingPublisher)
    (event,) = publisher.published
    assert event.detail_type == "ApiSpecSubmitted"
    assert event.data.owner == "pets"  # the developer's team, from the profile the root holds


def test_a_consumer_records_an_outcome_once(portal: Portal) -> None:
    outcome = portal.submit_spec(
        SubmitRequest(body=petstore_json(), media_type="application/json", team="pets", correlation_id="c")
    )
    submission = outcome.submission
    rejected = ApiRegistrationRejected(
        submission_id=submission.submission_id,
        api_id=submission.api_id,
        version=submission.version,
        owner="pets",
        workflow_id=submission.workflow_id,
        reason="invalid-spec",
        findings=[Finding(pointer="/info", message="no title", rule="schema", severity="error")],
        findings_truncated=False,
    )
    envelope = new_event(rejected, correlation_id="c", producer="test")
    wire: dict[str, Any] = {"id": "1", "source": envelope.source, "detail-type": envelope.detail_type}
    body = json.dumps({**wire, "detail": envelope.to_wire()})
    for _delivery in range(2):  # at-least-once: the second finds the first one's work done
        track(Record(body), portal)  # type: ignore[arg-type]
    stored = portal.registry.get_submission(submission.submission_id)
    assert stored is not None
    assert (stored.status, [f.pointer for f in stored.findings]) == (SubmissionStatus.REJECTED, ["/info"])


def test_a_route_without_a_profile_is_told_so(portal: Portal) -> None:
    stranger = Portal(profiles=InMemoryProfiles())
    with pytest.raises(NotFound, match="no portal profile"):
        get_me(request("/me", "/me"), stranger)
    assert json.loads(get_me(request("/me", "/me"), portal).body)["team"] == "pets"


def test_users_are_listed_a_page_at_a_time_by_team_for_admins() -> None:
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    people = [UserProfile(f"sub-{n}", f"u{n}@example.com", f"U{n}", "viewer", "pets" if n % 2 else "ops", joined)
              for n in range(5)]  # fmt: skip
    portal = Portal(profiles=InMemoryProfiles(*people))
    admin = {**CLAIMS, "cognito:groups": "admin"}

    def listed(**query: str) -> dict[str, Any]:
        answered = list_users(request("/users", "/users", query=query, claims=admin), portal)
        assert answered.status == 200
        body: dict[str, Any] = json.loads(answered.body)
        return body

    first = listed(limit="2")
    assert ([u["email"] for u in first["items"]], first["nextCursor"]) == (
        ["u0@example.com", "u1@example.com"],
        "u1@example.com",
    )
    rest = listed(limit="2", cursor=first["nextCursor"])
    assert [u["email"] for u in rest["items"]] == ["u2@example.com", "u3@example.com"]
    assert [u["email"] for u in listed(team="pets")["items"]] == ["u1@example.com", "u3@example.com"]
    assert listed(team="pets")["nextCursor"] is None
    with pytest.raises(InvalidParameter, match="cursor"):
        listed(cursor="not an address")
    with pytest.raises(Forbidden, match="users:manage"):
        list_users(request("/users", "/users"), portal)


def test_the_root_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(TypeError, match="cannot be given nonsense"):
        Portal(nonsense=1)  # type: ignore[call-arg]


def test_the_process_root_is_replaceable_and_resettable(portal: Portal) -> None:
    try:
        assert wiring.use(portal) is wiring.portal()
        wiring.reset()
        fresh = wiring.portal()
        assert fresh is not portal
        assert fresh is wiring.portal()
    finally:
        wiring.reset()


def test_daily_reports_are_listed_and_read_by_day(portal: Portal) -> None:
    # Given an API in the catalog with three days reported
    store = InMemoryReportStore()
    root = Portal(registry=portal.registry, report_store=store)
    record = ApiVersionRecord("pets", "1.0.0", "Pets", "pets", "a" * 64, "k", "n", "d", "3.1.0", 2, "sub-1",
                              datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    root.registry.store_version(record)
    root.registry.add_to_catalog(record)
    for day in ("2026-12-01", "2026-12-02", "2026-12-03"):
        store.put(a_report("pets", day))
    listing = "/apis/{apiId}/analytics/reports"
    # When a reader lists them two at a time
    first = list_analytics_reports(request("/apis/pets/analytics/reports", listing, query={"limit": "2"},
                                           apiId="pets"), root)  # fmt: skip
    page = json.loads(first.body)
    # Then the newest come first, and the cursor leads to the rest
    assert [r["day"] for r in page["items"]] == ["2026-12-03", "2026-12-02"]
    assert page["nextCursor"] == "2026-12-02"
    rest = list_analytics_reports(request("/apis/pets/analytics/reports", listing,
                                          query={"cursor": page["nextCursor"]}, apiId="pets"), root)  # fmt: skip
    assert [r["day"] for r in json.loads(rest.body)["items"]] == ["2026-12-01"]
    assert json.loads(rest.body)["nextCursor"] is None
    # and one day reads whole
    one = get_analytics_report(request("/apis/pets/analytics/reports/2026-12-02", listing + "/{day}", apiId="pets",
                                       day="2026-12-02"), root)  # fmt: skip
    assert json.loads(one.body) == a_report("pets", "2026-12-02")
    # A day without a report, an API not in the catalog: 404; a day that is not a day: 400 naming it
    with pytest.raises(NotFound, match="no report of 2026-11-30"):
        get_analytics_report(request("/", listing + "/{day}", apiId="pets", day="2026-11-30"), root)
    with pytest.raises(NotFound):
        list_analytics_reports(request("/", listing, apiId="cats"), root)
    with pytest.raises(InvalidParameter) as refused:
        get_analytics_report(request("/", listing + "/{day}", apiId="pets", day="2026-13-01"), root)
    assert refused.value.errors[0].parameter == "day"
    with pytest.raises(InvalidParameter) as refused:
        list_analytics_reports(request("/", listing, query={"cursor": "last"}, apiId="pets"), root)
    assert refused.value.errors[0].parameter == "cursor"


def test_the_catalog_keeps_the_newest_report_whatever_order_they_arrive_in(portal: Portal) -> None:
    record = ApiVersionRecord("pets", "1.0.0", "Pets", "pets", "a" * 64, "k", "n", "d", "3.1.0", 2, "sub-1",
                              datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    portal.registry.store_version(record)
    portal.registry.add_to_catalog(record)

    def published(day: date) -> Record:
        event = ApiDailyReportPublished(api_id="pets", owner="pets", day=day, headline=f"the {day.day}th",
                                        calls=1, error_rate=0.0, p99_ms=1.0, alerts=0)  # fmt: skip
        envelope = new_event(event, correlation_id="c", producer="p")
        wire = {"id": "1", "source": envelope.source, "detail-type": envelope.detail_type}
        return Record(json.dumps({**wire, "detail": envelope.to_wire()}))

    for day in (date(2026, 12, 3), date(2026, 12, 2), date(2026, 12, 3)):  # late, out of order, again
        update_catalog(published(day), portal)  # type: ignore[arg-type]
    entry = portal.registry.get_catalog_entry("pets")
    assert entry is not None
    assert entry.last_report == (date(2026, 12, 3), "the 3th")
    view = json.loads(get_api(request("/apis/pets", "/apis/{apiId}", apiId="pets"), portal).body)
    assert view["lastReport"] == {"day": "2026-12-03", "headline": "the 3th"}


def a_report(api_id: str, day: str) -> dict[str, Any]:
    """A report as the daily workflow stores it (only what a listing reads is filled in)."""
    return {
        "apiId": api_id, "day": day, "generatedAt": f"{day}T23:59:00Z", "headline": f"report of {day}",
        "alerts": [], "usage": {"totals": {"calls": 3, "errorRate": 0.0, "latencyMs": {"p99": 12.5}}},
    }  # fmt: skip
