"""The REST API `dev-portal-api`, built from contracts/gateway.openapi.yaml: one resource per path,
one Lambda per operation (proxy integration), the Cognito authorizer on every operation whose
contract declares the `cognito` scheme, request-parameter validation, throttling, CORS, access
logs, X-Ray, problem+json for the gateway's own refusals, and the WAF web ACL.

The functions live in nested stacks, one per group of paths (`/apis/...`, `/teams/...`): with a
version, an alias, a deployment group and two release alarms each (stacks.release), sixty of them
would not fit CloudFormation's 500 resources a stack. Integrations call each function's live alias."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import CfnOutput, NestedStack, Size, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from contracts import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, GatewayRoute, gateway_routes
from devportal.http import BEARER_CHALLENGE, MIN_COMPRESSED_BYTES
from devportal.identity.pool import ACCESS_TOKEN_SCOPE
from devportal.names import ResourceNames
from functions.catalog import route_function
from functions.declaration import Resource
from stacks.domains import ApiDomain
from stacks.functions import Binding, PortalFunction, shared_runtime
from stacks.network_stack import NetworkStack
from stacks.packaging import LambdaAssets
from stacks.release import Releases

API_NAME = "dev-portal-api"
STAGE_NAME = "v1"
# Steady-state requests per second and burst for the stage; submissions are heavier, so tighter.
THROTTLE = (100.0, 200)
SUBMIT_THROTTLE = (10.0, 20)
_PARAMETER_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
# The gateway's own refusals (no Lambda involved) answer problem+json like the functions do.
_GATEWAY_PROBLEMS = {
    apigateway.ResponseType.UNAUTHORIZED: (401, "Unauthorized"),
    apigateway.ResponseType.ACCESS_DENIED: (403, "Forbidden"),
    apigateway.ResponseType.THROTTLED: (429, "Too Many Requests"),
    apigateway.ResponseType.BAD_REQUEST_PARAMETERS: (400, "Bad Request"),
    apigateway.ResponseType.BAD_REQUEST_BODY: (400, "Bad Request"),
    apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN: (404, "Not Found"),
    apigateway.ResponseType.DEFAULT_4_XX: (None, "Request refused"),
    apigateway.ResponseType.DEFAULT_5_XX: (None, "Gateway error"),
}


# Every TLS handshake with the gateway, on its own endpoint or a custom domain: TLS 1.2 or later.
TLS_POLICY = "TLS_1_2"


@dataclass(frozen=True)
class ApiOrigin:
    """Where a CDN reaches the stage's REST API: its host, and the path in front of every route."""

    host: str
    path: str


def route_group(route: GatewayRoute) -> str:
    """The nested stack a route's function lives in: the first segment of its path."""
    return route.path.split("/")[1]


def method_request_parameters(route: GatewayRoute) -> dict[str, bool]:
    return {
        f"method.request.{_PARAMETER_LOCATIONS[p.location]}.{p.name}": p.required
        for p in route.parameters
        if p.location in _PARAMETER_LOCATIONS
    }


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        assets: LambdaAssets,
        production: bool,
        bindings: Mapping[Resource, Binding],
        user_pool: cognito.IUserPool,
        web_acl_arn: str,
        cors_origins: Sequence[str],
        temporal_ui_url: str | None = None,
        network: NetworkStack | None = None,
        domain: ApiDomain | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        runtime = shared_runtime(self, assets, production=production)
        releases = Releases(self, "Releases", application_name=f"{names.prefix}-api", production=production)
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{names.prefix}-api",
            retention=runtime.log_retention,
            removal_policy=runtime.removal,
        )
        self.api = apigateway.RestApi(
            self,
            "Api",
            rest_api_name=API_NAME,
            description="devportal gateway: submit, list and read APIs (contracts/gateway.openapi.yaml)",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # with a custom domain, the only way in is the domain (its certificate, its policy)
            disable_execute_api_endpoint=domain is not None,
            cloud_watch_role=True,
            # responses of 1 KiB and more go gzip-compressed to clients that accept it (a spec, a search page)
            min_compression_size=Size.bytes(MIN_COMPRESSED_BYTES),
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE_NAME,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                throttling_rate_limit=THROTTLE[0],
                throttling_burst_limit=THROTTLE[1],
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                method_options={
                    "/apis/POST": apigateway.MethodDeploymentOptions(
                        throttling_rate_limit=SUBMIT_THROTTLE[0], throttling_burst_limit=SUBMIT_THROTTLE[1]
                    )
                },
            ),
            default_cors_preflight_options=apigateway.CorsOptions(
                allow_origins=list(cors_origins),
                allow_methods=sorted({route.method for route in gateway_routes()}),
                allow_headers=list(CORS_ALLOW_HEADERS),
                expose_headers=list(CORS_EXPOSE_HEADERS),
            ),
        )
        rest_api = self.api.node.default_child
        assert isinstance(rest_api, apigateway.CfnRestApi)
        rest_api.security_policy = TLS_POLICY
        for response_type, (status, title) in _GATEWAY_PROBLEMS.items():
            fields = ['"type":"about:blank"', f'"title":"{title}"', '"detail":$context.error.messageString']
            if status is not None:
                fields.insert(2, f'"status":{status}')
            self.api.add_gateway_response(
                f"Problem-{response_type.response_type}",
                type=response_type,
                status_code=str(status) if status is not None else None,
                response_headers={
                    "Content-Type": "'application/problem+json'",
                    **({"WWW-Authenticate": f"'{BEARER_CHALLENGE}'"} if status == 401 else {}),
                },
                templates={"application/json": "{" + ",".join(fields) + "}"},
            )
        self.authorizer = apigateway.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[user_pool], authorizer_name=f"{names.prefix}-cognito"
        )
        self.validator = self.api.add_request_validator(
            "Validator",
            request_validator_name="parameters-and-body",
            validate_request_parameters=True,
            validate_request_body=True,
        )
        # API Gateway validates bodies against draft-4 models; the contract's object bodies become
        # one. Text bodies (YAML) have no model and are checked by the function.
        self.object_model = self.api.add_model(
            "JsonObject",
            content_type="application/json",
            model_name="JsonObject",
            schema=apigateway.JsonSchema(
                schema=apigateway.JsonSchemaVersion.DRAFT4, type=apigateway.JsonSchemaType.OBJECT
            ),
        )
        self.functions: dict[str, PortalFunction] = {}
        self.groups: dict[str, NestedStack] = {}
        for route in gateway_routes():
            spec = route_function(route)
            group = route_group(route)
            if group not in self.groups:
                self.groups[group] = NestedStack(
                    self, f"Routes-{group}", description=f"devportal gateway: the functions of /{group}"
                )
            function = PortalFunction(
                self.groups[group],
                f"Fn-{spec.name}",
                spec=spec,
                names=names,
                runtime=runtime,
                bindings=bindings,
                description=f"{route.method} {route.path} ({route.operation_id})",
                # submissions link to their workflow in the Web UI when it is known
                extra_environment={"DEVPORTAL_TEMPORAL_UI_URL": temporal_ui_url} if temporal_ui_url else None,
                network=network,
                releases=releases,
            )
            self.functions[spec.name] = function
            resource = self.api.root.resource_for_path(route.path)
            secured = "cognito" in route.security_schemes
            resource.add_method(
                route.method,
                apigateway.LambdaIntegration(function.target, proxy=True, allow_test_invoke=False),
                operation_name=route.operation_id,
                authorizer=self.authorizer if secured else None,
                authorization_type=(
                    apigateway.AuthorizationType.COGNITO if secured else apigateway.AuthorizationType.NONE
                ),
                # With a scope required, the authorizer takes access tokens and refuses id tokens.
                authorization_scopes=[ACCESS_TOKEN_SCOPE] if secured else None,
                request_validator=self.validator,
                request_parameters=method_request_parameters(route),
                request_models=dict.fromkeys(route.object_bodies, self.object_model) or None,
            )
        wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=self.api.deployment_stage.stage_arn, web_acl_arn=web_acl_arn
        )
        self.url = self.api.url if domain is None else self._custom_domain(domain)
        self.origin = (
            ApiOrigin(f"{self.api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}",
                      f"/{STAGE_NAME}")
            if domain is None
            else ApiOrigin(domain.name, "")  # the domain maps its root to the stage
        )  # fmt: skip
        self.url_output = CfnOutput(self, "ApiUrl", value=self.url, description="Base URL of the portal's gateway")

    def _custom_domain(self, domain: ApiDomain) -> str:
        zone = domain.zone(self)
        certificate = domain.certificate(self, "Certificate", zone)
        custom = apigateway.DomainName(
            self,
            "Domain",
            domain_name=domain.name,
            certificate=certificate,
            endpoint_type=apigateway.EndpointType.REGIONAL,
            security_policy=apigateway.SecurityPolicy.TLS_1_2,
            mapping=self.api,
        )
        if zone is not None:
            route53.ARecord(
                self, "DomainRecord", zone=zone, record_name=domain.name,
                target=route53.RecordTarget.from_alias(route53_targets.ApiGatewayDomain(custom)),
            )  # fmt: skip
        return f"https://{domain.name}/"
