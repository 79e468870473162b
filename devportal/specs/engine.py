"""The spec engine's validation: what openapi-spec-validator (osv) checks, without it and many
times faster - reference-like keywords, the official schema (compiled), 3.1 Schema Objects against
JSON Schema 2020-12, the checks a schema cannot make, and defaults against their own schemas - as
one bounded report. Registration runs it in a sandboxed process (sandbox.py); osv stays in the
tests as its oracle (tests/unit/test_engine.py, tests/unit/test_oracle_corpus.py, bench/validation.py)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from devportal.specs.openapi import Dialect
from devportal.specs.semantics import semantic_findings, value_findings
from devportal.specs.structure import schema_object_findings, structural_findings
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
        schema_object_findings(document, dialect),
        semantic_findings(document),
        value_findings(document, dialect),
    )
