"""One submitted document checked from its bytes: parsed, identified, validated by the engine, and,
when valid, normalized to compact JSON. A pure function of its input - what a sandbox worker
process runs (sandbox.py), and what tests and the CLI run in-process."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from devportal.errors import DomainError
from devportal.settings import SpecLimits
from devportal.specs import engine
from devportal.specs.lint import LintReport, Ruleset, lint
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
    lint: LintReport | None = None  # when it is valid and a ruleset was given

    @property
    def valid(self) -> bool:
        return self.normalized is not None


MAX_LINT_FINDINGS = 1000  # kept with a version; every finding is counted


@contextmanager
def gc_paused() -> Iterator[None]:
    """A parsed description is a million small objects that all live until the check ends: the
    cyclic collector's passes over them free nothing and cost a third of the time (GitHub's)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_spec(
    raw: bytes, fmt: SpecFormat, limits: SpecLimits, max_findings: int, ruleset: Ruleset | None = None
) -> Checked:
    with gc_paused():
        return _check(raw, fmt, limits, max_findings, ruleset)


def _check(raw: bytes, fmt: SpecFormat, limits: SpecLimits, max_findings: int, ruleset: Ruleset | None) -> Checked:
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
        lint=None
        if ruleset is None
        else lint(parsed.document, identity.dialect, ruleset, max_findings=MAX_LINT_FINDINGS),
    )
