"""Identity: the Cognito user pool, its role groups, the portal's app client, and optional corporate
federation (SAML or OIDC) configured from context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from devportal.identity.pool import (
    ACCESS_TOKEN_MINUTES,
    PASSWORD_POLICY,
    REFRESH_TOKEN_DAYS,
    ROLES,
    TEAM_ATTRIBUTE,
    USER_POOL_NAME,
    client_name,
    role_precedence,
)
from devportal.names import ResourceNames


@dataclass(frozen=True)
class Federation:
    """A corporate identity provider, from `-c idp=...` context: {"type": "saml", "name": ...,
    "metadataUrl": ...} or {"type": "oidc", "name": ..., "issuer": ..., "clientId": ...,
    "clientSecretName": ...}. The OIDC client secret stays in Secrets Manager."""

    kind: str
    name: str
    settings: dict[str, str]

    @classmethod
    def from_context(cls, value: Any) -> Federation | None:
        if not value:
            return None
        if not isinstance(value, dict) or value.get("type") not in {"saml", "oidc"} or not value.get("name"):
            raise ValueError('context "idp" must be {"type": "saml"|"oidc", "name": ..., ...}')
        required = ("metadataUrl",) if value["type"] == "saml" else ("issuer", "clientId", "clientSecretName")
        missing = [key for key in required if not value.get(key)]
        if missing:
            raise ValueError(f'context "idp" ({value["type"]}) is missing {", ".join(missing)}')
        return cls(kind=value["type"], name=value["name"], settings={k: str(v) for k, v in value.items()})


class AuthStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        production: bool,
        federation: Federation | None = None,
        web_acl_arn: str | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=USER_POOL_NAME,
            # Users are invited by an admin; nobody signs themselves up.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={TEAM_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=63, mutable=True)},
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_POLICY.min_length,
                require_lowercase=PASSWORD_POLICY.require_lowercase,
                require_uppercase=PASSWORD_POLICY.require_uppercase,
                require_digits=PASSWORD_POLICY.require_digits,
                require_symbols=PASSWORD_POLICY.require_symbols,
            ),
            mfa=cognito.Mfa.OPTIONAL if not production else cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=production,
            removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
        )
        for role in ROLES:
            cognito.CfnUserPoolGroup(
                self,
                f"Group-{role}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
                precedence=role_precedence(role),  # admin wins when a user is in several groups
                description=f"devportal role: {role}",
            )
        providers = [cognito.UserPoolClientIdentityProvider.COGNITO]
        self.identity_provider = self._federate(federation) if federation else None
        if self.identity_provider is not None and federation is not None:
            providers.append(cognito.UserPoolClientIdentityProvider.custom(federation.name))
        self.client = self.user_pool.add_client(
            "PortalClient",
            user_pool_client_name=client_name(names.prefix),
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,  # a public client: the gateway's /auth routes and the CLI
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.minutes(ACCESS_TOKEN_MINUTES),
            id_token_validity=Duration.minutes(ACCESS_TOKEN_MINUTES),
            refresh_token_validity=Duration.days(REFRESH_TOKEN_DAYS),
            supported_identity_providers=providers,
        )
        if self.identity_provider is not None:
            self.client.node.add_dependency(self.identity_provider)
        self.user_pool_output = CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        self.client_output = CfnOutput(self, "ClientId", value=self.client.user_pool_client_id)
        if web_acl_arn is not None:
            # the pool's public endpoints are an edge too: the API's web ACL guards them
            wafv2.CfnWebACLAssociation(
                self, "WebAclAssociation", resource_arn=self.user_pool.user_pool_arn, web_acl_arn=web_acl_arn
            )

    def _federate(self, federation: Federation) -> cognito.IUserPoolIdentityProvider:
        mapping = cognito.AttributeMapping(
            email=cognito.ProviderAttribute.other("email"),
            fullname=cognito.ProviderAttribute.other("name"),
        )
        if federation.kind == "saml":
            return cognito.UserPoolIdentityProviderSaml(
                self,
                "CorporateIdp",
                user_pool=self.user_pool,
                name=federation.name,
                metadata=cognito.UserPoolIdentityProviderSamlMetadata.url(federation.settings["metadataUrl"]),
                attribute_mapping=mapping,
            )
        return cognito.UserPoolIdentityProviderOidc(
            self,
            "CorporateIdp",
            user_pool=self.user_pool,
            name=federation.name,
            issuer_url=federation.settings["issuer"],
            client_id=federation.settings["clientId"],
            # A {{resolve:secretsmanager:...}} reference: CloudFormation reads the secret at deploy time,
            # the template never holds it.
            client_secret=SecretValue.secrets_manager(federation.settings["clientSecretName"]).unsafe_unwrap(),
            scopes=["openid", "email", "profile"],
            attribute_mapping=mapping,
        )
