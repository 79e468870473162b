"""cdk-nag AwsSolutions findings this design accepts, each with the reason it is right here.

Every acknowledgement is scoped to the constructs it is about (a function's role, one secret, one
pool), never to a whole stack, so a new resource with the same finding still fails the synth.
`ACKNOWLEDGEMENTS` is also what the note and the tests report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from contracts import gateway_routes
from stacks.data_stack import nag_object_resource
from stacks.functions import PortalFunction


@dataclass(frozen=True)
class Acknowledged:
    rule: str  # e.g. "AwsSolutions-L1" or "AwsSolutions-IAM5[Resource::*]"
    reason: str
    applies_to: Callable[[IConstruct], bool]


def _path_ends(*suffixes: str) -> Callable[[IConstruct], bool]:
    return lambda construct: construct.node.path.endswith(suffixes)


def _is_function(construct: IConstruct) -> bool:
    return isinstance(construct, PortalFunction)


@cache
def _anonymous_operations() -> frozenset[tuple[str, str]]:
    return frozenset((route.method, route.path) for route in gateway_routes() if not route.security_schemes)


def _is_anonymous_operation(construct: IConstruct) -> bool:
    """A method the contract leaves open (`security: []`): signing in and refreshing tokens."""
    return (
        isinstance(construct, apigateway.Method)
        and (construct.http_method, construct.resource.path) in _anonymous_operations()
    )


@cache
def _service_key_operations() -> frozenset[tuple[str, str]]:
    return frozenset(
        (route.method, route.path) for route in gateway_routes() if route.security_schemes == ("serviceKey",)
    )


def _is_service_key_operation(construct: IConstruct) -> bool:
    """A method services call with a team's API key (`serviceKey`): POST /usage."""
    return (
        isinstance(construct, apigateway.Method)
        and (construct.http_method, construct.resource.path) in _service_key_operations()
    )


ACKNOWLEDGEMENTS: tuple[Acknowledged, ...] = (
    Acknowledged(
        "AwsSolutions-L1",
        "Functions run Python 3.11, the version the code and its dependency layer are built and tested "
        "with (CI, the local runtime, the layer's wheels); it moves with the toolchain, not ahead of it.",
        _is_function,
    ),
    Acknowledged(
        "AwsSolutions-IAM5[Resource::*]",
        "Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) and, in a VPC, the EC2 "
        "network-interface actions Lambda attaches the function with (AWSLambdaVPCAccessExecutionRole's, "
        "written out) use '*': neither has resource-level permissions for all of them. "
        "tests/infra/test_least_privilege.py fails on any other '*'.",
        _is_function,
    ),
    Acknowledged(
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]",
        "CodeDeploy's service role for blue-green Lambda releases uses AWS's AWSCodeDeployRoleForLambdaLimited, "
        "which CDK's LambdaDeploymentGroup attaches: it reads and moves aliases, reads the release alarms and "
        "invokes only functions named CodeDeployHook_*, and changes as CodeDeploy does.",
        _path_ends("/Releases/DeployRole"),
    ),
    Acknowledged(
        "AwsSolutions-APIG4",
        "The contract leaves exactly the sign-in operations open (POST /auth/login, /auth/refresh), which are "
        "how a caller gets a token, and the confirmation of an e-mail subscription (POST "
        "/subscriptions/confirmations), whose mailbox owner need not be a user: it needs the 256-bit token "
        "mailed to the address. They are throttled, validated and behind the WAF like every other route.",
        _is_anonymous_operation,
    ),
    Acknowledged(
        "AwsSolutions-COG4",
        "The contract leaves exactly the sign-in operations open (POST /auth/login, /auth/refresh), for which "
        "a Cognito authorizer would demand the token they exist to issue, and the confirmation of an e-mail "
        "subscription by the mailbox's owner (who need not be a user) with the token mailed to it.",
        _is_anonymous_operation,
    ),
    Acknowledged(
        "AwsSolutions-IAM5[Resource::*]",
        "The state machine's role: CloudWatch Logs log delivery (logs:*LogDelivery, PutResourcePolicy, "
        "Describe*) and X-Ray tracing, which CDK grants for logging and tracing and which have no "
        "resource-level permissions. What its states call is granted on named resources.",
        _path_ends("/StateMachine-notify/Role"),
    ),
    Acknowledged(
        "AwsSolutions-SQS3",
        "The failed-deliveries queue is itself a dead-letter queue: the notify state machine puts there what "
        "it could not deliver, and a redrive hands it back to the notifier.",
        _path_ends("/FailedDeliveries"),
    ),
    Acknowledged(
        "AwsSolutions-APIG4",
        "POST /usage is called by services, which have no user in the pool: its function checks the team's "
        "service key (x-api-key: looked up by its SHA-256, scope usage:publish, revocation and rotation grace) "
        "before anything else and answers 401 otherwise, tested through HTTP in tests/e2e/test_usage.py.",
        _is_service_key_operation,
    ),
    Acknowledged(
        "AwsSolutions-COG4",
        "POST /usage is called by services with a team's service key, not by Cognito users: a Cognito "
        "authorizer would refuse every service. The function verifies the key.",
        _is_service_key_operation,
    ),
    Acknowledged(
        "AwsSolutions-SMG4",
        "The secret holds a Temporal Cloud API key or mTLS certificate; those are issued and rotated in "
        "Temporal Cloud, which Secrets Manager rotation cannot call. Rotate by putting the new value "
        "(README: Temporal Cloud connection).",
        _path_ends("/TemporalCloud"),
    ),
    Acknowledged(
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        "API Gateway's account-level CloudWatch role uses AWS's own AmazonAPIGatewayPushToCloudWatchLogs "
        "policy, the documented way to enable the execution logs AwsSolutions-APIG6 asks for.",
        _path_ends("/Api/CloudWatchRole"),
    ),
)
# Outside prod, MFA is optional so demo, test and CI users can sign in non-interactively; prod requires it.
NON_PRODUCTION_ACKNOWLEDGEMENTS: tuple[Acknowledged, ...] = (
    Acknowledged(
        "AwsSolutions-COG2",
        "MFA is optional in dev and staging so test and CI users sign in non-interactively; prod requires MFA.",
        _path_ends("/UserPool"),
    ),
)


OBJECT_KEYS_REASON = (
    "Object keys inside one named bucket: specs and docs keys are per API and version, created at run "
    "time, so IAM cannot list them. Actions are exactly those the handler calls "
    "(tests/infra/test_least_privilege.py records them against moto)."
)


WEBHOOK_SECRETS_REASON = (
    "Webhook signing secrets, one per subscription, created at run time under one prefix "
    "(<prefix>/webhook-secrets/): IAM cannot list them ahead. Each function has only the actions it calls "
    "(create, read, rotate, delete; tests/infra/test_least_privilege.py)."
)


CREDENTIALS_REASON = (
    "Contract-test credentials are secrets each API team names in its test settings, under one prefix "
    "(<prefix>/test-credentials/): IAM cannot list them ahead. Only the test worker reads them, with "
    "secretsmanager:GetSecretValue alone (tests/infra/test_least_privilege.py)."
)


def object_key_acknowledgements(function: PortalFunction) -> list[Acknowledged]:
    """IAM5 for `arn:...:s3:::{bucket}/*`, one per bucket the function touches, and for the
    test-credential secrets under their prefix, named exactly."""
    found = [
        Acknowledged(f"AwsSolutions-IAM5[Resource::{nag_object_resource(bucket)}]", OBJECT_KEYS_REASON, _is_function)
        for resource, bucket in (("specs", function.names.specs_bucket), ("docs", function.names.docs_bucket))
        if resource in function.spec.access
    ]
    if "webhook-secrets" in function.spec.access:
        secrets = (
            "arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:"
            f"{function.names.webhook_secrets_prefix}*"
        )
        found.append(Acknowledged(f"AwsSolutions-IAM5[Resource::{secrets}]", WEBHOOK_SECRETS_REASON, _is_function))
    if "test-credentials" in function.spec.access:
        secrets = (
            "arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:"
            f"{function.names.test_credentials_prefix}*"
        )
        found.append(Acknowledged(f"AwsSolutions-IAM5[Resource::{secrets}]", CREDENTIALS_REASON, _is_function))
    return found


def flatten_reference(node: Any) -> str:
    """A resolved CloudFormation value as cdk-nag spells it in a finding id (its flattenCfnReference)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def wildcard_findings(policy_document: Any) -> list[str]:
    """The AwsSolutions-IAM5 finding ids one resolved policy document raises."""
    found: dict[str, None] = {}
    for statement in policy_document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        for action in actions if isinstance(actions, list) else [actions]:
            if "*" in action:
                found[f"AwsSolutions-IAM5[Action::{action}]"] = None
        resources = statement.get("Resource", [])
        for resource in resources if isinstance(resources, list) else [resources]:
            flat = flatten_reference(resource)
            if "*" in flat:
                found[f"AwsSolutions-IAM5[Resource::{flat}]"] = None
    return list(found)


LIBRARY_WILDCARDS_REASON = (
    "Generated by CDK Pipelines for its own roles (pipeline, source action, CodeBuild projects, asset "
    "publishing, self-mutation): objects in the pipeline's artifact bucket, its CodeBuild report groups "
    "and log groups, and the CDK bootstrap roles it assumes to deploy. The library scopes each to the "
    "pipeline's resources; no portal function is covered by this."
)


def acknowledge(construct: IConstruct, rule: str, reason: str) -> str:
    """Acknowledge one AwsSolutions finding (e.g. "AwsSolutions-L1") on `construct`; returns what where."""
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))
    return f"{rule} {construct.node.path}"


def acknowledge_library_wildcards(
    scope: IConstruct, reason: str | Callable[[str], str] = LIBRARY_WILDCARDS_REASON
) -> list[str]:
    """Acknowledge, on the policies under `scope` only, exactly the IAM5 findings their current
    documents raise (so a changed grant is acknowledged by id, not by rule); `reason` is one for
    all, or one per finding id."""
    applied = []
    for construct in scope.node.find_all():
        if isinstance(construct, iam.CfnPolicy):
            document = Stack.of(construct).resolve(construct.policy_document)
            for finding in wildcard_findings(document):
                applied.append(acknowledge(construct, finding, reason(finding) if callable(reason) else reason))
    return applied


# The branch-stage builds' own wildcards, each with why no narrower name exists (stacks.branch_stages).
BRANCH_STAGE_WILDCARDS: tuple[tuple[str, str], ...] = (
    (
        "role/cdk-hnb659fds-*",
        "cdk deploy works through the CDK bootstrap's roles of this account and region (asset publishing, "
        "deploy, lookup), whose names end in the account and region; the build may assume those and no other role.",
    ),
    (
        "stack/devportal-*/*",
        "A branch stage's stacks are named after its branch (devportal-<branch stage>-*), known only when the "
        "branch is pushed; the fixed stages' stacks (dev, staging, prod) are denied to the same role explicitly.",
    ),
    (
        "userpool/*",
        "The branch stage's user pool has a generated id, known only after its deploy; the build may create and "
        "reset its test developer, and is denied every Cognito action on pools tagged stage=dev|staging|prod.",
    ),
    (
        "table/devportal-*-table",
        "The branch stage's table is named after its branch; the build writes its test developer's profile (one "
        "PutItem) and is denied every DynamoDB action on the fixed stages' tables.",
    ),
)
CODEBUILD_WILDCARDS_REASON = (
    "Generated by the CodeBuild construct library for the branch-stage projects' own resources: their log "
    "streams, their report groups and the data keys of the pipeline's artifacts key they encrypt with. "
    "No portal function is covered by this."
)


LISTING_STACKS_REASON = (
    "The branch-destroy build finds a branch's stacks by their tags, which takes cloudformation:DescribeStacks "
    "without a stack name - allowed on '*' only. It reads; deleting is allowed on devportal-* stacks alone and "
    "denied on the fixed stages'."
)


def branch_stage_reason(finding: str) -> str:
    """Why a branch-stage build may hold the wildcard of `finding`: ours with their reasons, the
    CodeBuild library's as such."""
    if finding == "AwsSolutions-IAM5[Resource::*]":
        return LISTING_STACKS_REASON
    reasons = [reason for pattern, reason in BRANCH_STAGE_WILDCARDS if finding.endswith(f"{pattern}]")]
    return reasons[0] if reasons else CODEBUILD_WILDCARDS_REASON


def acknowledge_findings(stack: Stack, *, production: bool = True) -> list[str]:
    """Acknowledge the accepted findings on the matching constructs; returns what was acknowledged where."""
    rules = ACKNOWLEDGEMENTS + (() if production else NON_PRODUCTION_ACKNOWLEDGEMENTS)
    applied = []
    for construct in stack.node.find_all():
        matching = [rule for rule in rules if rule.applies_to(construct)]
        if isinstance(construct, PortalFunction):
            matching += object_key_acknowledgements(construct)
        applied += [acknowledge(construct, rule.rule, rule.reason) for rule in matching]
    return applied


SDK_CALL_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"  # CDK's AwsCustomResource singleton function
SDK_CALL_PROVIDER_REASON = (
    "CDK's AwsCustomResource provider (library code) that reads the portal distribution's web ACL and certificate "
    "ARNs from the edge stack's SSM parameters in us-east-1 while the web stack deploys; it logs through AWS's "
    "basic execution policy and may call only ssm:GetParameter on those parameters."
)


REPLICATION_BUCKET_REASON = (
    "CodePipeline's cross-region support stack (library code): the bucket that carries the pipeline's artifacts to "
    "us-east-1 for the edge stacks' deploy actions. Artifacts are KMS-encrypted and transient; the pipeline's "
    "own artifact bucket in its region keeps the access log."
)


def acknowledge_replication_buckets(app: IConstruct) -> list[str]:
    """The S1 finding of the support stacks CodePipeline adds for each region it deploys to."""
    applied = []
    for child in app.node.children:
        if isinstance(child, Stack) and child.node.id.startswith("cross-region-stack-"):
            applied.append(acknowledge(child, "AwsSolutions-S1", REPLICATION_BUCKET_REASON))
    return applied


def acknowledge_sdk_call_provider(stack: Stack) -> list[str]:
    provider = stack.node.try_find_child(SDK_CALL_PROVIDER)
    if provider is None:
        return []
    rule = "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
    return [acknowledge(provider, rule, SDK_CALL_PROVIDER_REASON)]


UI_DEPLOYER = "Custom::CDKBucketDeployment"  # CDK's BucketDeployment singleton function (id prefix)
UI_DEPLOYER_REASON = (
    "CDK's BucketDeployment provider (library code, run only while CloudFormation deploys the web stack): it "
    "copies the UI build from the CDK asset bucket into the portal's bucket and invalidates the distribution. "
    "The library grants it object and listing actions on those two buckets' objects and "
    "cloudfront:CreateInvalidation/GetInvalidation on '*' (invalidations have no resource-level permission). "
    "No portal function is covered by this."
)
UI_DEPLOYER_FINDINGS: tuple[tuple[str, str], ...] = (
    (
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "The UI deployer (library code) writes its logs through AWS's basic execution policy; it runs only "
        "while CloudFormation deploys the web stack.",
    ),
    (
        "AwsSolutions-L1",
        "The UI deployer's runtime is chosen by the CDK library (its bundled AWS CLI layer is built for it) and "
        "moves with aws-cdk-lib.",
    ),
)
PORTAL_GEOGRAPHY_REASON = (
    "The portal serves the organisation's developers wherever they work; access is guarded by sign-in, the "
    "edge web ACL (managed rule groups and a per-address rate limit) and the API's authorizer, not by country."
)
PORTAL_DEFAULT_CERTIFICATE_REASON = (
    "Without -c portalDomain the distribution answers at its cloudfront.net name with CloudFront's default "
    "certificate, whose minimum protocol CloudFront fixes (TLSv1) and no setting changes; with a portal domain "
    "it takes TLSv1.2_2025. Production deployments give a domain (README: TLS and edges)."
)
PORTAL_NO_WAF_REASON = (
    "A feature branch's stage has no edge stack (its us-east-1 resources would outlive the branch's destroy): its "
    "short-lived portal is for the branch's own tests; the API behind it keeps its regional web ACL."
)


def acknowledge_portal_hosting(stack: Stack, *, custom_domain: bool, web_acl: bool) -> list[str]:
    """The web stack's accepted findings: the UI deployer's (library code) and the distribution's."""
    applied = []
    for child in stack.node.children:
        if child.node.id.startswith(UI_DEPLOYER):
            applied += acknowledge_library_wildcards(child, UI_DEPLOYER_REASON)
            applied += [acknowledge(child, rule, reason) for rule, reason in UI_DEPLOYER_FINDINGS]
    distribution = stack.node.find_child("Distribution")
    rules = [("AwsSolutions-CFR1", PORTAL_GEOGRAPHY_REASON)]
    if not custom_domain:
        rules.append(("AwsSolutions-CFR4", PORTAL_DEFAULT_CERTIFICATE_REASON))
    if not web_acl:
        rules.append(("AwsSolutions-CFR2", PORTAL_NO_WAF_REASON))
    return applied + [acknowledge(distribution, rule, reason) for rule, reason in rules]
