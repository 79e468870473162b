"""`devportal worker | pollers | gateway | petstore`: one component of the local stack alone, configured by the
environment `devportal up` gives its children (devportal_local.components runs them)."""

from __future__ import annotations

import argparse
from typing import Any

from devportal_local import components


def add_to(subcommands: Any) -> None:
    for name, text in components.COMPONENTS.items():
        parser = subcommands.add_parser(name, help=f"run {text} alone (configured by the environment `up` sets)")
        parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return components.run(args.command)
