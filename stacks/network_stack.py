"""Private networking (`-c vpc=new|vpc-<id>|none`): the VPC the portal's functions run in, the
security groups they use, the VPC endpoints that keep their AWS traffic on AWS's network, and the
way out for the few that must reach beyond it.

Where each function runs follows from its declaration (functions/<name>/function.py):
- Most reach only AWS services. They run in isolated subnets - no route out of the VPC at all -
  and reach DynamoDB and S3 through gateway endpoints and every other service they call through
  interface endpoints (ENDPOINTS; `SERVICE_OF` says which resource needs which).
- Those that reach outside run in private subnets whose default route is a NAT gateway: a
  declared `outbound` destination (teams' webhooks, contract-test targets), Cognito (sign-in and
  the token-signing keys at the user pool's public issuer address), and Temporal Cloud (port 7233)
  unless `-c temporalEgress=privatelink`, where a PrivateLink endpoint to Temporal Cloud's endpoint
  service (`-c temporalEndpointService=com.amazonaws.vpce.<region>.vpce-svc-...`) carries the
  workers' and starters' gRPC instead, and those functions stay in isolated subnets.
No security group accepts anything from anywhere: functions take no inbound connections; the
endpoints accept HTTPS only from the functions' groups.

Synthesizing needs no AWS lookup: a new VPC uses the AZs of `-c vpcAzs=...`, else the region's
first two as CloudFormation finds them at deploy time (Fn::GetAZs), whether or not the account and
region are known at synth time. An existing VPC is described in context, not looked up: `vpc=vpc-...` with
`vpcAzs`, `vpcSubnetIds` (private subnets with a route to a NAT, one per AZ) and
`vpcRouteTableIds` (theirs, for the gateway endpoints); `-c vpcEndpoints=existing` when that VPC
already has the endpoints (a shared-services VPC usually does)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from aws_cdk import CfnOutput, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from devportal.names import ResourceNames
from functions.declaration import Function, Resource

VpcMode = Literal["new", "existing", "none"]
TemporalEgress = Literal["nat", "privatelink"]
TEMPORAL_PORT = 7233  # Temporal Cloud's gRPC endpoint
DEFAULT_CIDR = "10.40.0.0/16"
# How each resource a function declares is reached from inside the VPC: a gateway endpoint, an
# interface endpoint (by its service), or "nat" - Cognito's public issuer address (JWKS) is not
# served by its interface endpoint, so functions that reach the user pool go out through NAT.
SERVICE_OF: Mapping[Resource, str] = MappingProxyType(
    {
        "table": "dynamodb",
        "specs": "s3",
        "docs": "s3",
        "bus": "events",
        "temporal-secret": "secretsmanager",
        "test-credentials": "secretsmanager",
        "webhook-secrets": "secretsmanager",
        "parameters": "ssm",
        "portal-url": "ssm",
        "notifications": "states",
        "mail": "email",
        "user-pool": "nat",
    }
)
GATEWAY_ENDPOINTS = MappingProxyType(
    {"dynamodb": ec2.GatewayVpcEndpointAwsService.DYNAMODB, "s3": ec2.GatewayVpcEndpointAwsService.S3}
)
# Interface endpoints: what the functions call (SERVICE_OF) and what the platform around them
# uses from inside the VPC (X-Ray segments, logs, STS for SDK credential refresh, SQS and SNS for
# redrives and alarms' topics), each with private DNS so the SDK's default endpoints resolve to it.
ENDPOINTS = MappingProxyType(
    {
        "sqs": ec2.InterfaceVpcEndpointAwsService.SQS,
        "sns": ec2.InterfaceVpcEndpointAwsService.SNS,
        "events": ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
        "secretsmanager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        "ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
        "states": ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
        "sts": ec2.InterfaceVpcEndpointAwsService.STS,
        "xray": ec2.InterfaceVpcEndpointAwsService.XRAY,
        "logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        "email": ec2.InterfaceVpcEndpointAwsService.EMAIL,
    }
)
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_ROUTE_TABLE_ID = re.compile(r"^rtb-[0-9a-f]{8,17}$")
_ENDPOINT_SERVICE = re.compile(r"^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+$")


def _list(value: object, key: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'context "{key}" must be a list of strings (or one comma-separated string)')
    return tuple(value)


@dataclass(frozen=True)
class NetworkSettings:
    """A stage's network, from context."""

    mode: VpcMode
    vpc_id: str = ""
    azs: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    route_table_ids: tuple[str, ...] = ()
    cidr: str = DEFAULT_CIDR
    endpoints: bool = True
    temporal_egress: TemporalEgress = "nat"
    temporal_endpoint_service: str = ""

    @classmethod
    def from_context(cls, node: Any, *, default: VpcMode) -> NetworkSettings:
        vpc = str(node.try_get_context("vpc") or default)
        problems: list[str] = []
        azs = _list(node.try_get_context("vpcAzs"), "vpcAzs")
        subnets = _list(node.try_get_context("vpcSubnetIds"), "vpcSubnetIds")
        route_tables = _list(node.try_get_context("vpcRouteTableIds"), "vpcRouteTableIds")
        egress = str(node.try_get_context("temporalEgress") or "nat")
        service = str(node.try_get_context("temporalEndpointService") or "")
        endpoints = str(node.try_get_context("vpcEndpoints") or "create")
        if endpoints not in ("create", "existing"):
            problems.append(f'"vpcEndpoints" must be create or existing, got {endpoints!r}')
        if egress not in ("nat", "privatelink"):
            problems.append(f'"temporalEgress" must be nat or privatelink, got {egress!r}')
        if egress == "privatelink" and not _ENDPOINT_SERVICE.match(service):
            problems.append(
                '"temporalEndpointService" must name Temporal Cloud\'s PrivateLink endpoint service in your '
                "region (com.amazonaws.vpce.<region>.vpce-svc-...) when temporalEgress=privatelink"
            )
        mode: VpcMode
        if vpc in ("new", "none"):
            mode = "new" if vpc == "new" else "none"
            if vpc == "new" and len(azs) == 1:
                problems.append('"vpcAzs" must name at least two availability zones')
        elif _VPC_ID.match(vpc):
            mode = "existing"
            if len(azs) < 2:
                problems.append('"vpcAzs" must name the existing VPC\'s availability zones (two or more)')
            if len(subnets) != len(azs) or not all(_SUBNET_ID.match(s) for s in subnets):
                problems.append('"vpcSubnetIds" must name one private subnet (subnet-...) per zone of "vpcAzs"')
            if len(route_tables) != len(subnets) or not all(_ROUTE_TABLE_ID.match(r) for r in route_tables):
                problems.append('"vpcRouteTableIds" must name the route table (rtb-...) of each subnet')
        else:
            raise ValueError(f'context "vpc" must be new, none or the id of an existing VPC (vpc-...), got {vpc!r}')
        if mode == "none" and (egress != "nat" or service):
            problems.append('"temporalEgress" and "temporalEndpointService" need a VPC (vpc=new or vpc-...)')
        if problems:
            raise ValueError("network context: " + "; ".join(problems))
        return cls(
            mode=mode,
            vpc_id=vpc if mode == "existing" else "",
            azs=azs,
            subnet_ids=subnets,
            route_table_ids=route_tables,
            cidr=str(node.try_get_context("vpcCidr") or DEFAULT_CIDR),
            endpoints=endpoints == "create",
            temporal_egress="privatelink" if egress == "privatelink" else "nat",
            temporal_endpoint_service=service,
        )


def reaches_temporal(spec: Function) -> bool:
    return "temporal-secret" in spec.access


def needs_nat(spec: Function, temporal_egress: TemporalEgress) -> bool:
    """Whether a function must run where a NAT gateway routes it out."""
    if spec.outbound or any(SERVICE_OF[resource] == "nat" for resource in spec.access):
        return True
    return reaches_temporal(spec) and temporal_egress == "nat"


@dataclass(frozen=True)
class Placement:
    """Where one function runs: its subnets and security groups."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_groups: tuple[ec2.ISecurityGroup, ...]


class NetworkStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        settings: NetworkSettings,
        production: bool,
        key: kms.IKey,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        if settings.mode == "none":
            raise ValueError("a network stack is made only with a VPC (vpc=new or vpc-...)")
        self.settings = settings
        removal = RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY
        self.vpc: ec2.IVpc
        if settings.mode == "new":
            # the zones named in context, else the region's first two as CloudFormation finds them
            azs = list(settings.azs) or [Fn.select(i, Fn.get_azs()) for i in range(2)]
            if not Token.is_unresolved(self.region) and not Token.is_unresolved(self.account):
                # CDK checks named zones against the account's, which it would look up: answer for it.
                self.node.set_context(
                    f"availability-zones:account={self.account}:region={self.region}", list(settings.azs)
                )
            self.vpc = ec2.Vpc(
                self,
                "Vpc",
                vpc_name=names.prefix,
                ip_addresses=ec2.IpAddresses.cidr(settings.cidr),
                availability_zones=azs,
                # one NAT gateway per zone in production (a zone's outage leaves the others a way
                # out); one for the whole VPC elsewhere (a third of the cost)
                nat_gateways=len(azs) if production else 1,
                subnet_configuration=[
                    ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=26),
                    ec2.SubnetConfiguration(
                        name="egress", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                    ),
                    ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22),
                ],
                restrict_default_security_group=True,
            )
            self.isolated = ec2.SubnetSelection(subnet_group_name="private")
            self.egress = ec2.SubnetSelection(subnet_group_name="egress")
        else:
            self.vpc = ec2.Vpc.from_vpc_attributes(
                self,
                "Vpc",
                vpc_id=settings.vpc_id,
                availability_zones=list(settings.azs),
                private_subnet_ids=list(settings.subnet_ids),
                private_subnet_route_table_ids=list(settings.route_table_ids),
            )
            self.isolated = self.egress = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

        # Flow logs: every accepted and rejected flow of the VPC, kept encrypted like the rest.
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            log_group_name=f"/{names.prefix}/vpc-flow-logs",
            retention=logs.RetentionDays.ONE_YEAR if production else logs.RetentionDays.ONE_MONTH,
            encryption_key=key,
            removal_policy=removal,
        )
        ec2.FlowLog(
            self,
            "FlowLog",
            flow_log_name=f"{names.prefix}-vpc",
            resource_type=ec2.FlowLogResourceType.from_vpc(self.vpc),
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        # Functions accept no connections; each group says where its functions may connect to.
        self.internal = self._group(
            "Internal", "devportal functions: HTTPS to AWS services (endpoints; nothing else is routable)"
        )
        # In isolated subnets the only ways out are the endpoints: HTTPS to "anywhere" reaches the
        # gateway endpoints' prefix lists (whose ids need a lookup to name) and the interface endpoints.
        self.internal.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "AWS services through the endpoints")
        self.outbound = self._group("Outbound", "devportal functions that call teams webhooks and test targets")
        # a webhook or a test target may listen on any port; these functions run behind NAT only
        self.outbound.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp_range(1, 65535), "teams' servers")
        self.temporal = self._group("Temporal", "devportal functions that connect to Temporal Cloud")
        self.temporal_endpoint: ec2.InterfaceVpcEndpoint | None = None
        if settings.temporal_egress == "privatelink":
            link = self._group("TemporalLink", "Temporal Cloud PrivateLink endpoint")
            link.add_ingress_rule(self.temporal, ec2.Port.tcp(TEMPORAL_PORT), "Temporal clients and workers")
            self.temporal.add_egress_rule(link, ec2.Port.tcp(TEMPORAL_PORT), "Temporal Cloud over PrivateLink")
            self.temporal_endpoint = ec2.InterfaceVpcEndpoint(
                self,
                "TemporalCloudEndpoint",
                vpc=self.vpc,
                service=ec2.InterfaceVpcEndpointService(settings.temporal_endpoint_service, TEMPORAL_PORT),
                subnets=self.isolated,
                security_groups=[link],
                private_dns_enabled=False,  # Temporal Cloud's endpoint services offer none: see README
                open=False,
            )
            CfnOutput(
                self,
                "TemporalEndpointDns",
                value=Token.as_string(_first_dns_name(self.temporal_endpoint)),
                description="TEMPORAL_ADDRESS host for the Temporal secret (port 7233; TLS server name: "
                "the namespace's)",
            )
        else:
            self.temporal.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(TEMPORAL_PORT), "Temporal Cloud via NAT")

        self.endpoints_group = self._group("Endpoints", "devportal interface endpoints")
        for group in (self.internal, self.outbound, self.temporal):
            self.endpoints_group.add_ingress_rule(group, ec2.Port.tcp(443), f"HTTPS from {group.node.id}")
        if settings.endpoints:
            for name, gateway in GATEWAY_ENDPOINTS.items():
                self.vpc.add_gateway_endpoint(
                    f"Gateway-{name}",
                    service=gateway,
                    subnets=[self.isolated] if settings.mode == "existing" else [self.isolated, self.egress],
                )
            for name, service in ENDPOINTS.items():
                self.vpc.add_interface_endpoint(
                    f"Endpoint-{name}",
                    service=service,
                    subnets=self.isolated,
                    security_groups=[self.endpoints_group],
                    private_dns_enabled=True,
                    open=False,
                )
        CfnOutput(self, "VpcId", value=self.vpc.vpc_id, description="The VPC the portal's functions run in")

    def _group(self, name: str, description: str) -> ec2.SecurityGroup:
        return ec2.SecurityGroup(
            self, name, vpc=self.vpc, description=description, allow_all_outbound=False, disable_inline_rules=True
        )

    def placement(self, spec: Function) -> Placement:
        groups: list[ec2.ISecurityGroup] = [self.internal]
        if spec.outbound:
            groups.append(self.outbound)
        if reaches_temporal(spec):
            groups.append(self.temporal)
        subnets = self.egress if needs_nat(spec, self.settings.temporal_egress) else self.isolated
        return Placement(self.vpc, subnets, tuple(groups))


def _first_dns_name(endpoint: ec2.InterfaceVpcEndpoint) -> str:
    # "Z...:vpce-...-abc.vpce-svc-....<region>.vpce.amazonaws.com" -> the DNS name after the zone id
    return Fn.select(1, Fn.split(":", Fn.select(0, endpoint.vpc_endpoint_dns_entries)))


def network_actions() -> iam.PolicyStatement:
    """What Lambda needs of a function's role to attach it to the VPC (AWS's
    AWSLambdaVPCAccessExecutionRole, written out: no managed policies on function roles)."""
    return iam.PolicyStatement(
        actions=sorted(NETWORK_ACTIONS),
        resources=["*"],  # EC2's Describe* have no resource-level permissions; Lambda manages the ENIs
    )


NETWORK_ACTIONS = frozenset(
    {
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }
)
