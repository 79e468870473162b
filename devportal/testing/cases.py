"""Test cases from a registered spec, and running them: a thin layer over schemathesis.

Schemathesis derives the cases - the spec's own examples, its coverage cases (boundaries, each
required part missing, each type wrong) and Hypothesis-generated ones, positive and negative -
and judges the responses with its checks. This module decides what it runs and with what:

- cases are generated per operation from a fixed seed, so a batch generated again (a retried
  activity, another worker) is the same batch: a run's cases are counted once, at plan time,
  and each batch is one operation's cases;
- only the methods the target allows are sent (GET, HEAD and OPTIONS unless the owning team
  enabled the others for that environment); a case of any other method is never generated into
  a batch, let alone sent;
- requests go through `targets.pinned_session` (checked addresses, re-checked redirects, capped
  bodies), paced to the run's requests per second, with the run's timeout;
- each check's verdict per case is collected (schemathesis's `after_validate` hook), so results
  say passed / failed / skipped per check, not just "something failed";
- the first failing case of each check is kept as a curl command, the credential redacted;
- where the spec's OpenAPI links join operations the target allows, schemathesis's state machine
  follows them (`run_sequences`): a response's values fed into the linked request, a few steps per
  sequence, every step judged like a case. Sequences are a batch of their own, run last.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.errors import NoLinksFound
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.engine import Status
from schemathesis.generation.case import Case
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.generation.stateful.state_machine import StepOutput
from schemathesis.hooks import HookContext
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devportal.analytics.sketch import LatencySketch
from devportal.testing.targets import RefusedTarget, ResponseTooLarge

AnyCase = Case[Any]
AnyOperation = APIOperation[Any, Any, Any, Any]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The results row of the stateful sequences (they span operations); at most this many steps each.
SEQUENCES = "sequences over OpenAPI links"
SEQUENCE_STEPS = 5
log = logging.getLogger("devportal.testing")
# The checks a run makes, in the order results show them. `response_received` fails when no
# response came back at all (timeout, refused address, connection error, body over the cap); the
# others judge a response and are skipped without one.
CHECKS = (
    "response_received",
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "latency",
)
_SCHEMATHESIS_CHECKS: tuple[CheckFunction, ...] = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
)
REDACTED = "[REDACTED]"
MAX_MESSAGE_CHARS = 600
MAX_CURL_CHARS = 2000

# Hypothesis keeps global state while it runs a test; generation is CPU-bound, so one at a time
# per process costs nothing and keeps concurrent activities' generation apart.
_GENERATION = threading.Lock()


@dataclass(frozen=True)
class OperationUnderTest:
    key: str  # "GET /pets/{petId}"
    method: str
    path: str
    operation_id: str | None
    documented_statuses: tuple[str, ...]
    sent: bool  # False: its method is not enabled for the target, it is skipped whole


@dataclass(frozen=True)
class Credential:
    """What a request carries to authenticate, resolved from Secrets Manager by the worker; never
    in an event, the workflow's history or results."""

    header: str
    value: str

    def headers(self) -> dict[str, str]:
        return {self.header: self.value}


@dataclass(frozen=True)
class Sending:
    """How a batch's requests go: through which session, with which credential, within which
    timeout and latency line, at what pace; `on_case` hears each case done, `cancelled` stops it."""

    session: requests.Session
    credential: Credential | None
    timeout_seconds: float
    latency_ms: float
    pace: Callable[[], None]
    on_case: Callable[[int], None] = lambda done: None
    cancelled: Callable[[], bool] = lambda: False


@dataclass
class CheckTally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    first_failure: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"passed": self.passed, "failed": self.failed, "skipped": self.skipped}
        if self.first_failure is not None:
            found["firstFailure"] = self.first_failure
        return found


@dataclass
class BatchOutcome:
    """What running some cases of one operation found (mergeable into the run's results)."""

    operation: str
    cases: int = 0
    checks: dict[str, CheckTally] = field(default_factory=lambda: {name: CheckTally() for name in CHECKS})
    statuses: Counter[str] = field(default_factory=Counter)
    latency: LatencySketch = field(default_factory=LatencySketch)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "cases": self.cases,
            "checks": {name: tally.as_dict() for name, tally in self.checks.items()},
            "statuses": dict(self.statuses),
            "latency": base64.b64encode(self.latency.to_bytes()).decode(),
        }


class SpecUnderTest:
    """A registered spec loaded into schemathesis against one base URL."""

    def __init__(self, document: Mapping[str, Any], base_url: str) -> None:
        self.schema: BaseSchema = schemathesis.openapi.from_dict(dict(document))
        self.schema.config.update(base_url=base_url)
        self.base_url = base_url
        self._cases: dict[tuple[str, int, int, bool], list[AnyCase]] = {}
        self._verdicts = threading.local()
        verdicts = self._verdicts

        def after_validate(context: HookContext, case: AnyCase, response: Any, results: list[Any]) -> None:
            _collect(verdicts, results)

        self.schema.hook("after_validate")(after_validate)

    def operations(self, *, unsafe_methods: bool) -> list[OperationUnderTest]:
        found = []
        for result in self.schema.get_all_operations():
            if not isinstance(result, Ok):
                raise result.err()
            operation = result.ok()
            method = operation.method.upper()
            found.append(
                OperationUnderTest(
                    key=f"{method} {operation.path}",
                    method=method,
                    path=operation.path,
                    operation_id=self.schema.get_operation_id(operation),
                    documented_statuses=tuple(sorted(operation.responses.status_codes)),
                    sent=unsafe_methods or method in SAFE_METHODS,
                )
            )
        return found

    def operation(self, key: str) -> AnyOperation:
        method, path = key.split(" ", 1)
        found: AnyOperation = self.schema[path][method]
        return found

    def cases(self, key: str, *, max_examples: int, seed: int, unsafe_methods: bool) -> list[AnyCase]:
        """The operation's cases: examples, coverage, then generated ones; the same list every time
        for the same arguments (fixed seed, no example database), duplicates dropped, cases of
        methods the target does not allow left out."""
        cache_key = (key, max_examples, seed, unsafe_methods)
        if cache_key not in self._cases:
            operation = self.operation(key)
            collected: list[AnyCase] = []

            def collect(case: AnyCase) -> None:
                collected.append(case)

            config = HypothesisTestConfig(
                project=self.schema.config,
                modes=[HypothesisTestMode.EXAMPLES, HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING],
                seed=seed,
                settings=hypothesis.settings(
                    max_examples=max_examples,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(hypothesis.HealthCheck),
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                    derandomize=False,
                ),
            )
            test: Callable[[], None] = create_test(operation=operation, test_func=collect, config=config)
            with _GENERATION:
                test()
            unique: dict[str, AnyCase] = {}
            for case in collected:
                if unsafe_methods or case.method.upper() in SAFE_METHODS:
                    unique.setdefault(_fingerprint(case), case)
            self._cases[cache_key] = list(unique.values())
        return self._cases[cache_key]

    def run(self, cases: list[AnyCase], *, operation: str, sending: Sending) -> BatchOutcome:
        """Send `cases` one after another and judge each response with every check."""
        outcome = BatchOutcome(operation)
        sender = _Sender(self, sending)
        for case in cases:
            if sending.cancelled():
                break
            sending.pace()
            outcome.cases += 1
            sender.send(outcome, case)
            sending.on_case(outcome.cases)
        return outcome

    def has_sequences(self, *, unsafe_methods: bool) -> bool:
        """Whether OpenAPI links join operations the target allows (so sequences can follow them)."""
        return self._state_machine(unsafe_methods) is not None

    def run_sequences(self, *, scenarios: int, unsafe_methods: bool, sending: Sending) -> BatchOutcome:
        """Stateful sequences: schemathesis's state machine over the spec's OpenAPI links (a
        response's values fed to the linked operation's next request), `scenarios` of them, each
        a few steps long. Every step is sent and judged like a case; `cases` counts sequences."""
        outcome = BatchOutcome(SEQUENCES)
        base = self._state_machine(unsafe_methods)
        if base is None:
            return outcome
        sender = _Sender(self, sending)
        cancelled, pace, on_case = sending.cancelled, sending.pace, sending.on_case

        class Sequences(base):  # type: ignore[valid-type, misc]
            stepped = False

            def step(self, input: Any) -> Any:
                # at most `scenarios` sequences (Hypothesis may try a few more than its max_examples)
                if cancelled() or outcome.cases >= scenarios:
                    raise _Stopped
                self.stepped = True
                pace()
                response = sender.send(outcome, input.case)
                return None if response is None else StepOutput(response, input.case)

            def teardown(self) -> None:
                if self.stepped:  # a sequence stopped before its first step is no sequence
                    outcome.cases += 1
                    on_case(outcome.cases)
                super().teardown()

        settings = hypothesis.settings(
            max_examples=scenarios,
            stateful_step_count=SEQUENCE_STEPS,
            database=None,
            deadline=None,
            derandomize=True,  # the same sequences again in a retried batch (as far as the target answers alike)
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate],
        )
        with _GENERATION, contextlib.suppress(_Stopped):
            try:
                run_state_machine_as_test(Sequences, settings=settings)
            except _Stopped:
                raise
            except Exception as error:
                log.warning("sequences stopped early: %s", str(error)[:300])
        return outcome

    def _state_machine(self, unsafe_methods: bool) -> type[Any] | None:
        schema = self.schema if unsafe_methods else self.schema.include(method=sorted(SAFE_METHODS))
        machine = schema.as_state_machine()
        try:
            machine()
        except NoLinksFound:
            return None
        return machine

    def judge(
        self,
        case: AnyCase,
        response: Any,
        headers: dict[str, str],
        session: requests.Session,
        latency_check: CheckFunction,
    ) -> dict[str, bool | Failure]:
        """Each check's verdict: True passed, a Failure failed, absent skipped (not applicable)."""
        self._verdicts.found = {}
        with contextlib.suppress(FailureGroup):  # each failure is in the verdicts
            case.validate_response(
                response,
                checks=list(_SCHEMATHESIS_CHECKS),
                additional_checks=[latency_check],
                headers=headers,
                transport_kwargs={"session": session, "headers": dict(headers), "base_url": self.base_url},
            )
        verdicts: dict[str, bool | Failure] = self._verdicts.found
        return verdicts


class _Stopped(Exception):
    """A cancelled run: the state machine stops at its next step."""


class _Sender:
    """Sends one case through the pinned session and judges the answer with every check."""

    def __init__(self, spec: SpecUnderTest, sending: Sending) -> None:
        self._spec = spec
        self._session = sending.session
        self._credential = sending.credential
        self._headers = sending.credential.headers() if sending.credential else {}
        self._timeout = sending.timeout_seconds
        self._latency_check = _latency_check(sending.latency_ms)

    def send(self, outcome: BatchOutcome, case: AnyCase) -> Any:
        """The response, judged and counted into `outcome`; None when none came."""
        started = time.perf_counter()
        try:
            response = case.call(session=self._session, headers=dict(self._headers), timeout=self._timeout)
        except requests.RequestException as error:
            self._tally_unanswered(outcome, case, error, self._credential)
            return None
        elapsed_ms = (time.perf_counter() - started) * 1000
        if case.method.upper() == case.operation.method.upper():
            # a probe with another method (OPTIONS of a GET) is not an answer of this operation
            outcome.statuses[str(response.status_code)] += 1
        outcome.latency.add(elapsed_ms)
        outcome.checks["response_received"].passed += 1
        verdicts = self._spec.judge(case, response, self._headers, self._session, self._latency_check)
        for name in CHECKS[1:]:
            tally = outcome.checks[name]
            verdict = verdicts.get(name)
            if verdict is None:
                tally.skipped += 1
            elif isinstance(verdict, bool):
                tally.passed += 1
            else:
                tally.failed += 1
                if tally.first_failure is None:
                    tally.first_failure = _first_failure(case, verdict, response.status_code, self._credential)
        return response

    @staticmethod
    def _tally_unanswered(
        outcome: BatchOutcome, case: AnyCase, error: requests.RequestException, credential: Credential | None
    ) -> None:
        tally = outcome.checks["response_received"]
        tally.failed += 1
        if isinstance(error, RefusedTarget):
            why = f"Refused: {error}"
        elif isinstance(error, ResponseTooLarge):
            why = f"Response too large: {error}"
        elif isinstance(error, requests.Timeout):
            why = "No response within the run's timeout"
        elif isinstance(error, requests.TooManyRedirects):
            why = "More redirects than a test follows"
        else:
            why = f"No response: {type(error).__name__}"
        outcome.statuses["none"] += 1
        if tally.first_failure is None:
            tally.first_failure = {
                "title": why,
                "message": _clip(str(error), MAX_MESSAGE_CHARS),
                "status": None,
                "case": _describe(case),
                "curl": _curl(case, credential),
            }
        for name in CHECKS[1:]:
            outcome.checks[name].skipped += 1


def _collect(verdicts: threading.local, results: list[Any]) -> None:
    found = getattr(verdicts, "found", None)
    if found is None:
        return
    for result in results:
        if result.status == Status.SUCCESS:
            found.setdefault(result.name, True)
        elif result.failure is not None:
            found[result.name] = result.failure


def _latency_check(limit_ms: float) -> CheckFunction:
    def latency(ctx: Any, response: Any, case: AnyCase) -> bool | None:
        elapsed_ms = float(response.elapsed) * 1000
        if elapsed_ms > limit_ms:
            raise AssertionError(f"Answered in {elapsed_ms:.0f} ms; the limit is {limit_ms:.0f} ms")
        return None

    return latency


def _first_failure(case: AnyCase, failure: Failure, status: int, credential: Credential | None) -> dict[str, Any]:
    return {
        "title": _clip(failure.title, 200),
        "message": _clip(failure.message, MAX_MESSAGE_CHARS),
        "status": status,
        "case": _describe(case),
        "curl": _curl(case, credential),
    }


def _describe(case: AnyCase) -> str:
    meta = case.meta
    if meta is None:
        return "stateful step"
    description = getattr(meta.phase.data, "description", None) or "generated case"
    return _clip(f"{meta.phase.name.value}, {meta.generation.mode.value}: {description}", 200)


def _curl(case: AnyCase, credential: Credential | None) -> str:
    headers = {credential.header: REDACTED} if credential else None
    try:
        command = case.as_curl_command(headers=headers)
    except Exception:  # a case curl cannot express (binary multipart): say so rather than fail the run
        return f"# {case.method} {case.formatted_path}: this request cannot be written as a curl command"
    if credential is not None and credential.value:
        command = command.replace(credential.value, REDACTED)
    return _clip(command.split("\n\n", 1)[0], MAX_CURL_CHARS)


def _clip(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fingerprint(case: AnyCase) -> str:
    """The request a case makes, for dropping duplicates (the same request judged twice)."""
    body = case.body if case.body.__class__.__name__ != "NotSet" else "<none>"
    text = repr(
        (case.method, case.path, case.path_parameters, case.query, dict(case.headers or {}), case.cookies, body)
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Pacer:
    """At most `per_second` requests a second from one batch, evenly spaced."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / per_second
        self._clock = clock
        self._next = clock()

    def __call__(self) -> None:
        now = self._clock()
        if now < self._next:
            time.sleep(self._next - now)
            now = self._next
        self._next = now + self._interval
