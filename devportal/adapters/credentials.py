"""Test targets' credentials in Secrets Manager: a secret per credential, named under the
portal's prefix (devportal.names.ResourceNames.test_credentials_prefix), its value the token or
key itself. Read by the test worker only, when it sends requests; never copied anywhere."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient
from devportal.testing.execute import CredentialMissing


class SecretsManagerCredentials:
    def __init__(self, prefix: str, client: Any = None) -> None:
        self._prefix = prefix
        self._client: LazyClient[Any] = LazyClient("secretsmanager", client)

    def value(self, secret: str) -> str:
        try:
            found = self._client().get_secret_value(SecretId=f"{self._prefix}{secret}")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise CredentialMissing(f"the secret {self._prefix}{secret} cannot be read ({code})") from None
        return str(found.get("SecretString", ""))
