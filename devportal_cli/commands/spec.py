"""`devportal spec validate FILE`, `devportal spec lint FILE` and `devportal spec diff OLD NEW`: the
portal's spec engine on files, offline - the checks a registration makes (each finding with its
line), the lint ruleset (the recommended one or a team's), and the changes between two versions
with what breaks consumers - as text, JSON, Markdown or JUnit XML, with an exit code for CI (0:
nothing at or above --fail-on; 1: something is; 2: a file cannot be used)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from devportal.errors import DomainError
from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.check import MAX_LINT_FINDINGS, check_spec
from devportal.specs.diff import LEVELS, changes_at_least, diff
from devportal.specs.lint import RECOMMENDED, Ruleset, parse_ruleset, read_ruleset
from devportal.specs.parsing import SpecFormat, parse_spec
from devportal.specs.report import FORMATS, locate, render, render_changes

_SEVERITIES = ("error", "warning", "info", "hint")
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "spec", help="check an OpenAPI file with the portal's spec engine, offline (for CI)"
    )
    actions = parser.add_subparsers(dest="spec_command", required=True, metavar="ACTION")
    validate = actions.add_parser(
        "validate",
        help="validate FILE as registration does (structure, references, semantics, defaults)",
        description="Validate an OpenAPI 2.0/3.0/3.1/3.2 document (JSON or YAML) as the portal's "
        "registration does, without a stack or the network. Exit code 0: no finding at or above "
        "--fail-on; 1: at least one; 2: the file cannot be read.",
    )
    validate.add_argument("file", type=Path, help="the OpenAPI document (.json, .yaml or .yml)")
    _report_options(validate)
    _finding_options(validate, ("error", "warning"))
    validate.set_defaults(run=run)

    linting = actions.add_parser(
        "lint",
        help="lint FILE with the portal's ruleset (or --ruleset), after validating it",
        description="Validate an OpenAPI document as registration does, then lint it with the portal's "
        "recommended ruleset or a team's (--ruleset: the JSON or YAML a team sets through "
        "PUT /teams/{team}/lint-ruleset). Exit code 0: no finding at or above --fail-on; 1: at least "
        "one (an invalid document always); 2: a file cannot be read, or the ruleset is not one.",
    )
    linting.add_argument("file", type=Path, help="the OpenAPI document (.json, .yaml or .yml)")
    linting.add_argument("--ruleset", type=Path, help="a ruleset file (JSON or YAML); default: the recommended one")
    _report_options(linting)
    _finding_options(linting, _SEVERITIES)
    linting.set_defaults(run=run_lint)

    compare = actions.add_parser(
        "diff",
        help="the changes from OLD to NEW, and which break consumers (ERR), may (WARN) or do not (INFO)",
        description="Compare two versions of an OpenAPI document (JSON or YAML): what changed, and "
        "what of it breaks consumers (rule ids after oasdiff's). Exit code 0: no change at or above "
        "--fail-on; 1: at least one; 2: a file cannot be read or parsed.",
    )
    compare.add_argument("old", type=Path, help="the version consumers use now")
    compare.add_argument("new", type=Path, help="the version to compare with it")
    _report_options(compare)
    compare.add_argument(
        "--fail-on", choices=LEVELS, default="ERR", help="the least level that makes the exit code 1 (default: ERR)"
    )
    compare.set_defaults(run=run_diff)


def _finding_options(parser: argparse.ArgumentParser, severities: tuple[str, ...]) -> None:
    parser.add_argument(
        "--fail-on",
        choices=severities,
        default="error",
        help="the least severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--max-findings", type=int, default=1000, help="report at most this many findings (default: 1000)"
    )


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="output form (default: text)")
    parser.add_argument("--output", type=Path, help="write the report here instead of standard output")


def _emit(args: argparse.Namespace, report: str) -> None:
    if args.output is not None:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None once the reason it cannot be read is said."""
    try:
        return path.read_bytes()
    except OSError as error:
        print(f"devportal: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    raw = _read(args.file)
    if raw is None:
        return EXIT_UNREADABLE
    limits = SpecLimits(max_spec_bytes=64 * MEBIBYTE, max_findings=min(max(args.max_findings, 1), 1000))
    checked = check_spec(raw, _format_of(args.file, raw), limits, limits.max_findings)
    located = locate(raw.decode("utf-8", errors="replace"), checked.findings)
    summary = {"valid": checked.valid, "truncated": checked.truncated}
    _emit(args, render(located, args.format, file=str(args.file), tool="devportal spec validate", summary=summary))
    failing = {"error"} if args.fail_on == "error" else {"error", "warning"}
    return EXIT_FINDINGS if any(f.severity in failing for f in checked.findings) else 0


def run_lint(args: argparse.Namespace) -> int:
    ruleset = RECOMMENDED
    if args.ruleset is not None:
        loaded = _ruleset(args.ruleset)
        if loaded is None:
            return EXIT_UNREADABLE
        ruleset = loaded
    raw = _read(args.file)
    if raw is None:
        return EXIT_UNREADABLE
    most = min(max(args.max_findings, 1), MAX_LINT_FINDINGS)
    limits = SpecLimits(max_spec_bytes=64 * MEBIBYTE, max_findings=most)
    checked = check_spec(raw, _format_of(args.file, raw), limits, most, ruleset)
    findings = checked.findings if checked.lint is None else checked.findings + checked.lint.findings
    located = locate(raw.decode("utf-8", errors="replace"), findings)
    summary: dict[str, Any] = {"valid": checked.valid, "truncated": checked.truncated}
    totals = None
    if checked.lint is not None:
        summary.update(lint=checked.lint.summary(), truncated=checked.truncated or checked.lint.truncated)
        totals = Counter(f.severity for f in checked.findings) + Counter(checked.lint.counts)
    tool = "devportal spec lint"
    _emit(args, render(located, args.format, file=str(args.file), tool=tool, summary=summary, totals=totals))
    failing = set(_SEVERITIES[: _SEVERITIES.index(args.fail_on) + 1])
    if not checked.valid or any(f.severity in failing for f in findings):
        return EXIT_FINDINGS
    return 0


def _ruleset(path: Path) -> Ruleset | None:
    """The ruleset in a file, or None once what is wrong with it is said."""
    raw = _read(path)
    if raw is None:
        return None
    try:
        body = parse_ruleset(raw, _format_of(path, raw))
        return read_ruleset(body, f"The ruleset in {path}")
    except DomainError as error:
        print(f"devportal: {error.detail}", file=sys.stderr)
        return None


def run_diff(args: argparse.Namespace) -> int:
    limits = SpecLimits(max_spec_bytes=64 * MEBIBYTE)
    documents = []
    for path in (args.old, args.new):
        raw = _read(path)
        if raw is None:
            return EXIT_UNREADABLE
        try:
            documents.append(parse_spec(raw, limits, _format_of(path, raw)).document)
        except DomainError as error:
            print(f"devportal: {path} is not an OpenAPI document to compare: {error.detail}", file=sys.stderr)
            return EXIT_UNREADABLE
    changes = diff(documents[0], documents[1])
    _emit(args, render_changes(changes, args.format, old=str(args.old), new=str(args.new), fail_on=args.fail_on))
    return EXIT_FINDINGS if any(changes_at_least(changes, args.fail_on)) else 0


def _format_of(path: Path, raw: bytes) -> SpecFormat:
    if path.suffix.lower() == ".json":
        return "json"
    if path.suffix.lower() in (".yaml", ".yml"):
        return "yaml"
    return "json" if raw.lstrip().startswith(b"{") else "yaml"
