"""Contract test runs: what a team sets up (environments, limits), how a run is asked for, and
the record each run keeps from `queued` to its outcome.

A run is asked for three ways - by the team through the gateway, after a registration of an API
that opted in, by the API's schedule - and each way ends here, in `RequestTestRun`: the run record
is written (once per run id) and `TestRunRequested` published; the bridge starts the workflow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator

from devportal.bodies import JsonBody, JsonInteger, invalid_body
from devportal.errors import ConstraintViolated, FieldError, InvalidParameter, NotFound, TargetRefused
from devportal.registry.models import ApiVersionRecord
from devportal.registry.ports import EventPublisher
from events.envelope import new_event
from events.testing import ENVIRONMENT, RUN_ID, TestRunRequested, TestTargetRef, Trigger

ACTIVE = ("queued", "running")
PRODUCER = "devportal.testing"
SECRET_NAME = r"^[A-Za-z0-9/_+=.@-]{1,256}$"  # noqa: S105 - a pattern, not a secret


class CredentialRef(JsonBody):
    """Where the credential a target wants lives: a Secrets Manager secret (its name under the
    portal's test-credentials prefix) and how it is sent. The value is read by the worker only."""

    secret: str = Field(pattern=SECRET_NAME, description="the secret's name after the prefix")
    scheme: Literal["bearer", "api-key"]
    header: str = Field(default="Authorization", pattern=r"^[A-Za-z0-9-]{1,64}$")


class TestEnvironment(JsonBody):
    __test__ = False
    name: str = Field(pattern=ENVIRONMENT)
    base_url: AnyHttpUrl
    unsafe_methods: bool = Field(
        default=False, description="send POST, PUT, PATCH and DELETE too (they change data on the target)"
    )
    credential: CredentialRef | None = None

    @field_validator("base_url")
    @classmethod
    def _no_userinfo(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.username or value.password:
            raise ValueError("put the credential in `credential`, not in the URL")
        if value.query or value.fragment:
            raise ValueError("a base URL has no query or fragment")
        return value


class TestSettings(JsonBody):
    """An API's contract-test settings, set by its team."""

    __test__ = False

    environments: list[TestEnvironment] = Field(default_factory=list, max_length=10)
    run_after_registration: bool = Field(
        default=False, description="test each newly registered version against the base URL its spec declares"
    )
    concurrency: JsonInteger = Field(default=2, ge=1, le=8, description="batches (operations) tested at the same time")
    requests_per_second: float = Field(default=20, ge=0.5, le=500)
    timeout_ms: JsonInteger = Field(default=5000, ge=100, le=30_000, description="how long one request may take")
    latency_ms: JsonInteger = Field(default=2000, ge=10, le=60_000, description="slower answers fail the latency check")
    max_examples: JsonInteger = Field(default=10, ge=1, le=200, description="generated cases per operation and mode")

    def environment(self, name: str) -> TestEnvironment | None:
        return next((environment for environment in self.environments if environment.name == name), None)

    def named(self, api_id: str, name: str) -> TestEnvironment:
        """The environment `name` of `api_id`, or a 422 saying where the team sets environments."""
        environment = self.environment(name)
        if environment is None:
            raise TargetRefused(
                f"{api_id} has no test environment {name!r}; its team sets environments "
                f"with PUT /apis/{api_id}/test-settings.",
                [FieldError(detail="no such environment", pointer="/environment")],
            )
        return environment


def check_settings(body: Mapping[str, Any]) -> TestSettings:
    """The settings in a PUT body: a 400 naming each member its schema refuses, a 422 for an
    environment name given twice (a rule the schema cannot say)."""
    try:
        settings = TestSettings.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The test settings", error) from None
    seen: dict[str, int] = {}
    for index, environment in enumerate(settings.environments):
        if environment.name in seen:
            raise ConstraintViolated(
                f"Environment {environment.name!r} is named twice (environments/{seen[environment.name]} and "
                f"environments/{index}); each environment needs a name of its own.",
                [FieldError(detail="name already used", pointer=f"/environments/{index}/name")],
            )
        seen[environment.name] = index
    return settings


def check_run_id(run_id: str) -> str:
    if not re.fullmatch(RUN_ID, run_id):
        raise InvalidParameter(
            "`runId` is not a test run id (tr- and 24 hex digits).",
            [FieldError(detail="invalid format", parameter="runId")],
        )
    return run_id


def run_id_for(*parts: str) -> str:
    """A run id derived from what asked for it (a submission, a schedule's firing): asked twice,
    it is the same run."""
    return "tr-" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def new_run_id() -> str:
    return "tr-" + uuid.uuid4().hex[:24]


def workflow_id_for(run_id: str) -> str:
    return f"devportal-test-run-{run_id}"


@dataclass(frozen=True)
class RunRef:
    """A stored run as its workflow knows it: the id and the search attributes ops filter by."""

    run_id: str
    api_id: str
    version: str
    owner: str

    @classmethod
    def of(cls, run: Mapping[str, Any]) -> RunRef:
        return cls(str(run["runId"]), str(run["apiId"]), str(run["version"]), str(run["owner"]))


def declared_base_url(document: Mapping[str, Any]) -> str | None:
    """The first absolute http(s) server URL the spec declares (3.x `servers`, 2.0 host)."""
    servers = document.get("servers")
    if isinstance(servers, list):
        for server in servers:
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str) and url.startswith(("http://", "https://")) and "{" not in url:
                return url.rstrip("/")
    host = document.get("host")
    if isinstance(host, str) and host:
        schemes = document.get("schemes") or ["https"]
        scheme = "https" if "https" in schemes else str(schemes[0])
        return f"{scheme}://{host}{document.get('basePath', '')}".rstrip("/")
    return None


class TestRunStore(Protocol):
    """Test runs and each API's test settings (adapter: devportal.adapters.testruns)."""

    def create(self, run: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Write a new run record; (the record, True), or (the record already there, False)."""
        ...

    def get(self, run_id: str) -> dict[str, Any] | None: ...

    def start(self, run_id: str, *, cases_total: int, operations: int, started_at: datetime) -> None:
        """Mark a queued run running, with its planned totals (a repeat changes nothing)."""
        ...

    def put_batch(self, run_id: str, batch: int, outcome: Mapping[str, Any]) -> bool:
        """Keep one batch's outcome and count its cases done - once: False if it was already kept."""
        ...

    def batch(self, run_id: str, batch: int) -> dict[str, Any] | None: ...

    def batches(self, run_id: str) -> dict[int, dict[str, Any]]: ...

    def finish(self, run_id: str, result: Mapping[str, Any]) -> bool:
        """Write the outcome of an active run; False if it had already ended."""
        ...

    def page(self, api_id: str, *, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]: ...

    def settings(self, api_id: str) -> TestSettings: ...

    def put_settings(self, api_id: str, settings: TestSettings, by: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class RunRequest:
    api_id: str
    version: str
    trigger: Trigger
    requested_by: str
    environment: str | None = None
    base_url: str | None = None
    run_id: str | None = None  # derived by the caller when the request may repeat
    correlation_id: str | None = None


class RequestTestRun:
    """Ask for a run: resolve its target, write its record, publish `TestRunRequested`."""

    def __init__(
        self,
        store: TestRunStore,
        version_of: Callable[[str, str], ApiVersionRecord | None],
        latest_version_of: Callable[[str], str | None],
        document_of: Callable[[ApiVersionRecord], Mapping[str, Any]],
        publisher: EventPublisher,
        check_target: Callable[[str], str | None],
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._version_of = version_of
        self._latest_version_of = latest_version_of
        self._document_of = document_of
        self._publisher = publisher
        self._check_target = check_target
        self._clock = clock

    def __call__(self, request: RunRequest) -> tuple[dict[str, Any], bool]:
        record = self._version_of(request.api_id, request.version)
        if record is None:
            raise NotFound(f"{request.api_id} has no registered version {request.version!r}.")
        settings = self._store.settings(request.api_id)
        target = self._target(request, record, settings)
        problem = self._check_target(target.base_url)
        if problem is not None:
            raise TargetRefused(
                f"Contract tests cannot target {target.base_url}: {problem}.",
                [FieldError(detail=problem, pointer="/baseUrl" if request.base_url else "/environment")],
            )
        now = self._clock()
        run_id = request.run_id or new_run_id()
        run = {
            "runId": run_id,
            "apiId": request.api_id,
            "version": request.version,
            "owner": record.owner,
            "status": "queued",
            "trigger": request.trigger,
            "requestedBy": request.requested_by,
            "requestedAt": now,
            "target": target.to_wire(),
            "settings": settings.model_dump(
                mode="json",
                by_alias=True,
                include={"concurrency", "requests_per_second", "timeout_ms", "latency_ms", "max_examples"},
            ),
            "workflowId": workflow_id_for(run_id),
        }
        stored, created = self._store.create(run)
        # Published again while the run is queued: a request retried after a failed publish gets
        # its run started; the event id and the workflow id keep the copies from doing anything twice.
        if stored["status"] == "queued":
            event = TestRunRequested(
                run_id=run_id,
                api_id=request.api_id,
                version=request.version,
                owner=record.owner,
                trigger=request.trigger,
                requested_by=request.requested_by,
                requested_at=stored["requestedAt"],
                target=TestTargetRef.model_validate(stored["target"]),
            )
            self._publisher.publish(
                [
                    new_event(
                        event,
                        correlation_id=request.correlation_id or run_id,
                        producer=PRODUCER,
                        event_id=f"{run_id}-requested",
                    )
                ]
            )
        return stored, created

    def scheduled(self, request: RunRequest) -> tuple[dict[str, Any], bool]:
        """A run of the API's latest version, as its schedule asks: while a run of the API is still
        queued or running, that run (a schedule never piles runs on a target)."""
        latest = self._latest_version_of(request.api_id)
        if latest is None:
            raise NotFound(f"No API {request.api_id!r} is in the catalog.")
        newest, _ = self._store.page(request.api_id, limit=1, cursor=None)
        if newest and newest[0]["status"] in ACTIVE and newest[0]["runId"] != request.run_id:
            return newest[0], False
        return self(dataclasses.replace(request, version=latest))

    def _target(self, request: RunRequest, record: ApiVersionRecord, settings: TestSettings) -> TestTargetRef:
        if request.environment is not None:
            environment = settings.named(request.api_id, request.environment)
            return TestTargetRef(
                base_url=str(environment.base_url).rstrip("/"),
                environment=environment.name,
                unsafe_methods=environment.unsafe_methods,
            )
        if request.base_url is not None:
            return TestTargetRef(base_url=request.base_url.rstrip("/"))
        declared = declared_base_url(self._document_of(record))
        if declared is None:
            raise TargetRefused(
                f"{request.api_id} {request.version} declares no absolute server URL; name a test environment or "
                "give a `baseUrl`.",
                [FieldError(detail="no base URL to test", pointer="/baseUrl")],
            )
        return TestTargetRef(base_url=declared)
