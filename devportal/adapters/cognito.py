"""The user pool, through Cognito's API (moto's locally). Sign-in, refresh and sign-out are the
public client's own calls (no IAM involved); inviting is an admin action."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from devportal.adapters.aws import LazyClient
from devportal.errors import AlreadyExists, DependencyUnavailable, FieldError, InvalidParameter, Unauthenticated
from devportal.identity.pool import TEAM_ATTRIBUTE
from devportal.identity.users import Tokens

WRONG_CREDENTIALS = "The e-mail address or the password is wrong."
_REFUSALS = {
    "NotAuthorizedException",
    "UserNotFoundException",
    "UserNotConfirmedException",
    "PasswordResetRequiredException",
}
_THROTTLED = {"TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException"}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class CognitoDirectory:
    def __init__(self, user_pool_id: str, client_id: str, client: Any = None) -> None:
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self._client: LazyClient[Any] = LazyClient("cognito-idp", client)

    def _authenticate(self, flow: str, parameters: dict[str, str], refused: str) -> dict[str, Any]:
        try:
            response = self._client().initiate_auth(ClientId=self.client_id, AuthFlow=flow, AuthParameters=parameters)
        except ClientError as error:
            if _code(error) in _REFUSALS:
                raise Unauthenticated(refused) from None
            if _code(error) in _THROTTLED:
                raise DependencyUnavailable("Too many sign-in attempts; try again in a minute.") from None
            raise
        if "AuthenticationResult" not in response:  # a challenge (new password, MFA) the API does not run
            raise Unauthenticated(f"Sign-in needs a step this API does not support: {response.get('ChallengeName')}.")
        result: dict[str, Any] = response["AuthenticationResult"]
        return result

    def sign_in(self, email: str, password: str) -> Tokens:
        result = self._authenticate("USER_PASSWORD_AUTH", {"USERNAME": email, "PASSWORD": password}, WRONG_CREDENTIALS)
        return Tokens(result["AccessToken"], result["IdToken"], int(result["ExpiresIn"]), result["RefreshToken"])

    def refresh(self, refresh_token: str) -> Tokens:
        result = self._authenticate(
            "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token}, "The refresh token is invalid, expired or revoked."
        )
        return Tokens(result["AccessToken"], result["IdToken"], int(result["ExpiresIn"]))

    def sign_out(self, access_token: str) -> None:
        """Revokes the user's refresh tokens (GlobalSignOut: every session of that user)."""
        try:
            self._client().global_sign_out(AccessToken=access_token)
        except ClientError as error:
            if _code(error) in _REFUSALS:
                raise Unauthenticated("The access token is invalid or already signed out.") from None
            raise

    def invite(self, email: str, *, role: str, team: str, name: str, password: str) -> str:
        """Create the user with a permanent password, in the role's group; returns their `sub`."""
        cognito = self._client()
        try:
            created = cognito.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                    {"Name": f"custom:{TEAM_ATTRIBUTE}", "Value": team},
                ],
                MessageAction="SUPPRESS",
            )
        except ClientError as error:
            if _code(error) == "UsernameExistsException":
                raise AlreadyExists(
                    f"{email} already has an account.", [FieldError(detail="already exists", pointer="/email")]
                ) from None
            if _code(error) == "InvalidParameterException":  # the username (the address) it will not hold
                raise InvalidParameter(
                    "The user pool refuses this e-mail address as a username; use a plain address such as "
                    "jane.doe@example.com.",
                    [FieldError(detail="refused by the user pool", pointer="/email")],
                ) from None
            raise
        try:
            cognito.admin_set_user_password(
                UserPoolId=self.user_pool_id, Username=email, Password=password, Permanent=True
            )
        except ClientError as error:
            cognito.admin_delete_user(UserPoolId=self.user_pool_id, Username=email)
            if _code(error) == "InvalidPasswordException":
                raise InvalidParameter(
                    "The password does not meet the pool's policy: at least 8 characters with lower and upper "
                    "case letters, digits and symbols.",
                    [FieldError(detail="too weak", pointer="/password")],
                ) from None
            raise
        cognito.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=email, GroupName=role)
        attributes = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}
        return str(attributes["sub"])
