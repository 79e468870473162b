"""The portal UI in AWS: the static export (ui/out) of one stage in a private S3 bucket, served by
the stage's own CloudFront distribution through origin access control (nothing reads the bucket
but that distribution).

One origin for the browser, as locally: `/api/*` goes to the stage's REST API (a second origin; a
CloudFront Function takes the /api prefix off), so the refresh-token cookie (Path=/api/auth,
SameSite=Strict) and every call stay first-party and no CORS is involved. The pages follow the
local gateway's rules (stacks/cloudfront/pages.js beside devportal_local/web.py: `/x/` is
x/index.html, `/x` redirects to `/x/`, anything else the build's 404 page with a 404) and carry the
headers of contracts/web.py, which the local gateway serves too. A response headers policy is one
per behavior, not per page, so the Content-Security-Policy allows the inline scripts of every page
of this build by their hashes (each one the build's own), never 'unsafe-inline'.

TLS: with `-c portalDomain` the distribution answers at the domain with an ACM certificate from
us-east-1 (made by the edge stack in a Route 53 zone, or `-c portalCertificateArn`) and the
TLSv1.2_2025 policy (TLS 1.2 with only forward-secret AEAD ciphers, and TLS 1.3); without, at its
cloudfront.net name with CloudFront's default certificate, whose policy CloudFront sets. Plain HTTP
is refused (403) on pages and API alike: browsers try HTTPS first, and HSTS keeps them there."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack, custom_resources
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from contracts.web import API_PREFIX, NOT_FOUND_PAGE, UI_BUILD, cache_control, inline_script_hashes, pages
from contracts.web import security_headers as contract_headers
from devportal.names import ResourceNames
from stacks.api_stack import ApiOrigin
from stacks.buckets import access_log_bucket, private_bucket
from stacks.domains import PortalDomain
from stacks.edge_stack import EDGE_REGION, portal_certificate_parameter, portal_web_acl_parameter
from stacks.nag import acknowledge_portal_hosting, acknowledge_sdk_call_provider

FUNCTIONS = Path(__file__).resolve().parent / "cloudfront"
# CloudFront's limits: a function's code, and a Content-Security-Policy in a response headers policy.
FUNCTION_CODE_LIMIT = 10_240
CSP_LIMIT = 1_783
VIEWER_TLS = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025


class UiNotBuilt(RuntimeError):
    """The stack ships a build; there is none to ship."""


def build_script_hashes(build: Path = UI_BUILD) -> tuple[str, ...]:
    """Every inline script hash of every page of the build, each once, in a stable order."""
    if not (build / "index.html").exists():
        raise UiNotBuilt(f"{build} holds no build of the portal UI: run `make ui` first (`make synth` does).")
    return tuple(sorted({h for _, page in pages(build) for h in inline_script_hashes(page.read_text("utf-8"))}))


def page_routes(build: Path = UI_BUILD) -> tuple[str, ...]:
    """The URL paths that are pages (`/`, `/catalog/api/`, ...): directories with an index.html."""
    return tuple(path for path, file in pages(build) if file.name == "index.html")


def _code(name: str, **values: object) -> str:
    code = (FUNCTIONS / name).read_text("utf-8")
    for key, value in values.items():
        code = code.replace(f"__{key}__", json.dumps(value, separators=(",", ":")))
    if re.search(r"__[A-Z_]+__", code):
        raise ValueError(f"{name}: a placeholder was left unfilled")
    if len(code.encode()) > FUNCTION_CODE_LIMIT:
        raise ValueError(f"{name} is {len(code.encode())} bytes with the build's pages; CloudFront takes 10 KB")
    return code


def pages_function_code(build: Path = UI_BUILD) -> str:
    """The default behavior's function (viewer request and response) with this build's pages."""
    return _code("pages.js", PAGES=dict.fromkeys(page_routes(build), 1), NOT_FOUND_PAGE=f"/{NOT_FOUND_PAGE}")


def api_function_code() -> str:
    return _code("api.js", API_PREFIX=API_PREFIX)


_FRAME_OPTIONS = {"DENY": cloudfront.HeadersFrameOption.DENY, "SAMEORIGIN": cloudfront.HeadersFrameOption.SAMEORIGIN}
_REFERRER = {policy.value.lower().replace("_", "-"): policy for policy in cloudfront.HeadersReferrerPolicy}


def response_headers(headers: dict[str, str], *, cache: str | None) -> dict[str, Any]:
    """contracts.web's headers as a response headers policy (CloudFront takes its security headers
    in their own settings and refuses them as custom headers), each overriding the origin's."""
    rest = dict(headers)
    security: dict[str, Any] = {}
    if csp := rest.pop("Content-Security-Policy", None):
        if len(csp) > CSP_LIMIT:
            raise ValueError(
                f"the portal's Content-Security-Policy is {len(csp)} characters (CloudFront takes {CSP_LIMIT}): "
                "the build has too many distinct inline scripts"
            )
        security["content_security_policy"] = cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy=csp, override=True
        )
    if hsts := rest.pop("Strict-Transport-Security", None):
        directives = [d.strip() for d in hsts.split(";")]
        security["strict_transport_security"] = cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=Duration.seconds(int(directives[0].removeprefix("max-age="))),
            include_subdomains="includeSubDomains" in directives,
            preload="preload" in directives,
            override=True,
        )
    if rest.pop("X-Content-Type-Options", None) == "nosniff":
        security["content_type_options"] = cloudfront.ResponseHeadersContentTypeOptions(override=True)
    if frame := rest.pop("X-Frame-Options", None):
        security["frame_options"] = cloudfront.ResponseHeadersFrameOptions(
            frame_option=_FRAME_OPTIONS[frame], override=True
        )
    if referrer := rest.pop("Referrer-Policy", None):
        security["referrer_policy"] = cloudfront.ResponseHeadersReferrerPolicy(
            referrer_policy=_REFERRER[referrer], override=True
        )
    if cache is not None:
        rest["Cache-Control"] = cache
    policy: dict[str, Any] = {"security_headers_behavior": cloudfront.ResponseSecurityHeadersBehavior(**security)}
    if rest:
        policy["custom_headers_behavior"] = cloudfront.ResponseCustomHeadersBehavior(
            custom_headers=[
                cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                for name, value in sorted(rest.items())
            ]
        )
    return policy


class WebStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        stage: str,
        api: ApiOrigin,
        production: bool = False,
        portal_web_acl: bool = False,
        domain: PortalDomain | None = None,
        portal_url_parameter: str | None = None,
        build: Path = UI_BUILD,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.names = names
        removal = RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY
        hashes = build_script_hashes(build)
        headers = contract_headers(hashes, local=False)
        logs = access_log_bucket(
            self, "Logs", retention_days=365 if production else 30, removal=removal, acls_for_cloudfront=True
        )
        self.bucket = private_bucket(
            self, "Site", access_logs=logs, lifecycle_rules=[], removal=removal, versioned=False
        )  # fmt: skip
        site = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        pages_function = cloudfront.Function(
            self,
            "PagesFunction",
            code=cloudfront.FunctionCode.from_inline(pages_function_code(build)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment=f"devportal {stage}: the portal's pages (index files, slash redirects, 404s)",
        )
        api_function = cloudfront.Function(
            self,
            "ApiFunction",
            code=cloudfront.FunctionCode.from_inline(api_function_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment=f"devportal {stage}: {API_PREFIX}/* to the REST API's own paths",
        )
        pages_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "PagesHeaders",
            comment="contracts/web.py: the security headers and this build's script hashes; pages revalidated",
            **response_headers(headers, cache=cache_control("index.html")),
        )
        static_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "StaticHeaders",
            comment="contracts/web.py: the security headers; hashed build assets cached for good",
            **response_headers(headers, cache=cache_control("_next/static/")),
        )
        api_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "ApiHeaders",
            comment="HTTPS only, also for the API's own answers (whose other headers are the API's)",
            **response_headers(
                {key: value for key, value in headers.items() if key in ("Strict-Transport-Security",
                                                                         "X-Content-Type-Options")},
                cache=None,
            ),
        )  # fmt: skip
        certificate = None
        if domain is not None:
            arn = domain.certificate_arn or self._edge_value(
                "PortalCertificateArn", portal_certificate_parameter(names)
            )
            certificate = acm.Certificate.from_certificate_arn(self, "Certificate", arn)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"devportal {stage}: the portal UI, and its API under {API_PREFIX}",
            default_behavior=_files(
                site,
                pages_headers,
                _run(pages_function, cloudfront.FunctionEventType.VIEWER_REQUEST)
                + _run(pages_function, cloudfront.FunctionEventType.VIEWER_RESPONSE),
            ),
            additional_behaviors={
                "/_next/static/*": _files(site, static_headers),
                f"{API_PREFIX}/*": cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api.host,
                        origin_path=api.path,
                        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # every header but Host (API Gateway answers to its own name), Authorization included
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=api_headers,
                    function_associations=_run(api_function, cloudfront.FunctionEventType.VIEWER_REQUEST),
                ),
            },
            domain_names=[domain.name] if domain else None,
            certificate=certificate,
            minimum_protocol_version=VIEWER_TLS if domain else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL if production else cloudfront.PriceClass.PRICE_CLASS_100,
            web_acl_id=self._edge_value("PortalWebAclArn", portal_web_acl_parameter(names)) if portal_web_acl else None,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cdn/",
        )
        # A file the build lacks answers 404, not 403: the distribution may list the bucket.
        self.bucket.add_to_resource_policy(site_listing(self.bucket.bucket_arn, self.distribution.distribution_id))
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Build",
            sources=[s3deploy.Source.asset(str(build))],
            destination_bucket=self.bucket,
            distribution=self.distribution,  # pages and data invalidated once the new build is in
            distribution_paths=["/*"],
            memory_limit=512,
            prune=True,
        )
        if domain is not None and (zone := domain.zone(self)) is not None:
            target = route53.RecordTarget.from_alias(route53_targets.CloudFrontTarget(self.distribution))
            route53.ARecord(self, "DomainRecord", zone=zone, record_name=domain.name, target=target)
            route53.AaaaRecord(self, "DomainRecordIpv6", zone=zone, record_name=domain.name, target=target)
        url = f"https://{domain.name}" if domain else f"https://{self.distribution.distribution_domain_name}"
        self.url_output = CfnOutput(self, "PortalUrl", value=url + "/", description="Where people open the portal")
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id, description="The portal's CDN")
        if portal_url_parameter is not None:
            # Where the links in mail point: read by the functions that write mail (known only here).
            ssm.StringParameter(
                self,
                "PortalUrlParameter",
                parameter_name=portal_url_parameter,
                string_value=url,
                description="Where people open the portal (links in the portal's mail)",
            )
        acknowledge_portal_hosting(self, custom_domain=domain is not None, web_acl=portal_web_acl)
        acknowledge_sdk_call_provider(self)

    def _edge_value(self, construct_id: str, parameter: str) -> str:
        """A value the edge stack keeps in an SSM parameter in us-east-1 (the web ACL's ARN, the
        certificate's), read while this stack deploys: a stage's stacks are region-agnostic, so no
        cross-region reference can carry it."""
        reader = custom_resources.AwsCustomResource(
            self,
            construct_id,
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
        return reader.get_response_field("Parameter.Value")


def _run(function: cloudfront.IFunction, event: cloudfront.FunctionEventType) -> list[cloudfront.FunctionAssociation]:
    return [cloudfront.FunctionAssociation(function=function, event_type=event)]


def _files(
    site: cloudfront.IOrigin,
    headers: cloudfront.IResponseHeadersPolicy,
    functions: list[cloudfront.FunctionAssociation] | None = None,
) -> cloudfront.BehaviorOptions:
    """A behavior serving the build's files: cached at the edge (each deployment invalidates it),
    plain HTTP refused (403) like the API's: browsers go to HTTPS first, and HSTS keeps them there."""
    return cloudfront.BehaviorOptions(
        origin=site,
        viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
        response_headers_policy=headers,
        function_associations=functions,
    )


def site_listing(bucket_arn: str, distribution_id: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=["s3:ListBucket"],
        resources=[bucket_arn],
        principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
        conditions={
            "StringEquals": {
                "AWS:SourceArn": f"arn:{Aws.PARTITION}:cloudfront::{Aws.ACCOUNT_ID}:distribution/{distribution_id}"
            }
        },
    )
