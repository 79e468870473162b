"""Access-token checks: everything API Gateway's Cognito authorizer refuses, refused the same way."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from devportal.errors import Forbidden, Unauthenticated
from devportal.identity.caller import Caller
from devportal.identity.tokens import REFUSED, JwksCache, TokenVerifier, issuer_for

POOL = "eu-west-1_Portal"
ISSUER = issuer_for("eu-west-1", POOL)
CLIENT = "portal-client"
SCOPE = "aws.cognito.signin.user.admin"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER_KEY = new_key(), new_key()


def jwks(*pairs: tuple[str, rsa.RSAPrivateKey]) -> bytes:
    keys = []
    for kid, private in pairs:
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return json.dumps({"keys": keys}).encode()


class Jwks:
    def __init__(self, document: bytes) -> None:
        self.document = document
        self.calls = 0

    def __call__(self, url: str) -> bytes:
        self.calls += 1
        return self.document


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "sub": "4f15c702-0000-4000-8000-000000000001",
        "client_id": CLIENT,
        "token_use": "access",
        "scope": SCOPE,
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "username": "4f15c702-0000-4000-8000-000000000001",
        "cognito:groups": ["developer"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def token(private: rsa.RSAPrivateKey = KEY, kid: str = "k1", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), private, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def fetch() -> Jwks:
    return Jwks(jwks(("k1", KEY)))


@pytest.fixture
def verifier(fetch: Jwks) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks=JwksCache("https://jwks", fetch=fetch))


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_access_token_names_the_caller(verifier: TokenVerifier) -> None:
    groups: dict[str, Any] = {"cognito:groups": ["viewer", "developer"]}
    caller = verifier.verify(token(**groups))
    assert caller.subject.startswith("4f15c702")
    assert caller.groups == ("viewer", "developer")
    assert caller.role == "developer"
    assert verifier.verify("Bearer " + token()).client_id == CLIENT


def tampered() -> str:
    header, payload, signature = token().split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["cognito:groups"] = ["admin"]
    return f"{header}.{b64(forged)}.{signature}"


def alg_none() -> str:
    return f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(claims(**{'cognito:groups': ['admin']}))}."


def hs256_with_the_public_key() -> str:
    # the classic confusion: sign with HMAC using the public key as the secret
    header, payload = b64({"alg": "HS256", "kid": "k1"}), b64(claims())
    return f"{header}.{payload}.AAAA"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: "", id="missing"),
        pytest.param(lambda: "not-a-jwt", id="garbage"),
        pytest.param(lambda: "a.b.c", id="unreadable"),
        pytest.param(lambda: token(exp=int(time.time()) - 5), id="expired"),
        pytest.param(tampered, id="tampered-signature"),
        pytest.param(alg_none, id="alg-none"),
        pytest.param(hs256_with_the_public_key, id="alg-hs256"),
        pytest.param(lambda: token(OTHER_KEY), id="signed-by-another-key"),
        pytest.param(lambda: token(iss=issuer_for("eu-west-1", "eu-west-1_Other")), id="another-pool"),
        pytest.param(lambda: token(client_id="another-client"), id="another-client"),
        pytest.param(lambda: token(token_use="id", client_id=None, aud=CLIENT), id="id-token"),
        pytest.param(lambda: token(kid="unknown"), id="unknown-kid"),
        pytest.param(lambda: token(exp=None), id="no-exp"),
    ],
)
def test_bad_tokens_are_refused_with_one_generic_reason(verifier: TokenVerifier, bad: Any) -> None:
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(bad())
    assert refused.value.detail == REFUSED


def test_a_token_without_the_api_scope_is_forbidden(verifier: TokenVerifier) -> None:
    with pytest.raises(Forbidden):
        verifier.verify(token(scope="openid"))


def test_an_unknown_kid_fetches_the_jwks_again_at_most_once_per_interval(fetch: Jwks) -> None:
    now = [1000.0]
    cache = JwksCache("https://jwks", fetch=fetch, min_refresh_seconds=60, clock=lambda: now[0])
    verifier = TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks=cache)
    verifier.verify(token())
    for _ in range(5):  # a flood of tokens naming a key nobody has: no fetch per request
        with pytest.raises(Unauthenticated):
            verifier.verify(token(kid="k2"))
    assert fetch.calls == 1
    now[0] += 61
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            verifier.verify(token(kid="k2"))
    assert fetch.calls == 2


def test_a_rotated_key_is_picked_up(fetch: Jwks) -> None:
    cache = JwksCache("https://jwks", fetch=fetch, min_refresh_seconds=0)
    verifier = TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks=cache)
    verifier.verify(token())
    fetch.document = jwks(("k1", KEY), ("k2", OTHER_KEY))
    assert verifier.verify(token(OTHER_KEY, kid="k2")).subject
    assert fetch.calls == 2


def test_an_unreachable_jwks_refuses_instead_of_crashing() -> None:
    def down(url: str) -> bytes:
        raise OSError("connection refused")

    verifier = TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks=JwksCache("https://jwks", fetch=down))
    with pytest.raises(Unauthenticated):
        verifier.verify(token())


@pytest.mark.parametrize(
    "groups", [["admin", "viewer"], "admin,viewer", "[admin viewer]"], ids=["list", "comma", "bracketed"]
)
def test_claims_from_api_gateway_in_any_spelling(groups: Any) -> None:
    caller = Caller.from_claims({"sub": "s", "username": "u", "cognito:groups": groups, "scope": SCOPE})
    assert caller.groups == ("admin", "viewer")
    assert caller.role == "admin"
    assert Caller.from_claims(caller.claims()) == caller
