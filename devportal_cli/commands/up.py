"""`devportal up`: the whole portal on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from devportal_cli.options import DEFAULT_STATE_DIR, add_stack_arguments, stack_config
from devportal_local.config import REGION, LocalConfig

if TYPE_CHECKING:
    from devportal_local.users import Credentials


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "up",
        help="run the whole stack with the demo APIs until Ctrl-C",
        description="Start everything on 127.0.0.1, register the demo APIs, print the "
        "URLs, and run until Ctrl-C, which stops every process. A second `up` in the same "
        "state directory is refused.",
    )
    add_stack_arguments(parser, auto_ports=False, state_dir=DEFAULT_STATE_DIR)
    parser.add_argument("--no-seed", action="store_true", help="do not register the demo APIs")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start empty: wipe what the last run kept (APIs, users, keys, workflow history) first",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(up(stack_config(args), seed=not args.no_seed, fresh=args.fresh))


async def up(config: LocalConfig, *, seed: bool, fresh: bool = False) -> int:
    from devportal_local.stack import AlreadyRunning, LocalStack, PortsBusy, StartFailed, until_signal

    stack = LocalStack(config, fresh=fresh)
    code = 0
    try:
        await until_signal(stack.start())
        if seed:
            code = await until_signal(_seed(stack.config, stack.petstore_url))
        if code == 0:
            print_ready(stack.config, stack.demo_users, petstore_url=stack.petstore_url)
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


async def _seed(config: LocalConfig, petstore_url: str | None = None) -> int:
    from temporalio.client import Client

    from devportal_local.demo import (
        DEMO_SPECS,
        DemoFailed,
        Session,
        point_demo_environment,
        register_all,
        unregistered,
    )
    from devportal_local.users import demo_users

    admin = demo_users(config.state_dir)["admin"]
    try:
        session = await asyncio.to_thread(Session.sign_in, config.gateway_url, admin.email, admin.password)
        missing = await asyncio.to_thread(unregistered, session, DEMO_SPECS)
        if not missing:
            print("The demo APIs are registered, kept from the last run.", flush=True)
        else:
            print(f"Registering the demo APIs through the gateway, signed in as {admin.email}:", flush=True)
            client = await Client.connect(config.temporal_address, namespace=config.namespace)
            await register_all(session, client, missing, say)
        if petstore_url is not None:
            pointed: bool = await asyncio.to_thread(point_demo_environment, session, petstore_url, "petstore")
            if pointed:
                print(
                    f"The petstore's test environment `demo` is the live petstore at {petstore_url}: "
                    "contract-test it from the petstore's page (Contract tests, Start run).",
                    flush=True,
                )
    except DemoFailed as error:
        print(f"devportal: seeding failed: {error}", file=sys.stderr)
        return 1
    return 0


def print_ready(
    config: LocalConfig,
    users: Sequence[Credentials],
    *,
    terminal: bool | None = None,
    petstore_url: str | None = None,
) -> None:
    """What runs where. The demo users' passwords go to a terminal only: when the output is
    captured (a log, CI), it names the 0600 file that holds them instead."""
    from contracts.web import API_PREFIX
    from devportal_local.demo import workflows_url
    from devportal_local.users import demo_users_file
    from devportal_local.web import ui_built

    shown = sys.stdout.isatty() if terminal is None else terminal

    def secret(user: Credentials) -> str:
        return user.password if shown else "(password in the file below)"

    rows = [
        ("Portal", f"{config.gateway_url}/" + ("" if ui_built() else "  (UI not built: run `make ui`)")),
        ("API", f"{config.gateway_url}/apis  (and {config.gateway_url}{API_PREFIX}/apis, as the portal calls it)"),
        ("Temporal Web UI", workflows_url(config.temporal_ui_url, config.namespace)),
        ("", f"search one API: {workflows_url(config.temporal_ui_url, config.namespace, 'petstore')}"),
        *([("Demo target", f"{petstore_url}  (a live petstore to contract-test)")] if petstore_url else []),
        (
            "Demo credentials",
            f"AWS (moto) at {config.moto_url}: access key id 'testing', secret 'testing', region {REGION}",
        ),
        *(
            ("Demo users" if index == 0 else "", f"{user.role:<9} {user.email:<27} {secret(user)}  (team {user.team})")
            for index, user in enumerate(users)
        ),
        *([] if shown else [("", f"passwords: {demo_users_file(config)} (readable by you only)")]),
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
        (
            "State",
            f"{config.state_dir} - kept between runs (APIs, docs, users, keys, workflow history); "
            "`devportal up --fresh` or `make up ARGS=--fresh` starts empty",
        ),
    ]
    print("\ndevportal is up. Ctrl-C stops every process.", flush=True)
    for label, value in rows:
        print(f"  {label:<17} {value}", flush=True)


def say(line: str) -> None:
    print(line, flush=True)
