"""The three steps of a run, as the TestOrchestrationWorkflow's activities call them: plan it (the
operations and how many cases each has), run one batch (one operation's cases), finish it (merge
the kept batches, store the results, tell the team).

A batch's outcome is kept in the store under its number before the activity returns, once: a
batch retried after its worker died finds its outcome there, or runs again from its first case -
never both - so no batch is lost or counted twice. `finish` reads the outcomes of the batches the
workflow saw complete, not whatever the store holds."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from devportal.registry.models import ApiVersionRecord
from devportal.registry.ports import BlobStore, EventPublisher, RegistryRepository
from devportal.testing.cases import SEQUENCES, Credential, OperationUnderTest, Pacer, Sending, SpecUnderTest
from devportal.testing.results import results
from devportal.testing.runs import PRODUCER, TestRunStore
from devportal.testing.targets import TargetPolicy, pinned_session
from events.envelope import new_event
from events.testing import Outcome, TestRunCompleted

log = logging.getLogger("devportal.testing")


class Credentials(Protocol):
    """Where target credentials live (Secrets Manager in both worlds)."""

    def value(self, secret: str) -> str: ...


class CredentialMissing(Exception):
    """The secret a test environment names does not exist or cannot be read."""


class RunGone(Exception):
    """The run record is missing (expired or never written): nothing can be tested."""


@dataclass(frozen=True)
class PlannedOperation:
    key: str
    cases: int
    sent: bool


@dataclass(frozen=True)
class Plan:
    run_id: str
    base_url: str
    unsafe_methods: bool
    environment: str | None
    seed: int
    max_examples: int
    concurrency: int
    requests_per_second: float
    timeout_ms: int
    latency_ms: int
    operations: list[PlannedOperation]
    problem: str | None = None  # why the run cannot start (an unusable spec)

    @property
    def batches(self) -> list[int]:
        """The batch numbers: one per operation that is sent and has cases."""
        return [index for index, operation in enumerate(self.operations) if operation.sent and operation.cases]

    @property
    def cases_total(self) -> int:
        return sum(operation.cases for operation in self.operations if operation.sent)


@dataclass(frozen=True)
class BatchReport:
    batch: int
    cases: int
    failed: int
    kept: bool  # False: an earlier attempt of this batch had already kept its outcome


class ContractTests:
    def __init__(
        self,
        store: TestRunStore,
        registry: RegistryRepository,
        specs: BlobStore,
        publisher: EventPublisher,
        credentials: Credentials,
        policy: TargetPolicy,
        clock: Callable[[], datetime],
        *,
        max_body_bytes: int,
    ) -> None:
        self._store = store
        self._registry = registry
        self._specs = specs
        self._publisher = publisher
        self._credentials = credentials
        self._policy = policy
        self._clock = clock
        self._max_body_bytes = max_body_bytes
        self._loaded: dict[tuple[str, str], SpecUnderTest] = {}

    # -- plan ------------------------------------------------------------------------------------

    def plan(self, run_id: str, heartbeat: Callable[[int], None] = lambda done: None) -> Plan:
        run = self._run(run_id)
        settings = run["settings"]
        target = run["target"]
        common = {
            "run_id": run_id,
            "base_url": target["baseUrl"],
            "unsafe_methods": bool(target.get("unsafeMethods")),
            "environment": target.get("environment"),
            "seed": int(run_id[3:11], 16),
            "max_examples": int(settings["maxExamples"]),
            "concurrency": int(settings["concurrency"]),
            "requests_per_second": float(settings["requestsPerSecond"]),
            "timeout_ms": int(settings["timeoutMs"]),
            "latency_ms": int(settings["latencyMs"]),
        }
        try:
            spec = self._spec(run)
            operations = spec.operations(unsafe_methods=common["unsafe_methods"])
        except Exception as error:  # schemathesis refuses a spec it cannot test: the run says why
            log.warning("spec cannot be tested", extra={"run_id": run_id, "error": str(error)[:500]})
            return Plan(**common, operations=[], problem=f"The spec cannot be tested: {str(error)[:300]}")
        planned = []
        for done, operation in enumerate(operations):
            count = 0
            if operation.sent:
                count = len(self._cases(spec, operation.key, common))
            planned.append(PlannedOperation(operation.key, count, operation.sent))
            heartbeat(done + 1)
        if spec.has_sequences(unsafe_methods=common["unsafe_methods"]):
            # last: its steps are generated as it runs, from the answers (the other batches' cases are ready)
            planned.append(PlannedOperation(SEQUENCES, common["max_examples"], True))
        plan = Plan(**common, operations=planned)
        self._store.start(run_id, cases_total=plan.cases_total, operations=len(planned), started_at=self._clock())
        return plan

    # -- one batch -------------------------------------------------------------------------------

    def run_batch(
        self,
        plan: Plan,
        batch: int,
        heartbeat: Callable[[int], None] = lambda done: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> BatchReport:
        kept = self._store.batch(plan.run_id, batch)
        if kept is not None:  # an earlier attempt finished it; its worker died before it could say so
            return BatchReport(batch, int(kept["cases"]), _failed(kept), kept=False)
        run = self._run(plan.run_id)
        spec = self._spec(run)
        operation = plan.operations[batch]
        session = pinned_session(self._policy, max_body_bytes=self._max_body_bytes)
        sending = Sending(
            session=session,
            credential=self._credential(plan.run_id, plan.environment, run["apiId"]),
            timeout_seconds=plan.timeout_ms / 1000,
            latency_ms=plan.latency_ms,
            pace=Pacer(plan.requests_per_second),  # the batch's share of the run's
            on_case=heartbeat,
            cancelled=cancelled,
        )
        try:
            if operation.key == SEQUENCES:
                outcome = spec.run_sequences(
                    scenarios=operation.cases, unsafe_methods=plan.unsafe_methods, sending=sending
                )
            else:
                cases = self._cases(spec, operation.key, _plan_args(plan))
                outcome = spec.run(cases, operation=operation.key, sending=sending)
        finally:
            session.close()
        if cancelled():
            # A cancelled batch keeps nothing: the run's results hold whole batches only.
            return BatchReport(batch, outcome.cases, 0, kept=False)
        found = outcome.as_dict()
        kept_now = self._store.put_batch(plan.run_id, batch, found)
        return BatchReport(batch, outcome.cases, _failed(found), kept=kept_now)

    # -- finish ----------------------------------------------------------------------------------

    def finish(
        self, plan: Plan, completed: Sequence[int], *, cancelled: bool = False, error: str | None = None
    ) -> dict[str, Any]:
        run = self._run(plan.run_id)
        kept = self._store.batches(plan.run_id)
        outcomes = [kept[batch] for batch in sorted(set(completed)) if batch in kept]
        if plan.problem is None:
            operations = self._spec(run).operations(unsafe_methods=plan.unsafe_methods)
            if any(operation.key == SEQUENCES for operation in plan.operations):
                operations.append(OperationUnderTest(SEQUENCES, "LINKS", "", None, (), True))
        else:  # the spec could not be planned: the plan's own rows, so the run still says which
            operations = [
                OperationUnderTest(
                    key=operation.key,
                    method=operation.key.split(" ", 1)[0],
                    path=operation.key.split(" ", 1)[1],
                    operation_id=None,
                    documented_statuses=(),
                    sent=operation.sent,
                )
                for operation in plan.operations
            ]
        found = results(operations, outcomes, cancelled=cancelled)
        problem = error or plan.problem
        if problem is not None and not cancelled:
            found["outcome"] = "error"
            found["error"] = problem
            found["summary"] = f"{problem[:300]} {found['summary']}"
        found["finishedAt"] = self._clock()
        self._store.finish(plan.run_id, found)
        stored = self._run(plan.run_id)
        outcome: Outcome = stored["status"]
        event = TestRunCompleted(
            run_id=plan.run_id,
            api_id=run["apiId"],
            version=run["version"],
            owner=run["owner"],
            outcome=outcome,
            score=stored.get("score"),
            operation_coverage=stored.get("operationCoverage"),
            cases=int(stored.get("casesDone", 0)),
            failed_checks=int(stored.get("failedChecks", 0)),
            finished_at=stored["finishedAt"],
            summary=str(stored.get("summary", ""))[:500],
        )
        self._publisher.publish(
            [new_event(event, correlation_id=plan.run_id, producer=PRODUCER, event_id=f"{plan.run_id}-completed")]
        )
        return {key: value for key, value in stored.items() if key != "result"}

    # -- helpers ---------------------------------------------------------------------------------

    def _run(self, run_id: str) -> dict[str, Any]:
        run = self._store.get(run_id)
        if run is None:
            raise RunGone(f"no test run {run_id}")
        return run

    def _spec(self, run: Mapping[str, Any]) -> SpecUnderTest:
        key = (f"{run['apiId']}\n{run['version']}", run["target"]["baseUrl"])
        if key not in self._loaded:
            record = self._registry.get_version(run["apiId"], run["version"])
            if record is None:
                raise RunGone(f"{run['apiId']} {run['version']} is not registered")
            self._loaded[key] = SpecUnderTest(_document(self._specs, record), run["target"]["baseUrl"])
        return self._loaded[key]

    @staticmethod
    def _cases(spec: SpecUnderTest, key: str, args: Mapping[str, Any]) -> list[Any]:
        return spec.cases(
            key, max_examples=args["max_examples"], seed=args["seed"], unsafe_methods=args["unsafe_methods"]
        )

    def _credential(self, run_id: str, environment: str | None, api_id: str) -> Credential | None:
        if environment is None:
            return None
        settings = self._store.settings(api_id).environment(environment)
        if settings is None or settings.credential is None:
            return None
        reference = settings.credential
        value = self._credentials.value(reference.secret)
        if reference.scheme == "bearer":  # `Bearer <token>`, in Authorization unless the target wants another header
            return Credential(reference.header, f"Bearer {value}")
        return Credential(reference.header, value)


def _plan_args(plan: Plan) -> dict[str, Any]:
    return {"max_examples": plan.max_examples, "seed": plan.seed, "unsafe_methods": plan.unsafe_methods}


def _failed(outcome: Mapping[str, Any]) -> int:
    return sum(int(tally["failed"]) for tally in outcome["checks"].values())


def _document(specs: BlobStore, record: ApiVersionRecord) -> dict[str, Any]:
    import orjson

    document: dict[str, Any] = orjson.loads(specs.get(record.normalized_key))
    return document
