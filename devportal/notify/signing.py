"""Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1).

A secret is `whsec_` + base64 of 24 random bytes. A delivery carries three headers:
`webhook-id` (the delivery's id, the same on every retry: the receiver's idempotency key),
`webhook-timestamp` (seconds since the epoch, when this attempt was signed) and
`webhook-signature`: `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), several
separated by spaces while a rotated secret is still honoured."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix every secret has, not a secret
TOLERANCE_SECONDS = 5 * 60  # what a receiver should accept between the timestamp and its clock


class WebhookVerificationError(ValueError):
    """A delivery whose signature or timestamp does not check out."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a signing secret starts with whsec_")
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `v1,<base64>` signature of one attempt."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers, signed with every secret in use (the new one first during a rotation)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_use),
    }


def verify(secret: str, headers: dict[str, str], body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> None:
    """What a receiver does: raise WebhookVerificationError unless one of the signatures is ours
    and the timestamp is within `tolerance` of `now` (a replayed old delivery is refused)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = lowered["webhook-id"]
        timestamp = int(lowered["webhook-timestamp"])
        signatures = lowered["webhook-signature"].split(" ")
    except (KeyError, ValueError):
        raise WebhookVerificationError("missing or malformed webhook headers") from None
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError("the timestamp is too far from now")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise WebhookVerificationError("no signature matches")
