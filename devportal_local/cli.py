"""`devportal`: run the portal on this machine, and operate it.

devportal up            the whole stack on loopback, with the demo APIs, until Ctrl-C
devportal demo          start, register the demo specs step by step, print the catalog, stop
devportal dlq list      dead-letter queues and what is in them
devportal dlq redrive   move dead letters back to their queues
devportal worker | pollers | gateway   one component (started by `up`; useful for debugging)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from devportal.identity.pool import ROLES
from devportal.names import ResourceNames
from devportal.settings import MEBIBYTE
from devportal_local.config import LOOPBACK, REGION, LocalConfig, Ports

if TYPE_CHECKING:
    from devportal_local.users import Credentials

DEFAULT_STATE_DIR = Path(".devportal")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


def _stack_arguments(parser: argparse.ArgumentParser, *, auto_ports: bool, state_dir: Path) -> None:
    defaults = Ports(0, 0, 0, 0, 0, 0) if auto_ports else Ports()
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
    parser.add_argument("--temporal-http-port", type=int, default=defaults.temporal_http, help=argparse.SUPPRESS)
    parser.add_argument("--temporal-metrics-port", type=int, default=defaults.temporal_metrics, help=argparse.SUPPRESS)
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=10,
        metavar="SECONDS",
        help="how long a failed message waits before its retry (default 10; AWS uses the catalog's)",
    )
    parser.add_argument(
        "--max-spec-mb",
        type=float,
        default=10.0,
        metavar="MB",
        help="largest accepted spec (default 10, API Gateway's payload limit)",
    )


def _config(args: argparse.Namespace) -> LocalConfig:
    return LocalConfig(
        state_dir=args.state_dir.resolve(),
        ports=Ports(
            gateway=args.gateway_port,
            moto=args.moto_port,
            temporal=args.temporal_port,
            temporal_ui=args.ui_port,
            temporal_http=args.temporal_http_port,
            temporal_metrics=args.temporal_metrics_port,
        ),
        visibility_timeout_seconds=args.visibility_timeout,
        max_spec_bytes=int(args.max_spec_mb * MEBIBYTE),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devportal",
        description="The developer portal on this machine: moto for AWS, the Temporal dev server, "
        "the worker, the queue consumers and the HTTP gateway.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up",
        help="run the whole stack with the demo APIs until Ctrl-C",
        description="Start everything on 127.0.0.1, register the demo APIs, print the "
        "URLs, and run until Ctrl-C, which stops every process. A second `up` in the same "
        "state directory is refused.",
    )
    _stack_arguments(up, auto_ports=False, state_dir=DEFAULT_STATE_DIR)
    up.add_argument("--no-seed", action="store_true", help="do not register the demo APIs")

    demo = commands.add_parser(
        "demo",
        help="start, register the demo specs step by step, print the catalog, stop",
        description="A complete run that ends: its own stack on free ports in its own state "
        "directory (so it works beside a running `up`), the demo specs registered through the "
        "gateway with each step timed, one broken spec rejected with findings, the catalog and "
        "docs URLs printed. Exits 0 when every outcome is as expected.",
    )
    _stack_arguments(demo, auto_ports=True, state_dir=DEFAULT_STATE_DIR / "demo")

    dlq = commands.add_parser("dlq", help="inspect and redrive dead-letter queues")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    for name, text in (
        ("list", "show every DLQ, its depth and a sample of messages"),
        ("redrive", "move dead letters back to their source queue to be processed again"),
    ):
        action = dlq_commands.add_parser(name, help=text, description=text)
        action.add_argument(
            "--state-dir",
            type=Path,
            default=DEFAULT_STATE_DIR,
            help="the running `devportal up` to talk to (default .devportal)",
        )
        action.add_argument(
            "--aws", action="store_true", help="use your AWS credentials and region instead of a local stack"
        )
        action.add_argument("--prefix", default="devportal", help="resource name prefix with --aws")
        if name == "redrive":
            action.add_argument("--queue", help="only this DLQ (name as `dlq list` shows it)")
            action.add_argument("--limit", type=int, help="move at most this many messages per queue")

    users = commands.add_parser("users", help="manage the users of a running local stack")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_commands.add_parser(
        "add",
        help="invite a user: a Cognito account in the role's group and a portal profile",
        description="Invite a user to the running local stack: a Cognito account (in moto) with a "
        "permanent password, in the group of its role, and its portal profile (USER#<id>/PROFILE). "
        "The password is generated unless given, and shown once.",
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES, help="viewer, developer or admin")
    add.add_argument("--team", required=True, help="the team the user belongs to (a slug, e.g. payments)")
    add.add_argument("--name", help="display name (default: the part of the e-mail before @)")
    add.add_argument("--password", help="a password meeting the pool's policy (default: generated)")
    add.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="the running `devportal up` (default .devportal)"
    )

    for name, text in (
        ("worker", "the Temporal worker"),
        ("pollers", "the SQS consumers"),
        ("gateway", "the HTTP gateway"),
    ):
        commands.add_parser(name, help=f"run {text} alone (configured by the environment `up` sets)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "up":
        code = asyncio.run(_up(_config(args), seed=not args.no_seed))
    elif args.command == "demo":
        code = asyncio.run(_demo(_config(args)))
    elif args.command == "dlq":
        code = _dlq(args)
    elif args.command == "users":
        code = _users_add(args)
    else:
        _configure_child_logging()
        code = {"worker": _worker, "pollers": _pollers, "gateway": _gateway}[args.command]()
    sys.stdout.flush()
    sys.stderr.flush()
    # The Temporal client's native runtime can abort at interpreter exit (sdk-python#300); every
    # resource is already closed here, so leave without running the interpreter's teardown.
    os._exit(code)


async def _up(config: LocalConfig, *, seed: bool) -> int:
    from devportal_local.stack import AlreadyRunning, LocalStack, PortsBusy, StartFailed, until_signal

    stack = LocalStack(config)
    code = 0
    try:
        await until_signal(stack.start())
        if seed:
            code = await until_signal(_seed(stack.config))
        if code == 0:
            _print_ready(stack.config, stack.demo_users)
            code = await until_signal(stack.watch())
    except (AlreadyRunning, PortsBusy) as error:
        print(f"devportal: {error}", file=sys.stderr)
        return 1
    except (StartFailed, OSError) as error:
        print(f"devportal: could not start: {error}", file=sys.stderr)
        code = 1
    except asyncio.CancelledError:
        print("\ndevportal: interrupted.", flush=True)
    finally:
        if stack.children:
            print("devportal: stopping ...", flush=True)
            stack.stop()
            print("devportal: stopped; no process left running.", flush=True)
        else:
            stack.release()
    return code


async def _seed(config: LocalConfig) -> int:
    from temporalio.client import Client

    from devportal_local.demo import DEMO_SPECS, DemoFailed, Session, register_all
    from devportal_local.users import demo_users

    admin = demo_users(config.state_dir)["admin"]
    print(f"Registering the demo APIs through the gateway, signed in as {admin.email}:", flush=True)
    client = await Client.connect(config.temporal_address, namespace=config.namespace)
    try:
        session = await asyncio.to_thread(Session.sign_in, config.gateway_url, admin.email, admin.password)
        await register_all(session, client, DEMO_SPECS, _say)
    except DemoFailed as error:
        print(f"devportal: seeding failed: {error}", file=sys.stderr)
        return 1
    return 0


def _print_ready(config: LocalConfig, users: Sequence[Credentials]) -> None:
    from devportal_local.demo import workflows_url

    rows = [
        ("Gateway", f"{config.gateway_url}/apis"),
        ("Temporal Web UI", workflows_url(config.temporal_ui_url, config.namespace)),
        ("", f"search one API: {workflows_url(config.temporal_ui_url, config.namespace, 'petstore')}"),
        (
            "Demo credentials",
            f"AWS (moto) at {config.moto_url}: access key id 'testing', secret 'testing', region {REGION}",
        ),
        *(
            ("Demo users" if index == 0 else "", f"{user.role:<9} {user.email:<27} {user.password}  (team {user.team})")
            for index, user in enumerate(users)
        ),
        (
            "",
            f"sign in: curl -X POST {config.gateway_url}/auth/login -H 'Content-Type: application/json' "
            '-d \'{"email": "...", "password": "..."}\'  -> accessToken',
        ),
        (
            "",
            f"submit:  curl -X POST '{config.gateway_url}/apis?team=pets' -H 'Authorization: Bearer <accessToken>' "
            "-H 'Content-Type: application/yaml' --data-binary @spec.yaml",
        ),
        ("Logs", str(config.logs_dir)),
    ]
    print("\ndevportal is up. Ctrl-C stops every process.", flush=True)
    for label, value in rows:
        print(f"  {label:<17} {value}", flush=True)


async def _demo(config: LocalConfig) -> int:
    from devportal_local.stack import AlreadyRunning, LocalStack, PortsBusy, StartFailed, until_signal

    stack = LocalStack(config)
    try:
        await until_signal(stack.start())
        return await until_signal(_demo_run(stack.config))
    except (AlreadyRunning, PortsBusy, StartFailed, OSError) as error:
        print(f"devportal demo: could not start: {error}", file=sys.stderr)
        return 1
    except asyncio.CancelledError:
        print("\ndevportal demo: interrupted.", flush=True)
        return 130
    finally:
        if stack.children:
            print("devportal demo: stopping the stack ...", flush=True)
            stack.stop()
            print("devportal demo: done; no process left running.", flush=True)
        else:
            stack.release()


async def _demo_run(config: LocalConfig) -> int:
    from temporalio.client import Client

    from devportal_local.demo import (
        BROKEN_SPEC,
        DEMO_SPECS,
        DemoFailed,
        Session,
        print_catalog,
        register_all,
        workflows_url,
    )
    from devportal_local.users import demo_users

    try:
        client = await Client.connect(config.temporal_address, namespace=config.namespace)
        admin = demo_users(config.state_dir)["admin"]
        session = await asyncio.to_thread(Session.sign_in, config.gateway_url, admin.email, admin.password)
        print(f"\nSigned in as {admin.email} ({session.user['role']}) through POST /auth/login.", flush=True)
        print("\nRegistering the demo specs (POST /apis), each step as the workflow reports it:", flush=True)
        outcomes = await register_all(session, client, DEMO_SPECS, _say)
        print("\nAnd a broken spec, to show a rejection:", flush=True)
        outcomes += await register_all(session, client, (BROKEN_SPEC,), _say)
        print(flush=True)
        await print_catalog(session, _say)
    except DemoFailed as error:
        print(f"devportal demo: {error}", file=sys.stderr)
        return 1
    print(
        f"\nEvery run is in the Temporal Web UI at {workflows_url(config.temporal_ui_url, config.namespace)}"
        " while the stack runs.",
        flush=True,
    )
    registered = [o for o in outcomes if o.status == "registered"]
    print(
        f"Registered {len(registered)} APIs (submit to registered): "
        + ", ".join(f"{o.api_id} {o.seconds:.2f} s" for o in registered)
        + "; rejected 1 as expected.",
        flush=True,
    )
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _dlq(args: argparse.Namespace) -> int:
    import boto3

    from devportal import ops

    if args.aws:
        names, sqs = ResourceNames(args.prefix), boto3.client("sqs")
        where = "AWS"
    else:
        state_file = args.state_dir / "state.json"
        if not state_file.exists():
            print(
                f"devportal: no local stack is running in {args.state_dir} (start one with `devportal up`, "
                "or pass --aws)",
                file=sys.stderr,
            )
            return 1
        config = LocalConfig.load(args.state_dir)
        names = config.names
        sqs = config.client("sqs")
        where = config.moto_url
    if args.dlq_command == "list":
        total = 0
        print(f"Dead-letter queues at {where}:")
        for report in ops.inspect(sqs, names):
            total += report.depth
            print(f"  {report.queue.name:<48} {report.depth:>5} message(s)  (source: {report.queue.source})")
            for sample in report.samples:
                first = (
                    datetime.fromtimestamp(sample.first_received_ms / 1000, UTC).isoformat(timespec="seconds")
                    if sample.first_received_ms
                    else "?"
                )
                print(f"      {sample.message_id}  received {sample.receive_count}x, first {first}  {sample.summary}")
        print(f"{total} dead letter(s) in all." + (" Replay them with `devportal dlq redrive`." if total else ""))
        return 0
    queues = [q for q in ops.dead_letter_queues(names) if args.queue in (None, q.name)]
    if not queues:
        print(f"devportal: no dead-letter queue named {args.queue!r}; see `devportal dlq list`", file=sys.stderr)
        return 1
    moved_total = 0
    for queue in queues:
        moved = ops.redrive(sqs, queue, limit=args.limit)
        moved_total += moved
        if moved:
            print(f"  {queue.name}: {moved} message(s) moved back to {queue.source}")
    print(f"Redrove {moved_total} message(s).")
    return 0


def _users_add(args: argparse.Namespace) -> int:
    from devportal.errors import DomainError
    from devportal_local.users import invite, load_identity

    if not (args.state_dir / "state.json").exists():
        print(
            f"devportal: no local stack is running in {args.state_dir} (start one with `devportal up`)", file=sys.stderr
        )
        return 1
    config = LocalConfig.load(args.state_dir)
    try:
        invited = invite(
            config,
            load_identity(config),
            email=args.email,
            role=args.role,
            team=args.team,
            name=args.name,
            password=args.password,
        )
    except DomainError as error:
        fields = "; ".join(f"{e.pointer or e.parameter}: {e.detail}" for e in error.errors)
        print(f"devportal: {error.detail}" + (f" ({fields})" if fields else ""), file=sys.stderr)
        return 1
    profile = invited.profile
    print(f"Invited {profile.email} as {profile.role} of team {profile.team} (user id {profile.user_id}).")
    if invited.generated:
        print(f"Password (shown once): {invited.password}")
    print(f"Sign in: POST {config.gateway_url}/auth/login")
    return 0


# -- child processes ----------------------------------------------------------------------


def _configure_child_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stdout)


def _mark_ready() -> None:
    ready = os.environ.get("DEVPORTAL_READY_FILE")
    if ready:
        Path(ready).write_text(str(os.getpid()), encoding="utf-8")


def _stop_event_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _worker() -> int:
    from temporal_bridge.worker import run

    asyncio.run(run(on_ready=_mark_ready))
    return 0


def _pollers() -> int:
    from devportal_local.pollers import run_pollers

    run_pollers(ResourceNames(os.environ["DEVPORTAL_PREFIX"]), _stop_event_on_signals(), on_ready=_mark_ready)
    return 0


def _gateway() -> int:
    from devportal_local.gateway import Gateway

    gateway = Gateway(LOOPBACK, int(os.environ["DEVPORTAL_GATEWAY_PORT"]), int(os.environ["DEVPORTAL_MAX_SPEC_BYTES"]))
    stop = _stop_event_on_signals()
    gateway.start_in_background()
    _mark_ready()
    stop.wait()
    gateway.shutdown()
    return 0


if __name__ == "__main__":
    main()
