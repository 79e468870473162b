"""A bucket as a `BlobStore`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3BlobStore:
    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self._client: LazyClient[S3Client] = LazyClient("s3", client)

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client().put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, ServerSideEncryption="AES256"
        )

    def get(self, key: str) -> bytes:
        return self._client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self._client().delete_object(Bucket=self.bucket, Key=key)

    def size(self, key: str) -> int | None:
        try:
            return self._client().head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def describe(self, key: str) -> tuple[int, str] | None:
        try:
            head = self._client().head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return head["ContentLength"], head.get("ContentType", "")

    def upload_url(self, key: str, content_type: str, size: int, expires_seconds: int) -> str:
        # Content-Type and Content-Length are signed: the PUT must send exactly these.
        return self._client().generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size},
            ExpiresIn=expires_seconds,
        )

    def download_url(self, key: str, expires_seconds: int) -> str:
        return self._client().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
        )
