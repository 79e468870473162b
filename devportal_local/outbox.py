"""The mail the local portal sent: SES in moto keeps every message it was asked to send (nothing
leaves the machine), readable through moto's data endpoint. `devportal mail` prints it."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mail:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str

    def wire(self) -> dict[str, Any]:
        return {"messageId": self.message_id, "from": self.sender, "to": list(self.to), "subject": self.subject,
                "text": self.body}  # fmt: skip


def outbox(moto_url: str) -> list[Mail]:
    """Every message sent so far, oldest first."""
    with urllib.request.urlopen(f"{moto_url.rstrip('/')}/moto-api/data.json", timeout=10) as answered:  # noqa: S310
        data = json.load(answered)
    return [
        Mail(
            message_id=str(message.get("id", "")),
            sender=str(message.get("source", "")),
            to=tuple((message.get("destinations") or {}).get("ToAddresses", [])),
            subject=str(message.get("subject", "")),
            body=str(message.get("body", "")),
        )
        for message in (data.get("ses") or {}).get("Message", [])
    ]
