"""`devportal`: run the portal on this machine, and operate it.

devportal up            the whole stack on loopback, with the demo APIs, until Ctrl-C
devportal demo          start, register the demo specs, lint, approval, lifecycle, usage, health, tests, stop
devportal dlq list      dead-letter queues and what is in them (locally or, with --aws, in AWS)
devportal dlq redrive   move dead letters back to their queues
devportal users add     invite a user to the running local stack
devportal spec validate check an OpenAPI file with the portal's spec engine, offline (exit codes for CI)
devportal spec lint     validate, then lint it with the portal's ruleset or a team's (--ruleset)
devportal spec diff     the changes between two versions and which of them break consumers
devportal branch-stage  a feature branch's own stage in AWS: its name, test user, destroy, reap
devportal worker | pollers | gateway | petstore   one component (started by `up`; useful for debugging)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from devportal_cli.commands import branches, components, demo, dlq, mail, spec, up, users

COMMANDS = (up, demo, dlq, mail, users, spec, branches, components)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devportal",
        description="The developer portal on this machine: moto for AWS, the Temporal dev server, "
        "the worker, the queue consumers, the HTTP gateway and a live petstore to contract-test.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_to(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    sys.stdout.flush()
    sys.stderr.flush()
    # The Temporal client's native runtime can abort at interpreter exit (sdk-python#300); every
    # resource is already closed here, so leave without running the interpreter's teardown.
    os._exit(code)
