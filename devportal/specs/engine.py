"""The spec engine's validation (issue 12): what openapi-spec-validator checks, without it - local
references, the official schema (compiled), the checks a schema cannot make, and defaults against
their own schemas - as one bounded report, the same shape `validation.validate_document` returns.
Not wired into registration yet: tests/unit/test_engine.py holds it to osv's verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from devportal.specs.openapi import Dialect
from devportal.specs.semantics import default_findings, semantic_findings
from devportal.specs.structure import structural_findings
from devportal.specs.validation import Collector, Finding, ValidationReport, reference_findings


def validate(
    document: dict[str, Any], dialect: Dialect, *, max_findings: int = 100, max_chars: int = 500
) -> ValidationReport:
    collector = Collector(max_findings, max_chars)
    for finding in _all(document, dialect):
        if not collector.add(finding):
            break
    return collector.report()


def _all(document: dict[str, Any], dialect: Dialect) -> Iterator[Finding]:
    return chain(
        reference_findings(document),
        structural_findings(document, dialect),
        semantic_findings(document),
        default_findings(document, dialect),
    )
