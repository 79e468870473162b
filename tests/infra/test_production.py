"""Production shape: private networking (stacks.network_stack) and blue-green releases
(stacks.release), per stage with and without a VPC, synthesized offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as cdk_app
from devportal.names import ResourceNames
from functions.catalog import functions, tasks, workers
from functions.declaration import RESOURCE_SETTINGS, Function, Resource
from stacks.domains import ApiDomain
from stacks.edge_stack import EDGE_REGION, portal_web_acl_parameter
from stacks.network_stack import (
    ENDPOINTS,
    GATEWAY_ENDPOINTS,
    NETWORK_ACTIONS,
    SERVICE_OF,
    TEMPORAL_PORT,
    NetworkSettings,
    needs_nat,
)
from stacks.packaging import LambdaAssets
from stacks.release import LATENCY_SHARE_OF_TIMEOUT, LIVE_ALIAS
from tests.infra.conftest import Synthesized, all_functions, properties, resources, synthesize, with_nested

PROD = ResourceNames("devportal-prod")
DEV = ResourceNames("devportal-dev")
WORKERS = {spec.name for spec in workers()}
# Temporal Cloud's PrivateLink endpoint service in one region (the name is per region and published
# by Temporal; any well-formed name synthesizes).
TEMPORAL_SERVICE = "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"
EXISTING = {
    "vpc": "vpc-0a1b2c3d4e5f60718",
    "vpcAzs": ["eu-west-1a", "eu-west-1b"],
    "vpcSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
    "vpcRouteTableIds": ["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
    "temporalEgress": "privatelink",
    "temporalEndpointService": TEMPORAL_SERVICE,
    # and the gateway at a custom domain of a Route 53 zone
    "apiDomain": "api.portal.example.com",
    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
    "hostedZoneName": "portal.example.com",
    # and the portal at the zone's own name (its certificate made in us-east-1 by the edge stack)
    "portalDomain": "portal.example.com",
}


def missing_context(assembly: Path) -> list[Any]:
    """The context lookups a synth left for the CLI to make with AWS credentials (none, offline)."""
    return list(json.loads((assembly / "manifest.json").read_text()).get("missing", []))


def exported(reference: Any) -> str:
    """The export a cross-stack reference names (the network stack's subnets and groups)."""
    return json.dumps(reference)


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory, assets: LambdaAssets) -> Synthesized:
    """prod in an existing VPC described in context, Temporal Cloud over PrivateLink."""
    return synthesize(tmp_path_factory.mktemp("cdk.out-existing"), {"stage": "prod", **EXISTING}, assets)


# -- private networking --------------------------------------------------------------------------


def test_every_resource_a_function_reaches_has_a_way_from_inside_the_vpc() -> None:
    assert set(SERVICE_OF) == set(get_args(Resource)) == set(RESOURCE_SETTINGS)
    for resource, service in SERVICE_OF.items():
        assert service in GATEWAY_ENDPOINTS or service in ENDPOINTS or service == "nat", resource


@pytest.mark.parametrize("spec", functions(), ids=lambda spec: spec.name)
def test_a_function_runs_behind_nat_only_when_it_must_reach_outside(spec: Function) -> None:
    outside = bool(spec.outbound) or "user-pool" in spec.access
    assert needs_nat(spec, "privatelink") is outside
    assert needs_nat(spec, "nat") is (outside or "temporal-secret" in spec.access)


def test_the_webhook_sender_and_the_test_runner_are_the_functions_that_call_teams_servers() -> None:
    assert {spec.name for spec in functions() if spec.outbound} == {"send-webhook", "test-worker"}


def test_dev_has_no_vpc_by_default(dev: Synthesized) -> None:
    assert "network" not in dev.stacks
    assert all("VpcConfig" not in f for f in all_functions(dev).values())


def test_prod_vpc_has_isolated_egress_and_public_subnets_in_two_zones_with_flow_logs(prod: Synthesized) -> None:
    network = prod.templates["network"]
    subnets = resources(network, "AWS::EC2::Subnet").values()
    tiers = [t["Value"] for s in subnets for t in s["Properties"]["Tags"] if t["Key"] == "aws-cdk:subnet-name"]
    assert sorted(tiers) == ["egress", "egress", "private", "private", "public", "public"]
    zones = {json.dumps(s["Properties"]["AvailabilityZone"]) for s in subnets}
    assert len(zones) == 2  # Fn::GetAZs at deploy time: the stack is environment-agnostic, nothing looked up
    assert len(resources(network, "AWS::EC2::NatGateway")) == 2  # one per zone in production
    (flow_log,) = properties(network, "AWS::EC2::FlowLog")
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["ResourceType"] == "VPC"
    (log_group,) = properties(network, "AWS::Logs::LogGroup")
    assert "KmsKeyId" in log_group


def test_no_security_group_accepts_anything_from_anywhere(prod: Synthesized, existing: Synthesized) -> None:
    for synthesized in (prod, existing):
        network = synthesized.templates["network"]
        rules = properties(network, "AWS::EC2::SecurityGroupIngress")
        for group in resources(network, "AWS::EC2::SecurityGroup").values():
            rules += group["Properties"].get("SecurityGroupIngress", [])
        assert rules, "the endpoints accept HTTPS from the functions' groups"
        for rule in rules:
            assert "CidrIp" not in rule, rule
            assert "CidrIpv6" not in rule, rule
            assert "SourceSecurityGroupId" in rule


def test_endpoints_keep_aws_traffic_inside(prod: Synthesized) -> None:
    endpoints = properties(prod.templates["network"], "AWS::EC2::VPCEndpoint")
    gateways = {json.dumps(e["ServiceName"]) for e in endpoints if e.get("VpcEndpointType") == "Gateway"}
    assert len(gateways) == 2
    assert any("dynamodb" in g for g in gateways)
    assert any(".s3" in g for g in gateways)
    interfaces = [e for e in endpoints if e.get("VpcEndpointType") == "Interface"]
    services = {json.dumps(e["ServiceName"]).rsplit(".", 1)[-1].strip('"]}') for e in interfaces}
    expected = {"sqs", "sns", "events", "secretsmanager", "ssm", "states", "sts", "xray", "logs", "email"}
    assert services == expected
    assert all(e["PrivateDnsEnabled"] is True for e in interfaces)
    assert all(len(e["SecurityGroupIds"]) == 1 for e in interfaces)


def test_every_prod_function_runs_in_the_vpc_where_its_declaration_places_it(prod: Synthesized) -> None:
    deployed = all_functions(prod)
    for spec in functions():
        config = deployed[spec.function_name(PROD)]["VpcConfig"]
        subnets, groups = exported(config["SubnetIds"]), exported(config["SecurityGroupIds"])
        tier, other = ("egressSubnet", "privateSubnet") if needs_nat(spec, "nat") else ("privateSubnet", "egressSubnet")
        assert tier in subnets, spec.name
        assert other not in subnets, spec.name
        assert "Internal" in groups
        assert ("Outbound" in groups) is bool(spec.outbound), spec.name
        assert ("Temporal" in groups) is ("temporal-secret" in spec.access), spec.name


@pytest.mark.parametrize("fixture", ["dev", "prod"])
def test_a_function_in_a_vpc_may_manage_its_network_interfaces_and_nothing_more(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(fixture)
    granted: set[str] = set()
    for kind in ("api", "workflows"):
        template = synthesized.templates[kind]
        functions_by_role = {
            f["Properties"]["Role"]["Fn::GetAtt"][0]: f["Properties"]["FunctionName"]
            for f in resources(template, "AWS::Lambda::Function").values()
        }
        for policy in resources(template, "AWS::IAM::Policy").values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                if any(a.startswith("ec2:") for a in actions):
                    assert set(actions) == NETWORK_ACTIONS
                    assert statement["Resource"] == "*"
                    granted.update(functions_by_role[role["Ref"]] for role in policy["Properties"]["Roles"])
    names = DEV if fixture == "dev" else PROD
    assert granted == ({spec.function_name(names) for spec in functions()} if fixture == "prod" else set())


def test_an_existing_vpc_is_described_not_looked_up_and_temporal_goes_over_privatelink(existing: Synthesized) -> None:
    assert not missing_context(existing.outdir)
    network = existing.templates["network"]
    assert not resources(network, "AWS::EC2::VPC")
    assert not resources(network, "AWS::EC2::NatGateway")
    endpoints = properties(network, "AWS::EC2::VPCEndpoint")
    (link,) = [e for e in endpoints if e["ServiceName"] == TEMPORAL_SERVICE]
    assert link["VpcId"] == EXISTING["vpc"]
    assert link["SubnetIds"] == EXISTING["vpcSubnetIds"]
    gateways = [e for e in endpoints if e.get("VpcEndpointType") == "Gateway"]
    assert all(sorted(e["RouteTableIds"]) == EXISTING["vpcRouteTableIds"] for e in gateways)
    egress = properties(network, "AWS::EC2::SecurityGroupEgress")
    temporal = [r for r in egress if r.get("FromPort") == TEMPORAL_PORT]
    assert temporal
    assert all("DestinationSecurityGroupId" in r for r in temporal)
    deployed = all_functions(existing)
    worker = deployed[f"{PROD.prefix}-registration-worker"]["VpcConfig"]
    assert worker["SubnetIds"] == EXISTING["vpcSubnetIds"]


def test_a_new_vpc_in_a_known_region_finds_its_zones_without_a_lookup(tmp_path: Path, assets: LambdaAssets) -> None:
    """What the pipeline's stages are: an account and region known at synth time."""
    app = cdk.App(context={"stage": "staging", **cdk_app.FEATURE_FLAGS}, outdir=str(tmp_path))
    stage = cdk.Stage(app, "staging", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    stacks = cdk_app.portal_stacks(stage, cdk_app.StageSettings.from_context(app.node, "staging"), assets)
    network = Template.from_stack(stacks["network"])
    zones = {json.dumps(s["Properties"]["AvailabilityZone"]) for s in resources(network, "AWS::EC2::Subnet").values()}
    assert zones == {json.dumps({"Fn::Select": [i, {"Fn::GetAZs": ""}]}) for i in range(2)}  # none hard-coded
    assert len(resources(network, "AWS::EC2::NatGateway")) == 1  # one outside production
    assert not missing_context(Path(stage.synth().directory))


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"vpc": "maybe"}, 'context "vpc" must be new, none or the id of an existing VPC'),
        ({"vpc": "vpc-0a1b2c3d4e5f60718"}, '"vpcAzs" must name the existing VPC'),
        ({"vpc": "new", "temporalEgress": "privatelink"}, '"temporalEndpointService" must name'),
        ({"vpc": "new", "temporalEgress": "carrier-pigeon"}, '"temporalEgress" must be nat or privatelink'),
        ({"vpc": "none", "temporalEgress": "privatelink", "temporalEndpointService": TEMPORAL_SERVICE}, "need a VPC"),
        ({"vpc": "new", "vpcEndpoints": "some"}, '"vpcEndpoints" must be create or existing'),
    ],
)
def test_a_bad_network_context_stops_the_synth_naming_the_key(context: dict[str, Any], message: str) -> None:
    app = cdk.App(context=context)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        NetworkSettings.from_context(app.node, default="none")


# -- blue-green releases ----------------------------------------------------------------------------


def released(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Deployment groups by name, with their alias's function."""
    groups = {}
    for kind in ("api", "workflows"):
        template = synthesized.templates[kind]
        for group in resources(template, "AWS::CodeDeploy::DeploymentGroup").values():
            groups[group["Properties"]["DeploymentGroupName"]] = group["Properties"]
    return groups


@pytest.mark.parametrize(("fixture", "config"), [("dev", "AllAtOnce"), ("prod", "Canary10Percent5Minutes")])
def test_every_function_but_the_workers_is_released_through_codedeploy(
    fixture: str, config: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(fixture)
    names = DEV if fixture == "dev" else PROD
    groups = released(synthesized)
    assert set(groups) == {spec.function_name(names) for spec in functions() if spec.name not in WORKERS}
    for group in groups.values():
        assert group["DeploymentConfigName"] == f"CodeDeployDefault.Lambda{config}"
        assert group["AutoRollbackConfiguration"] == {
            "Enabled": True,
            "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"],
        }
        assert group["AlarmConfiguration"]["Enabled"] is True
        assert len(group["AlarmConfiguration"]["Alarms"]) == 2


def test_release_alarms_watch_the_live_alias_for_errors_and_latency(dev: Synthesized) -> None:
    timeouts = {spec.function_name(DEV): spec.timeout_seconds for spec in functions()}
    alarms = {}
    for kind in ("api", "workflows"):
        for alarm in resources(dev.templates[kind], "AWS::CloudWatch::Alarm").values():
            alarms[alarm["Properties"]["AlarmName"]] = alarm["Properties"]
    for name in released(dev):
        errors, latency = alarms[f"{name}-release-errors"], alarms[f"{name}-release-latency"]
        assert errors["MetricName"] == "Errors"
        assert errors["Threshold"] == 1
        assert latency["MetricName"] == "Duration"
        assert latency["ExtendedStatistic"] == "p99"
        assert latency["Threshold"] == timeouts[name] * 1000 * LATENCY_SHARE_OF_TIMEOUT
        for alarm in (errors, latency):
            dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
            assert json.dumps(dimensions["Resource"]).endswith(f':{LIVE_ALIAS}"]]}}')


def test_callers_reach_the_live_alias(dev: Synthesized) -> None:
    workflows = dev.templates["workflows"]
    aliases = resources(workflows, "AWS::Lambda::Alias")
    for mapping in resources(workflows, "AWS::Lambda::EventSourceMapping").values():
        named = json.dumps(mapping["Properties"]["FunctionName"])  # <function name>:live
        assert [alias_id for alias_id in aliases if alias_id in named]
        assert named.endswith(':live"]]}')
    (machine,) = [m["Properties"] for m in resources(workflows, "AWS::StepFunctions::StateMachine").values()]
    substituted = json.dumps(machine["DefinitionSubstitutions"])
    for spec in tasks("notify"):
        (alias_id,) = [
            i for i, a in aliases.items() if spec.name.replace("-", "") in a["Properties"]["FunctionName"]["Ref"]
        ]
        assert alias_id in substituted


def test_the_api_fits_cloudformation_limits(prod: Synthesized) -> None:
    for stack in prod.stacks.values():
        for nested in [stack, *(c for c in stack.node.find_all() if isinstance(c, cdk.NestedStack))]:
            count = len(Template.from_stack(nested).to_json()["Resources"])
            assert count <= 450, (nested.node.path, count)  # 500 is the limit; room to grow
    assert len(with_nested(prod.stacks["api"]).to_json()["Resources"]) > 500  # why the nested stacks exist


# -- TLS and edges ----------------------------------------------------------------------------------


def test_the_gateway_speaks_tls_1_2_or_later(dev: Synthesized) -> None:
    (api,) = properties(dev.templates["api"], "AWS::ApiGateway::RestApi")
    assert api["SecurityPolicy"] == "TLS_1_2"
    assert api["EndpointConfiguration"]["Types"] == ["REGIONAL"]
    assert "DisableExecuteApiEndpoint" not in api or api["DisableExecuteApiEndpoint"] is False  # no domain: its own


def test_a_custom_domain_is_the_only_way_in(existing: Synthesized) -> None:
    api = existing.templates["api"]
    (rest,) = properties(api, "AWS::ApiGateway::RestApi")
    assert rest["DisableExecuteApiEndpoint"] is True
    (domain,) = properties(api, "AWS::ApiGateway::DomainName")
    assert domain["DomainName"] == "api.portal.example.com"  # prod at the domain itself
    assert domain["SecurityPolicy"] == "TLS_1_2"
    assert domain["EndpointConfiguration"]["Types"] == ["REGIONAL"]
    (certificate,) = properties(api, "AWS::CertificateManager::Certificate")
    assert certificate["ValidationMethod"] == "DNS"
    assert certificate["DomainValidationOptions"][0]["HostedZoneId"] == EXISTING["hostedZoneId"]
    (record,) = properties(api, "AWS::Route53::RecordSet")
    assert (record["Name"], record["Type"]) == ("api.portal.example.com.", "A")
    assert resources(api, "AWS::ApiGateway::BasePathMapping")
    outputs = api.to_json()["Outputs"]
    assert outputs["ApiUrl"]["Value"] == "https://api.portal.example.com/"
    # the portal's /api/* origin is the domain too (the execute-api endpoint answers nothing)
    (distribution,) = properties(existing.templates["web"], "AWS::CloudFront::Distribution")
    origins = {o["DomainName"]: o for o in distribution["DistributionConfig"]["Origins"] if "CustomOriginConfig" in o}
    assert set(origins) == {"api.portal.example.com"}
    assert not origins["api.portal.example.com"].get("OriginPath")  # the domain maps its root to the stage


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"apiDomain": "api.example.com"}, "give either"),
        (
            {"apiDomain": "not a domain", "apiCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/ab-12"},
            '"apiDomain" must be a DNS name',
        ),
        ({"apiDomain": "api.example.com", "apiCertificateArn": "mine"}, '"apiCertificateArn" must be the ARN'),
        (
            {"apiDomain": "api.example.com", "hostedZoneId": "Z1", "hostedZoneName": "other.org"},
            'of the zone "apiDomain" is in',
        ),
        ({"apiCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/ab-12"}, 'needs "apiDomain"'),
    ],
)
def test_a_bad_domain_context_stops_the_synth_naming_the_key(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ApiDomain.from_context(cdk.App(context=context).node, "prod")


def test_other_stages_live_below_the_domain() -> None:
    context = {
        "apiDomain": "api.example.com",
        "apiCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/ab-12",
    }
    staging = ApiDomain.from_context(cdk.App(context=context).node, "staging")
    assert staging is not None
    assert staging.name == "staging.api.example.com"


def test_every_public_edge_has_the_waf(dev: Synthesized) -> None:
    security = dev.templates["security"]
    (regional,) = resources(security, "AWS::WAFv2::WebACL")  # its logical id
    (api_association,) = properties(dev.templates["api"], "AWS::WAFv2::WebACLAssociation")
    (pool_association,) = properties(dev.templates["auth"], "AWS::WAFv2::WebACLAssociation")
    assert regional in json.dumps(api_association["WebACLArn"])
    assert regional in json.dumps(pool_association["WebACLArn"])
    assert "UserPool" in json.dumps(pool_association["ResourceArn"])
    # the portal's hosting: a CloudFront web ACL, made in us-east-1 (the edge stack)
    edge = dev.stacks["edge"]
    assert edge.region == EDGE_REGION
    (acl,) = properties(dev.templates["edge"], "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT"
    (parameter,) = properties(dev.templates["edge"], "AWS::SSM::Parameter")
    assert parameter["Name"] == portal_web_acl_parameter(DEV)
    web = dev.templates["web"]
    assert not properties(web, "AWS::WAFv2::WebACLAssociation")  # CloudFront takes its ACL in its own config
    (distribution,) = properties(web, "AWS::CloudFront::Distribution")
    (reader_id,) = resources(web, "Custom::AWS")
    assert distribution["DistributionConfig"]["WebACLId"] == {"Fn::GetAtt": [reader_id, "Parameter.Value"]}
    (reader,) = properties(web, "Custom::AWS")
    assert f'\\"region\\":\\"{EDGE_REGION}\\"' in json.dumps(reader["Create"])  # read where it was made
    assert portal_web_acl_parameter(DEV) in json.dumps(reader["Create"])
    assert edge in dev.stacks["web"].dependencies
