"""Tokens the local user pool (moto's Cognito) issues, checked by the same verifier API Gateway's
authorizer stands for: the portal's access tokens pass, everything else is refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devportal import wiring
from devportal.errors import Unauthenticated
from devportal.names import ResourceNames
from devportal_local.config import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, REGION
from devportal_local.provision import provision
from tests.support.aws import AwsWorld

PASSWORD = "Corr3ct-Horse!"


def sign_in(aws: AwsWorld, *, role: str, pool_id: str | None = None, client_id: str | None = None) -> dict[str, Any]:
    cognito = aws.client("cognito-idp")
    pool_id, client_id = pool_id or aws.user_pool_id, client_id or aws.client_id
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "custom:team", "Value": "payments"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=role)
    result: dict[str, Any] = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result


def test_the_portal_access_token_names_the_caller_and_role(aws: AwsWorld) -> None:
    tokens = sign_in(aws, role="developer")
    caller = wiring.portal().token_verifier.verify(f"Bearer {tokens['AccessToken']}")
    assert caller.role == "developer"
    assert caller.client_id == aws.client_id


def test_the_local_pool_enforces_the_password_policy(aws: AwsWorld) -> None:
    cognito = aws.client("cognito-idp")
    cognito.admin_create_user(UserPoolId=aws.user_pool_id, Username="weak@example.com", MessageAction="SUPPRESS")
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.admin_set_user_password(
            UserPoolId=aws.user_pool_id, Username="weak@example.com", Password="password1", Permanent=True
        )


def test_id_tokens_and_tokens_of_other_pools_or_clients_are_refused(aws: AwsWorld) -> None:
    verifier = wiring.portal().token_verifier
    tokens = sign_in(aws, role="admin")
    with pytest.raises(Unauthenticated):
        verifier.verify(tokens["IdToken"])

    cognito = aws.client("cognito-idp")
    other_client = cognito.create_user_pool_client(
        UserPoolId=aws.user_pool_id, ClientName="another-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(Unauthenticated):
        verifier.verify(sign_in(aws, role="admin", client_id=other_client)["AccessToken"])

    # moto signs every pool's tokens with one key: only the issuer tells another pool's token apart
    other = provision(
        ResourceNames(f"other{uuid.uuid4().hex[:6]}"),
        endpoint_url=aws.endpoint,
        region_name=REGION,
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    )
    foreign = sign_in(aws, role="admin", pool_id=other.user_pool.pool_id, client_id=other.user_pool.client_id)
    with pytest.raises(Unauthenticated):
        verifier.verify(foreign["AccessToken"])


def test_last_login_only_moves_forward(aws: AwsWorld) -> None:
    from datetime import UTC, datetime, timedelta

    from devportal.identity.users import UserProfile

    profiles = wiring.portal().profiles
    now = datetime.now(UTC)
    profiles.put_profile(UserProfile("u-1", "u@example.com", "U", "viewer", "platform", now))
    assert profiles.record_sign_in("u-1", now) is True
    assert profiles.record_sign_in("u-1", now) is False  # redelivered
    assert profiles.record_sign_in("u-1", now - timedelta(minutes=5)) is False  # late
    profile = profiles.get_profile("u-1")
    assert profile is not None
    assert profile.last_login is not None
    assert abs((profile.last_login - now).total_seconds()) < 0.01
    assert profiles.record_sign_in("nobody", now) is False  # no profile: nothing is created
    assert profiles.get_profile("nobody") is None
