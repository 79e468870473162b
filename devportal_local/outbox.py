"""The mail the local portal sent (SES in moto): `devportal mail`, the tests and the demo read it."""

from __future__ import annotations

from devportal.adapters.outbox import MotoOutbox
from devportal.notify.ports import SentMail

Mail = SentMail


def outbox(moto_url: str) -> list[SentMail]:
    """Every message sent so far, oldest first."""
    return MotoOutbox(moto_url).sent()
