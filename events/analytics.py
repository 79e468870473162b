"""Events of the analytics domain (source `devportal.analytics`)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from events.envelope import DomainEvent, WireModel

_API_ID = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_VERSION = r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$"
# What a service may name a batch or a consumer with: printable ASCII without spaces, so that ids
# read back the same in a report, a log line and a key.
_PRINTABLE_ID = r"^[!-~]{1,128}$"

MAX_RECORDS = 500
MAX_LATENCY_MS = 3_600_000.0  # an hour: anything longer is a clock error, not a latency
HttpMethod = Literal["get", "put", "post", "delete", "options", "head", "patch", "trace"]


class UsageRecord(WireModel):
    """One call to an API the portal catalogs, as the service that served it saw it. The operation
    is named by `operationId`, or by `method` and `path` (the path template, or the path called)."""

    api_id: str = Field(pattern=_API_ID)
    version: str = Field(pattern=_VERSION)
    operation_id: str | None = Field(default=None, min_length=1, max_length=256)
    method: HttpMethod | None = None
    path: str | None = Field(default=None, pattern=r"^/", max_length=1024)
    status: int = Field(strict=True, ge=100, le=599)
    latency_ms: float = Field(strict=True, ge=0, le=MAX_LATENCY_MS, allow_inf_nan=False)
    timestamp: AwareDatetime
    consumer_id: str = Field(pattern=_PRINTABLE_ID)

    @field_validator("method", mode="before")
    @classmethod
    def _method_in_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) and value.upper() == value else value

    @model_validator(mode="after")
    def _names_its_operation(self) -> UsageRecord:
        if self.operation_id is None and (self.method is None or self.path is None):
            raise ValueError("name the operation: give `operationId`, or `method` and `path`")
        return self


class ApiUsageRecorded(DomainEvent):
    """Calls that a service publishing with a key of team `publisher` reported, already checked one
    by one. A batch larger than an event can carry travels as several parts of one `batchId`."""

    DETAIL_TYPE: ClassVar[str] = "ApiUsageRecorded"
    SOURCE: ClassVar[str] = "devportal.analytics"

    batch_id: str = Field(pattern=_PRINTABLE_ID)
    part: int = Field(default=0, ge=0, lt=MAX_RECORDS)
    publisher: str = Field(pattern=_API_ID, description="the team whose service key published the batch")
    records: list[UsageRecord] = Field(min_length=1, max_length=MAX_RECORDS)


HealthRule = Literal["error-rate", "latency-p99", "traffic"]


class HealthEvidence(WireModel):
    """What the hour looked like against the rule's line: its calls, and for the rules the
    server errors, the p99 or the trailing weeks the traffic was compared with."""

    model_config = WireModel.model_config | {"extra": "allow"}

    hour: AwareDatetime
    calls: int = Field(ge=0)


class _HealthChange(DomainEvent):
    SOURCE: ClassVar[str] = "devportal.analytics"

    alert_id: str = Field(min_length=1, max_length=160, description="the same id in the degradation and its recovery")
    api_id: str = Field(pattern=_API_ID)
    owner: str = Field(pattern=_API_ID, description="the team that owns the API")
    rule: HealthRule
    hour: AwareDatetime = Field(description="the start of the hour that crossed the line (or came back under it)")
    value: float = Field(description="5xx share, p99 in ms, or standard deviations from the trailing weeks")
    line: float = Field(description="the threshold in effect for the API")
    summary: str = Field(max_length=500, description="the same, as a sentence an owner reads")
    evidence: HealthEvidence


class ApiHealthDegraded(_HealthChange):
    """An hour of a cataloged API crossed one of the seed's health lines; the alert stays open
    until a later hour is back under 80 % of the line."""

    DETAIL_TYPE: ClassVar[str] = "ApiHealthDegraded"


class ApiHealthRecovered(_HealthChange):
    """An open health alert closed: a later hour came back under 80 % of the line."""

    DETAIL_TYPE: ClassVar[str] = "ApiHealthRecovered"

    since: AwareDatetime = Field(description="the hour the alert opened")


class ApiTrafficStarted(DomainEvent):
    """The first usage of a cataloged API was counted: from now on its health is checked every
    hour and its analytics report written every day."""

    DETAIL_TYPE: ClassVar[str] = "ApiTrafficStarted"
    SOURCE: ClassVar[str] = "devportal.analytics"

    api_id: str = Field(pattern=_API_ID)
    owner: str = Field(pattern=_API_ID)
    since: AwareDatetime = Field(description="the hour of the first call counted")


class ApiDailyReportPublished(DomainEvent):
    """The seed's analytics workflow kept an API's report of one day (UTC): what the day's usage
    was, in a sentence and a few figures; the whole report is at
    GET /apis/{apiId}/analytics/reports/{day}."""

    DETAIL_TYPE: ClassVar[str] = "ApiDailyReportPublished"
    SOURCE: ClassVar[str] = "devportal.analytics"

    api_id: str = Field(pattern=_API_ID)
    owner: str = Field(pattern=_API_ID)
    day: date = Field(description="the day reported, in UTC")
    headline: str = Field(max_length=500, description="the day in a sentence an owner reads")
    calls: int = Field(ge=0)
    error_rate: float | None = Field(ge=0, le=1, description="the share of calls answered 5xx; null without calls")
    p99_ms: float | None = Field(ge=0, description="the day's 99th percentile latency; null without calls")
    alerts: int = Field(ge=0, description="health alerts open at some time of the day")
