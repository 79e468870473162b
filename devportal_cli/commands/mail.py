"""`devportal mail`: the e-mail the local portal sent (SES in moto keeps it; nothing leaves the
machine) - confirmation links and notifications - newest last."""

from __future__ import annotations

import argparse
import json
from typing import Any

from devportal_cli.options import add_state_dir, running_stack


def add_to(subcommands: Any) -> None:
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "mail", help="show the e-mail a local stack sent (SES in moto)", description=__doc__
    )
    add_state_dir(parser, "the running `devportal up` to read")
    parser.add_argument("--to", help="only mail to this address")
    parser.add_argument("--last", type=int, default=20, metavar="N", help="the last N messages (default 20)")
    parser.add_argument("--json", action="store_true", help="as JSON, one object per message")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devportal_local.outbox import outbox

    config = running_stack(args.state_dir)
    if config is None:
        return 1
    mails = [mail for mail in outbox(config.moto_url) if args.to in (None, *mail.to)]
    shown = mails[-args.last :] if args.last > 0 else mails
    if args.json:
        for mail in shown:
            print(json.dumps(mail.wire()))
        return 0
    print(f"{len(mails)} message(s) sent through SES at {config.moto_url}" + (f" to {args.to}" if args.to else "")
          + (f"; the last {len(shown)}:" if len(shown) < len(mails) else ":"))  # fmt: skip
    for mail in shown:
        print(f"\n--- {mail.subject}\nFrom: {mail.sender}\nTo: {', '.join(mail.to)}\n\n{mail.body}")
    return 0
