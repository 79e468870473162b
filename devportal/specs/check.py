"""One submitted document checked from its bytes: parsed, identified, validated by the engine, and,
when valid, normalized to compact JSON. A pure function of its input - what a sandbox worker
process runs (sandbox.py), and what tests and the CLI run in-process."""

from __future__ import annotations

from dataclasses import dataclass

from devportal.errors import DomainError
from devportal.settings import SpecLimits
from devportal.specs import engine
from devportal.specs.openapi import identify, iter_operations
from devportal.specs.parsing import SpecFormat, parse_spec, to_json
from devportal.specs.validation import Finding


@dataclass(frozen=True)
class Checked:
    findings: tuple[Finding, ...]
    truncated: bool
    title: str = ""
    openapi_version: str = ""
    operation_count: int = 0
    normalized: bytes | None = None  # the document as compact JSON, only when it is valid

    @property
    def valid(self) -> bool:
        return self.normalized is not None


def check_spec(raw: bytes, fmt: SpecFormat, limits: SpecLimits, max_findings: int) -> Checked:
    try:
        parsed = parse_spec(raw, limits, fmt)
        identity = identify(parsed.document)
    except DomainError as error:
        if len(error.errors) <= 1:
            at = error.errors[0] if error.errors else None
            finding = Finding(
                (at.pointer if at else None) or "", error.detail, error.slug, line=at.line if at else None,
                column=at.column if at else None,
            )  # fmt: skip
            return Checked((finding,), truncated=False)
        findings = [
            Finding(e.pointer or "", f"{error.detail} ({e.detail})", error.slug, line=e.line, column=e.column)
            for e in error.errors
        ]
        return Checked(tuple(findings), truncated=False)
    report = engine.validate(
        parsed.document, identity.dialect, max_findings=max_findings, max_chars=limits.max_finding_chars
    )
    if not report.valid:
        return Checked(report.findings, report.truncated)
    return Checked(
        report.findings,
        report.truncated,
        title=identity.title,
        openapi_version=identity.openapi_version,
        operation_count=sum(1 for _ in iter_operations(parsed.document)),
        normalized=to_json(parsed.document),
    )
