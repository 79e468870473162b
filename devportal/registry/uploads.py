"""Documents too large for a request body (API Gateway stops at 10 MB; Microsoft Graph's run to
47 MB) go straight to the specs bucket with a presigned PUT, then through the same submission as
any other: `POST /apis/uploads` says how big and what type, and gets a URL good for that exact
size and type for 15 minutes; the client PUTs the bytes; `POST /apis/uploads/{uploadId}/submission`
submits what arrived, with every check `POST /apis` makes.

An upload belongs to whoever opened it: its key carries a hash of the caller's subject, so an
upload id alone reaches nothing of anyone else's. Uploads are never deleted by a submission (a
retried submission must find its bytes again); the bucket's lifecycle removes them after a day."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError

from devportal.bodies import JsonBody, JsonInteger, invalid_body
from devportal.errors import FieldError, InvalidParameter, NotFound, SpecTooLarge
from devportal.registry.ports import BlobStore
from devportal.settings import MEBIBYTE, SpecLimits
from devportal.specs.parsing import SUPPORTED_MEDIA_TYPES

UPLOAD_ID = re.compile(r"^up-[0-9a-f]{32}$")
MAX_UPLOAD_BYTES = 64 * MEBIBYTE  # the contract's maximum; the tunable cap may be lower (413)
MediaType = Literal[
    "application/json", "application/yaml", "application/vnd.oai.openapi", "application/vnd.oai.openapi+json"
]
UPLOAD_PREFIX = "uploads/"
EXPIRES = timedelta(minutes=15)


class UploadRequest(JsonBody):
    """What POST /apis/uploads takes: the size of the document and the media type it is in."""

    size: JsonInteger = Field(ge=1, le=MAX_UPLOAD_BYTES, description="bytes the PUT will send")
    content_type: MediaType


assert set(get_args(MediaType)) == set(SUPPORTED_MEDIA_TYPES)


def check_upload_request(body: Mapping[str, Any]) -> UploadRequest:
    try:
        return UploadRequest.model_validate(body)
    except ValidationError as error:
        raise invalid_body("The upload's members", error) from None


@dataclass(frozen=True)
class UploadTicket:
    upload_id: str
    url: str
    headers: dict[str, str]  # what the PUT must carry, exactly
    expires_at: datetime
    max_bytes: int


@dataclass(frozen=True)
class Uploaded:
    body: bytes
    media_type: str


def upload_key(subject: str, upload_id: str) -> str:
    owner = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"{UPLOAD_PREFIX}{owner}/{upload_id}"


class Uploads:
    def __init__(
        self,
        specs: BlobStore,
        limits: Callable[[], SpecLimits],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._specs = specs
        self._limits = limits
        self._clock = clock

    def open(self, subject: str, media_type: str, size: int) -> UploadTicket:
        if media_type not in SUPPORTED_MEDIA_TYPES:
            raise InvalidParameter(
                f"{media_type[:80]!r} cannot carry an OpenAPI document; upload it as one of: "
                f"{', '.join(SUPPORTED_MEDIA_TYPES)}.",
                [FieldError(detail="unsupported", pointer="/contentType")],
            )
        cap = self._limits().max_upload_bytes
        if size > cap:
            raise SpecTooLarge(
                f"The document would be {size:,} bytes; uploads may be up to {cap:,} bytes.",
                [FieldError(detail=f"at most {cap}", pointer="/size")],
            )
        upload_id = "up-" + secrets.token_hex(16)
        seconds = int(EXPIRES.total_seconds())
        url = self._specs.upload_url(upload_key(subject, upload_id), media_type, size, seconds)
        return UploadTicket(
            upload_id=upload_id,
            url=url,
            headers={"Content-Type": media_type, "Content-Length": str(size)},
            expires_at=self._clock() + EXPIRES,
            max_bytes=cap,
        )

    def read(self, subject: str, upload_id: str) -> Uploaded:
        if not UPLOAD_ID.fullmatch(upload_id):
            raise InvalidParameter(
                "An upload id is `up-` and 32 hexadecimal digits, as POST /apis/uploads returned it.",
                [FieldError(detail="not an upload id", parameter="uploadId")],
            )
        key = upload_key(subject, upload_id)
        stored = self._specs.describe(key)
        if stored is None:
            raise NotFound(
                f"Upload {upload_id} has no document: the PUT to its URL has not happened (or failed), the "
                "upload expired (after a day), or it was opened by someone else."
            )
        size, media_type = stored
        cap = self._limits().max_upload_bytes
        if size > cap:
            raise SpecTooLarge(f"The uploaded document is {size:,} bytes; uploads may be up to {cap:,} bytes.")
        return Uploaded(self._specs.get(key), media_type)
