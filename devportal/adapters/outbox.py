"""The mail a local portal sent: SES in moto keeps every message it was asked to send (nothing
leaves the machine), readable through moto's data endpoint. In AWS mail leaves through SES, which
keeps no copy: there is no outbox (each subscription's deliveries say what was sent)."""

from __future__ import annotations

import json
import urllib.request

from devportal.notify.ports import SentMail


class MotoOutbox:
    def __init__(self, moto_url: str) -> None:
        self._url = f"{moto_url.rstrip('/')}/moto-api/data.json"

    def sent(self) -> list[SentMail]:
        """Every message sent so far, oldest first."""
        with urllib.request.urlopen(self._url, timeout=10) as answered:  # noqa: S310 - the configured moto
            data = json.load(answered)
        return [
            SentMail(
                message_id=str(message.get("id", "")),
                sender=str(message.get("source", "")),
                to=tuple((message.get("destinations") or {}).get("ToAddresses", [])),
                subject=str(message.get("subject", "")),
                body=str(message.get("body", "")),
            )
            for message in (data.get("ses") or {}).get("Message", [])
        ]
