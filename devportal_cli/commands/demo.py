"""`devportal demo`: start, register the demo specs step by step, print the catalog, stop."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from devportal_cli.commands.up import say
from devportal_cli.options import DEFAULT_STATE_DIR, add_stack_arguments, stack_config
from devportal_local.config import LocalConfig


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "demo",
        help="start, register the demo specs, show lint, an approval, a deprecation, usage, health, a report and "
        "a contract test, stop",
        description="A complete run that ends: its own stack on free ports in its own state "
        "directory (so it works beside a running `up`), the demo specs registered through the "
        "gateway with each step timed, one broken spec rejected with findings, the catalog and "
        "docs URLs printed, usage, health and a daily report, then a contract test of a live petstore "
        "it starts. It starts empty every time. Exits 0 when every outcome is as expected.",
    )
    add_stack_arguments(parser, auto_ports=True, state_dir=DEFAULT_STATE_DIR / "demo")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(demo(stack_config(args)))


async def demo(config: LocalConfig) -> int:
    from devportal_local.stack import AlreadyRunning, LocalStack, PortsBusy, StartFailed, until_signal

    stack = LocalStack(config, fresh=True)  # the demo always starts empty
    try:
        await until_signal(stack.start())
        return await until_signal(_run(stack.config, stack.petstore_url))
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


async def _run(config: LocalConfig, petstore_url: str | None) -> int:
    from devportal.names import TASK_QUEUE_ANALYTICS
    from devportal_local.demo import (
        BROKEN_SPEC,
        DEMO_SPECS,
        DemoFailed,
        Session,
        print_catalog,
        publish_usage,
        register_all,
        show_approval,
        show_contract_test,
        show_daily_report,
        show_digest,
        show_health,
        show_lifecycle,
        show_lint,
        show_told,
        show_upload,
        subscribe_team,
        workflows_url,
    )
    from devportal_local.users import demo_users
    from devportal_local.webhook_receiver import webhook_receiver

    try:
        client = await config.connect_temporal()
        print(f"\n  Portal  {config.gateway_url}/  (while the demo runs; `make up` keeps one running)", flush=True)
        admin = demo_users(config.state_dir)["admin"]
        session = await asyncio.to_thread(Session.sign_in, config.gateway_url, admin.email, admin.password)
        print(f"\nSigned in as {admin.email} ({session.user['role']}) through POST /auth/login.", flush=True)
        print("\nRegistering the demo specs (POST /apis), each step as the workflow reports it:", flush=True)
        outcomes = await register_all(session, client, DEMO_SPECS, say)
        print("\nAnd a broken spec, to show a rejection:", flush=True)
        outcomes += await register_all(session, client, (BROKEN_SPEC,), say)
        print("\nA document over the 10 MB a request body may carry goes through an upload:", flush=True)
        outcomes.append(await show_upload(session, client, say))
        print(flush=True)
        await print_catalog(session, say)
        print("\nEvery version is linted when it registers:", flush=True)
        await show_lint(session, say)
        print("\nA team deprecates a version, saying when it goes away:", flush=True)
        await show_lifecycle(session, say)
        print("\nA service of team pets publishes its last hour of calls to the petstore:", flush=True)
        secret = await publish_usage(session, say)
        print("\nTeam pets wants to be told what happens to the petstore (a webhook it runs, a mailbox):", flush=True)
        with webhook_receiver() as receiver:
            hook, signing_secret = await subscribe_team(session, config.moto_url, receiver.url, say)
            print(
                "\nA new version of the petstore drops an operation those calls use; it waits for an admin:",
                flush=True,
            )
            outcomes.append(await show_approval(session, client, say))
            print("\nThe team was told, at each step:", flush=True)
            await show_told(session, config.moto_url, receiver, hook, signing_secret, say)
        print("\nThe same service reports an incident a few hours ago; the hourly health check judges it:", flush=True)
        await show_health(session, client, say, secret, TASK_QUEUE_ANALYTICS)
        print(
            "\nIt publishes yesterday's calls too; the petstore's daily analytics schedule reports the day:", flush=True
        )
        await show_daily_report(session, client, say, secret, TASK_QUEUE_ANALYTICS)
        print(
            "\nA live petstore runs on this machine (the stack started it); the portal contract-tests it against "
            "the registered spec:",
            flush=True,
        )
        if petstore_url is None:
            raise DemoFailed("the stack's live petstore is not running")
        await show_contract_test(session, say, petstore_url)
        print("\nTeam pets hears of contract test runs once a day; the morning's digest, sent now:", flush=True)
        await show_digest(session, client, config.moto_url, say, TASK_QUEUE_ANALYTICS)
    except DemoFailed as error:
        print(f"devportal demo: {error}", file=sys.stderr)
        return 1
    print(
        f"\nEvery run is in the Temporal Web UI at {workflows_url(config.temporal_ui_url, config.namespace)}"
        " while the stack runs.",
        flush=True,
    )
    registered = [o for o in outcomes if o.status == "registered"]  # the upload's among them
    print(
        f"Registered {len(registered)} versions (submit to registered): "
        + ", ".join(f"{o.api_id} {o.seconds:.2f} s" for o in registered)
        + "; rejected 1 as expected.",
        flush=True,
    )
    return 0
