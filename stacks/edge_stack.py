"""The portal's edge, in us-east-1, where CloudFront takes its web ACLs and certificates from: the
CLOUDFRONT-scope WAF web ACL that guards the portal's distribution (the same managed rule groups
and rate limit as the API's) and, for a custom portal domain in a Route 53 zone, its DNS-validated
ACM certificate. Each ARN goes into an SSM parameter of this region, which the stage's web stack
reads while it deploys (stacks.web_stack)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from devportal.names import ResourceNames
from stacks.domains import PortalDomain
from stacks.security_stack import web_acl

EDGE_REGION = "us-east-1"  # where CloudFront's web ACLs and certificates are made


def portal_web_acl_parameter(names: ResourceNames) -> str:
    return f"/{names.prefix}/portal-web-acl-arn"


def portal_certificate_parameter(names: ResourceNames) -> str:
    return f"/{names.prefix}/portal-certificate-arn"


class EdgeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        protect: bool = True,
        domain: PortalDomain | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        if protect:
            self.web_acl = web_acl(self, "PortalWebAcl", name=f"{names.prefix}-portal", scope_kind="CLOUDFRONT")
            self._publish("PortalWebAclArn", portal_web_acl_parameter(names), self.web_acl.attr_arn, "web ACL")
        if domain is not None and domain.certificate_made:
            self.certificate = domain.certificate(self, "PortalCertificate", domain.zone(self))
            self._publish(
                "PortalCertificateArn",
                portal_certificate_parameter(names),
                self.certificate.certificate_arn,
                f"certificate for {domain.name}",
            )

    def _publish(self, construct_id: str, parameter: str, value: str, what: str) -> None:
        ssm.StringParameter(
            self,
            f"{construct_id}Parameter",
            parameter_name=parameter,
            string_value=value,
            description=f"The portal distribution's {what} (read by the stage's web stack)",
        )
        CfnOutput(self, construct_id, value=value)
