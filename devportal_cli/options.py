"""Arguments shared by the commands that start a stack (`up`, `demo`) or talk to a running one."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from devportal.settings import MEBIBYTE
from devportal_local.config import LocalConfig, Ports

DEFAULT_STATE_DIR = Path(".devportal")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


def add_stack_arguments(parser: argparse.ArgumentParser, *, auto_ports: bool, state_dir: Path) -> None:
    defaults = Ports(0, 0, 0, 0, 0, 0, 0) if auto_ports else Ports()
    hint = " (0 = any free port)"
    parser.add_argument("--state-dir", type=Path, default=state_dir, help=f"state, logs, lock (default {state_dir})")
    parser.add_argument(
        "--gateway-port",
        type=int,
        default=_env_int("DEVPORTAL_GATEWAY_PORT", defaults.gateway),
        help=f"HTTP gateway port (default {defaults.gateway}){hint}",
    )
    parser.add_argument(
        "--moto-port",
        type=int,
        default=_env_int("DEVPORTAL_MOTO_PORT", defaults.moto),
        help=f"moto (AWS stand-in) port (default {defaults.moto}){hint}",
    )
    parser.add_argument(
        "--temporal-port",
        type=int,
        default=_env_int("DEVPORTAL_TEMPORAL_PORT", defaults.temporal),
        help=f"Temporal gRPC port (default {defaults.temporal}){hint}",
    )
    parser.add_argument(
        "--ui-port",
        type=int,
        default=_env_int("DEVPORTAL_UI_PORT", defaults.temporal_ui),
        help=f"Temporal Web UI port (default {defaults.temporal_ui}){hint}",
    )
    parser.add_argument(
        "--temporal-http-port",
        type=int,
        default=None,
        help="Temporal's HTTP API port (default: the gRPC port + 10, or any free port when that is 0)",
    )
    parser.add_argument(
        "--temporal-metrics-port",
        type=int,
        default=None,
        help="Temporal's metrics port (default: the gRPC port + 20, or any free port when that is 0)",
    )
    parser.add_argument(
        "--lambda-port",
        type=int,
        default=None,
        help="the local Lambda invoke endpoint's port, which state machines' tasks reach "
        "(default: the moto port + 1, or any free port when that is 0)",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=10,
        metavar="SECONDS",
        help="how long a failed message waits before its retry (default 10; AWS uses the catalog's)",
    )
    parser.add_argument(
        "--settings-refresh",
        type=int,
        default=60,
        metavar="SECONDS",
        help="how soon a changed tunable setting (SSM, /<prefix>/settings/) takes effect (default 60)",
    )
    parser.add_argument(
        "--max-spec-mb",
        type=float,
        default=10.0,
        metavar="MB",
        help="largest accepted spec (default 10, API Gateway's payload limit)",
    )


def _follow(given: int | None, main_port: int, offset: int) -> int:
    """Side ports follow their main one (Temporal's gRPC port, moto's): beside it, or free ones when it is free."""
    if given is not None:
        return given
    return main_port + offset if main_port else 0


def stack_config(args: argparse.Namespace) -> LocalConfig:
    return LocalConfig(
        state_dir=args.state_dir.resolve(),
        ports=Ports(
            gateway=args.gateway_port,
            moto=args.moto_port,
            temporal=args.temporal_port,
            temporal_ui=args.ui_port,
            temporal_http=_follow(args.temporal_http_port, args.temporal_port, 10),
            temporal_metrics=_follow(args.temporal_metrics_port, args.temporal_port, 20),
            lambdas=_follow(args.lambda_port, args.moto_port, 1),
        ),
        visibility_timeout_seconds=args.visibility_timeout,
        max_spec_bytes=int(args.max_spec_mb * MEBIBYTE),
        settings_refresh_seconds=args.settings_refresh,
    )


def add_state_dir(parser: argparse.ArgumentParser, what: str = "the running `devportal up`") -> None:
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help=f"{what} (default .devportal)")


def running_stack(state_dir: Path) -> LocalConfig | None:
    """The configuration of the stack running in `state_dir`, or None (with the reason printed)."""
    if not (state_dir / "state.json").exists():
        print(f"devportal: no local stack is running in {state_dir} (start one with `devportal up`)", file=sys.stderr)
        return None
    return LocalConfig.load(state_dir)
