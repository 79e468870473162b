"""`devportal dlq list | redrive`: dead-letter queues of a local stack or, with --aws, of a
deployment in AWS (your credentials and region, as the AWS CLI finds them)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from devportal.names import ResourceNames
from devportal_cli.options import add_state_dir, running_stack


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser("dlq", help="inspect and redrive dead-letter queues")
    actions = parser.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    for name, text in (
        ("list", "show every DLQ, its depth and a sample of messages"),
        ("redrive", "move dead letters back to their source queue to be processed again"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        add_state_dir(action, "the running `devportal up` to talk to")
        action.add_argument(
            "--aws", action="store_true", help="use your AWS credentials and region instead of a local stack"
        )
        action.add_argument(
            "--prefix", default="devportal", help="resource name prefix with --aws (devportal-<stage> for a stage)"
        )
        if name == "redrive":
            action.add_argument("--queue", help="only this DLQ (name as `dlq list` shows it)")
            action.add_argument("--limit", type=int, help="move at most this many messages per queue")
        action.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import boto3

    from devportal.adapters import dead_letters
    from functions.topology import dead_letter_queues

    sqs: Any
    if args.aws:
        names, sqs, where = ResourceNames(args.prefix), boto3.client("sqs"), "AWS"
    else:
        config = running_stack(args.state_dir)
        if config is None:
            print("  (or pass --aws to look at a deployment in AWS)", file=sys.stderr)
            return 1
        names, sqs, where = config.names, config.client("sqs"), config.moto_url
    queues = dead_letter_queues(names)
    if args.dlq_command == "list":
        total = 0
        print(f"Dead-letter queues at {where}:")
        for report in dead_letters.inspect(sqs, queues):
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
    chosen = [q for q in queues if args.queue in (None, q.name)]
    if not chosen:
        print(f"devportal: no dead-letter queue named {args.queue!r}; see `devportal dlq list`", file=sys.stderr)
        return 1
    moved_total = 0
    for queue in chosen:
        moved = dead_letters.redrive(sqs, queue, limit=args.limit)
        moved_total += moved
        if moved:
            print(f"  {queue.name}: {moved} message(s) moved back to {queue.source}")
    print(f"Redrove {moved_total} message(s).")
    return 0
