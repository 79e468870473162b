"""A run's results from its batches' outcomes: per operation and per check, the conformance score
and the coverage, and the run in a sentence."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from devportal.analytics.sketch import LatencySketch
from devportal.testing.cases import CHECKS, SEQUENCES, OperationUnderTest


def _status_documented(status: str, documented: Sequence[str]) -> bool:
    if status in documented:
        return True
    return f"{status[0]}XX" in documented or f"{status[0]}xx" in documented


def results(
    operations: Sequence[OperationUnderTest], outcomes: Iterable[Mapping[str, Any]], *, cancelled: bool = False
) -> dict[str, Any]:
    """Everything GET /test-runs/{runId} shows of a finished run, from the kept batch outcomes."""
    by_operation: dict[str, list[Mapping[str, Any]]] = {}
    for outcome in outcomes:
        by_operation.setdefault(str(outcome["operation"]), []).append(outcome)
    rows = []
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    per_check = {name: {"passed": 0, "failed": 0, "skipped": 0} for name in CHECKS}
    documented_total = documented_seen = tested = cases_total = 0
    for operation in operations:
        found = by_operation.get(operation.key, [])
        checks: dict[str, dict[str, Any]] = {name: {"passed": 0, "failed": 0, "skipped": 0} for name in CHECKS}
        statuses: Counter[str] = Counter()
        latency = LatencySketch()
        cases = 0
        for outcome in found:
            cases += int(outcome["cases"])
            statuses.update({str(k): int(v) for k, v in outcome["statuses"].items()})
            latency.merge(LatencySketch.from_bytes(base64.b64decode(outcome["latency"])))
            for name, tally in outcome["checks"].items():
                row = checks[name]
                for kind in ("passed", "failed", "skipped"):
                    row[kind] += int(tally[kind])
                if "firstFailure" in tally and "firstFailure" not in row:
                    row["firstFailure"] = tally["firstFailure"]
        for name, row in checks.items():
            for kind in ("passed", "failed", "skipped"):
                totals[kind] += row[kind]
                per_check[name][kind] += row[kind]
        documented = [status for status in operation.documented_statuses if status != "default"]
        seen = sorted(status for status in statuses if status != "none")
        documented_total += len(documented)
        documented_seen += sum(1 for status in documented if _matched(status, seen))
        cases_total += cases
        if cases and operation.key != SEQUENCES:  # sequences span operations: coverage counts operations
            tested += 1
        p50, p95, p99 = latency.quantiles(0.5, 0.95, 0.99)
        rows.append(
            {
                "operation": operation.key,
                "operationId": operation.operation_id,
                "method": operation.method,
                "path": operation.path,
                "status": _operation_status(operation, cases, checks),
                "cases": cases,
                "checks": [{"check": name, **row} for name, row in checks.items()],
                "statusesSeen": {status: statuses[status] for status in sorted(statuses)},
                "statusesDocumented": list(operation.documented_statuses),
                "undocumentedStatuses": [
                    status
                    for status in seen
                    if operation.key != SEQUENCES  # each step's operation judged its own (status_code_conformance)
                    and not _status_documented(status, operation.documented_statuses)
                    and "default" not in operation.documented_statuses
                ],
                "latencyMs": {"p50": _ms(p50), "p95": _ms(p95), "p99": _ms(p99), "max": _ms(latency.max_ms)}
                if latency.count
                else None,
            }
        )
    judged = totals["passed"] + totals["failed"]
    score = totals["passed"] / judged if judged else None
    operation_count = sum(1 for operation in operations if operation.key != SEQUENCES)
    coverage = {
        "operations": {"tested": tested, "total": operation_count, "ratio": _ratio(tested, operation_count)},
        "statuses": {
            "seen": documented_seen,
            "documented": documented_total,
            "ratio": _ratio(documented_seen, documented_total),
        },
    }
    failed_checks = totals["failed"]
    verdict = "cancelled" if cancelled else ("failed" if failed_checks else ("passed" if judged else "error"))
    return {
        "outcome": verdict,
        "score": score,
        "coverage": coverage,
        "cases": cases_total,
        "checks": totals,
        "byCheck": [{"check": name, **row} for name, row in per_check.items()],
        "operations": rows,
        "summary": summary(verdict, score, coverage, cases_total, failed_checks, rows),
    }


def _matched(documented: str, seen: Sequence[str]) -> bool:
    if documented.upper().endswith("XX"):
        return any(status[0] == documented[0] for status in seen)
    return documented in seen


def _operation_status(operation: OperationUnderTest, cases: int, checks: Mapping[str, Mapping[str, Any]]) -> str:
    if not operation.sent:
        return "skipped"
    if not cases:
        return "not-run"
    return "failed" if any(row["failed"] for row in checks.values()) else "passed"


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summary(
    outcome: str,
    score: float | None,
    coverage: Mapping[str, Any],
    cases: int,
    failed_checks: int,
    rows: Sequence[Mapping[str, Any]],
) -> str:
    operations = coverage["operations"]
    tested = f"{operations['tested']} of {operations['total']} operations"
    if outcome == "error" and not cases:
        return f"No case could be run ({tested} tested)."
    failing = [row["operation"] for row in rows if row["status"] == "failed"]
    share = f"{score * 100:.1f} % of checks passed" if score is not None else "no check ran"
    head = f"{cases} cases against {tested}: {share}"
    if outcome == "cancelled":
        return f"Cancelled after {head}."
    if not failing:
        return f"{head}; every check held."
    shown = ", ".join(failing[:3]) + (f" and {len(failing) - 3} more" if len(failing) > 3 else "")
    return f"{head}; {failed_checks} check{'s' if failed_checks != 1 else ''} failed in {shown}."
