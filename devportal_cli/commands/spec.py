"""`devportal spec validate FILE`: the portal's spec engine on a file, offline - the checks a
registration makes, with each finding's line, as text, JSON, Markdown or JUnit XML, and an exit
code for CI (0: nothing at or above --fail-on; 1: something is; 2: the file cannot be read)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.check import check_spec
from devportal.specs.parsing import SpecFormat
from devportal.specs.report import FORMATS, locate, render

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
    validate.add_argument("--format", choices=FORMATS, default="text", help="output form (default: text)")
    validate.add_argument("--output", type=Path, help="write the report here instead of standard output")
    validate.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="the least severity that makes the exit code 1 (default: error)",
    )
    validate.add_argument(
        "--max-findings", type=int, default=1000, help="report at most this many findings (default: 1000)"
    )
    validate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as error:
        print(f"devportal: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNREADABLE
    limits = SpecLimits(max_spec_bytes=64 * MEBIBYTE, max_findings=min(max(args.max_findings, 1), 1000))
    checked = check_spec(raw, _format_of(args.file, raw), limits, limits.max_findings)
    located = locate(raw.decode("utf-8", errors="replace"), checked.findings)
    summary = {"valid": checked.valid, "truncated": checked.truncated}
    report = render(located, args.format, file=str(args.file), tool="devportal spec validate", summary=summary)
    if args.output is not None:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    failing = {"error"} if args.fail_on == "error" else {"error", "warning"}
    return EXIT_FINDINGS if any(f.severity in failing for f in checked.findings) else 0


def _format_of(path: Path, raw: bytes) -> SpecFormat:
    if path.suffix.lower() == ".json":
        return "json"
    if path.suffix.lower() in (".yaml", ".yml"):
        return "yaml"
    return "json" if raw.lstrip().startswith(b"{") else "yaml"
