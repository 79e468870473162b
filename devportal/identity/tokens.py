"""Access-token checks, as API Gateway's Cognito authorizer makes them: RS256 signature against
the pool's JWKS (cached; fetched again when a token names a key the cache does not hold, at most
once per `min_refresh_seconds`), `exp`, `iss` (the pool), `token_use` = access, `client_id` (the
portal's app client) and the scope the API requires. One code path for both worlds: only the JWKS
location differs (moto serves it locally).

Every refusal is `Unauthenticated` with one generic detail; the reason goes to the log, never to
the caller."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from devportal.errors import Forbidden, Unauthenticated
from devportal.identity.caller import Caller
from devportal.identity.pool import ACCESS_TOKEN_SCOPE

ALGORITHM = "RS256"
_log = logging.getLogger("devportal.identity")
REFUSED = "The access token is missing, invalid or expired: sign in again."
Fetch = Callable[[str], bytes]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (an https or loopback URL we configure)
        body: bytes = response.read()
        return body


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization` header: bare, as API Gateway takes it, or after `Bearer `."""
    token = (authorization or "").strip()
    return token[7:].strip() if token[:7].lower() == "bearer " else token


def issuer_for(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        fetch: Fetch = _fetch,
        min_refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._clock = clock
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and self._may_refresh():
                self._refresh()
            found = self._keys.get(kid)
        if found is None:
            raise _refused(f"no key {kid!r} in {self.url}")
        return found

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._min_refresh

    def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            document = json.loads(self._fetch(self.url))
            self._keys = {
                key["kid"]: RSAAlgorithm.from_jwk(json.dumps(key))
                for key in document["keys"]
                if key.get("kty") == "RSA" and key.get("alg", ALGORITHM) == ALGORITHM
            }
        except Exception:  # an unreachable or broken JWKS refuses tokens; it never crashes a request
            _log.exception("could not read the JWKS at %s", self.url)


def _refused(reason: str) -> Unauthenticated:
    _log.info("token refused: %s", reason)
    return Unauthenticated(REFUSED)


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks: JwksCache,
        required_scope: str = ACCESS_TOKEN_SCOPE,
        leeway_seconds: int = 0,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.jwks = jwks
        self.required_scope = required_scope
        self.leeway = leeway_seconds

    def verify(self, authorization: str | None) -> Caller:
        """The `Authorization` header's access token (bare, as API Gateway takes it, or after
        `Bearer `) -> the caller; `Unauthenticated` otherwise, `Forbidden` without the scope."""
        token = bearer_token(authorization)
        if not token:
            raise _refused("no token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise _refused(f"unreadable header: {error}") from None
        if header.get("alg") != ALGORITHM:
            raise _refused(f"algorithm {header.get('alg')!r}")
        key = self.jwks.key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise _refused(str(error)) from None
        if claims.get("token_use") != "access":
            raise _refused(f"token_use {claims.get('token_use')!r}")
        if claims.get("client_id") != self.client_id:
            raise _refused("issued to another client")
        caller = Caller.from_claims(claims)
        if self.required_scope not in caller.scopes:
            raise Forbidden("The access token does not carry the scope this API requires.")
        return caller
