"""The portal's edge, in us-east-1: the CLOUDFRONT-scope WAF web ACL that guards the portal's
hosting (Amplify Hosting serves it through CloudFront, and CloudFront's web ACLs live in us-east-1
only), with the same managed rule groups and rate limit as the API's. Its ARN goes into an SSM
parameter of this region, which the web stack reads at deploy time to associate the ACL with the
Amplify app (stacks.web_stack)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from devportal.names import ResourceNames
from stacks.security_stack import web_acl

EDGE_REGION = "us-east-1"  # where CloudFront's (and so Amplify Hosting's) web ACLs are made


def portal_web_acl_parameter(names: ResourceNames) -> str:
    return f"/{names.prefix}/portal-web-acl-arn"


class EdgeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, names: ResourceNames, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.web_acl = web_acl(self, "PortalWebAcl", name=f"{names.prefix}-portal", scope_kind="CLOUDFRONT")
        ssm.StringParameter(
            self,
            "PortalWebAclArnParameter",
            parameter_name=portal_web_acl_parameter(names),
            string_value=self.web_acl.attr_arn,
            description="The portal hosting's web ACL (read by the stage's web stack)",
        )
        CfnOutput(self, "PortalWebAclArn", value=self.web_acl.attr_arn)
