"""The portal UI in AWS: Amplify Hosting (CloudFront-backed) serving the static export (ui/out) of
one stage, deployed from a CDK asset (no Git connection: the pipeline builds the app and this stack
ships that build).

One origin for the browser, as locally: `/api/<*>` is proxied to the stage's REST API, so the
refresh-token cookie (Path=/api/auth, SameSite=Strict) and every call stay first-party and no CORS
is involved. Headers come from contracts/web.py, which the local gateway serves too. Amplify's
header patterns cannot tell `/submit/` from the page file it serves, so the Content-Security-Policy
is one policy for the whole build: it allows the inline scripts of every page of this build by
their hashes (each one the build's own), never 'unsafe-inline'."""

from __future__ import annotations

from pathlib import Path

import aws_cdk.aws_amplify_alpha as amplify
from aws_cdk import Aws, CfnOutput, Stack, custom_resources
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from contracts.web import API_PREFIX, NOT_FOUND_PAGE, UI_BUILD, inline_script_hashes, pages, security_headers
from devportal.names import ResourceNames
from stacks.edge_stack import EDGE_REGION, portal_web_acl_parameter
from stacks.nag import acknowledge_amplify_deployer, acknowledge_sdk_call_provider

IMMUTABLE = "public, max-age=31536000, immutable"  # hashed build assets (contracts.web.cache_control)
BRANCH_STAGES = {"dev": "DEVELOPMENT", "staging": "BETA", "prod": "PRODUCTION"}


class UiNotBuilt(RuntimeError):
    """The stack ships a build; there is none to ship."""


def build_script_hashes(build: Path = UI_BUILD) -> tuple[str, ...]:
    """Every inline script hash of every page of the build, each once, in a stable order."""
    if not (build / "index.html").exists():
        raise UiNotBuilt(f"{build} holds no build of the portal UI: run `make ui` first (`make synth` does).")
    return tuple(sorted({h for _, page in pages(build) for h in inline_script_hashes(page.read_text("utf-8"))}))


def proxy_rules(api_url: str) -> list[amplify.CustomRule]:
    """In order: the API behind /api on the same origin, then anything else not in the build to its 404 page."""
    base = api_url if api_url.endswith("/") else api_url + "/"
    return [
        amplify.CustomRule(source=f"{API_PREFIX}/<*>", target=f"{base}<*>", status=amplify.RedirectStatus.REWRITE),
        amplify.CustomRule(source="/<*>", target=f"/{NOT_FOUND_PAGE}", status=amplify.RedirectStatus.NOT_FOUND_REWRITE),
    ]


# IAM actions the Amplify deployer is granted that no AWS service defines (cfn-lint W3037): presigning
# an S3 URL is signing with the caller's credentials and needs s3:GetObject, which it keeps.
NONEXISTENT_ACTIONS = frozenset({"s3:GetSignedUrl"})


def drop_nonexistent_actions(stack: Stack) -> list[str]:
    """Remove NONEXISTENT_ACTIONS from the library-generated policies under `stack`; returns where."""
    changed = []
    for construct in stack.node.find_all():
        if not isinstance(construct, iam.CfnPolicy):
            continue
        document = Stack.of(construct).resolve(construct.policy_document)
        for index, statement in enumerate(document.get("Statement", [])):
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            kept = [action for action in actions if action not in NONEXISTENT_ACTIONS]
            if kept != actions:
                construct.add_property_override(f"PolicyDocument.Statement.{index}.Action", kept)
                changed.append(construct.node.path)
    return changed


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        stage: str,
        api_url: str,
        portal_web_acl: bool = False,
        domain: str | None = None,
        portal_url_parameter: str | None = None,
        build: Path = UI_BUILD,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        headers = security_headers(build_script_hashes(build), local=False)
        self.app = amplify.App(
            self,
            "Portal",
            app_name=f"{names.prefix}-portal",
            description=f"devportal UI ({stage}): the static export of ui/, a client of the gateway's contract",
            platform=amplify.Platform.WEB,
            custom_rules=proxy_rules(api_url),
            custom_response_headers=[
                amplify.CustomResponseHeader(pattern="**", headers=headers),
                amplify.CustomResponseHeader(pattern="/_next/static/**", headers={"Cache-Control": IMMUTABLE}),
            ],
        )
        self.build = s3_assets.Asset(self, "Build", path=str(build))
        self.branch = self.app.add_branch(
            "Branch",
            branch_name=stage,
            asset=self.build,
            auto_build=False,  # nothing to build in Amplify: the asset is the build
            pull_request_preview=False,  # no Git connection, no pull requests
            stage=BRANCH_STAGES.get(stage, "EXPERIMENTAL"),  # a feature branch's stage
            description=f"The {stage} stage's build of the portal UI",
        )
        if domain:
            # prod at the domain itself, other stages below it: staging.portal.example.com
            self.domain = self.app.add_domain(
                "Domain",
                domain_name=domain,
                sub_domains=[amplify.SubDomain(branch=self.branch, prefix="" if stage == "prod" else stage)],
            )
            url = f"https://{domain}" if stage == "prod" else f"https://{stage}.{domain}"
        else:
            url = f"https://{stage}.{self.app.default_domain}"
        self.url_output = CfnOutput(self, "PortalUrl", value=url + "/", description="Where people open the portal")
        if portal_url_parameter is not None:
            # Where the links in mail point: read by the functions that write mail (known only here).
            ssm.StringParameter(
                self,
                "PortalUrlParameter",
                parameter_name=portal_url_parameter,
                string_value=url,
                description="Where people open the portal (links in the portal's mail)",
            )
        if portal_web_acl:
            self._protect(names)
        drop_nonexistent_actions(self)
        acknowledge_amplify_deployer(self)
        acknowledge_sdk_call_provider(self)

    def _protect(self, names: ResourceNames) -> None:
        """The edge stack's CLOUDFRONT web ACL on the app: its ARN is read from the edge stack's
        parameter in us-east-1 while this stack deploys (a stage's stacks are region-agnostic, so
        no cross-region reference can carry it)."""
        parameter = portal_web_acl_parameter(names)
        reader = custom_resources.AwsCustomResource(
            self,
            "PortalWebAclArn",
            on_update=custom_resources.AwsSdkCall(
                service="SSM",
                action="getParameter",
                parameters={"Name": parameter},
                region=EDGE_REGION,
                physical_resource_id=custom_resources.PhysicalResourceId.of(parameter),
            ),
            policy=custom_resources.AwsCustomResourcePolicy.from_sdk_calls(
                resources=[f"arn:{Aws.PARTITION}:ssm:{EDGE_REGION}:{Aws.ACCOUNT_ID}:parameter{parameter}"]
            ),
            install_latest_aws_sdk=False,
        )
        wafv2.CfnWebACLAssociation(
            self,
            "PortalWebAclAssociation",
            resource_arn=self.app.arn,
            web_acl_arn=reader.get_response_field("Parameter.Value"),
        )
