"""What each stack declares: auth, api, security, events, workflows, monitoring, web, the pipeline."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from contracts import gateway_routes
from devportal.names import ResourceNames
from devportal.settings import tunable_defaults
from events.catalog import EVENTS
from functions.catalog import consumers, functions, route_function
from functions.topology import routing
from stacks.api_stack import API_NAME, THROTTLE
from stacks.auth_stack import AuthStack, Federation
from stacks.release import LIVE_ALIAS
from stacks.security_stack import MANAGED_RULE_GROUPS
from tests.infra.conftest import Synthesized, all_functions, properties, resources

NAMES = ResourceNames("devportal-dev")


# -- auth ------------------------------------------------------------------------------------


def test_the_seed_auth_stack_test_user_pool_name_and_password_policy(templates: dict[str, Template]) -> None:
    """The seed's AuthStack test, with one correction: CloudFormation names the digits rule
    `RequireNumbers`; the seed's `RequireDigits` is not a property of AWS::Cognito::UserPool."""
    templates["auth"].has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UserPoolName": "dev-portal-users",
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                },
            },
        },
    )


def test_users_are_invited_mfa_and_threat_protection_are_on(templates: dict[str, Template], prod: Synthesized) -> None:
    (pool,) = properties(templates["auth"], "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    (prod_pool,) = properties(prod.templates["auth"], "AWS::Cognito::UserPool")
    assert prod_pool["MfaConfiguration"] == "ON"
    assert prod_pool["DeletionProtection"] == "ACTIVE"


def test_groups_are_the_roles(templates: dict[str, Template]) -> None:
    groups = {g["GroupName"]: g["Precedence"] for g in properties(templates["auth"], "AWS::Cognito::UserPoolGroup")}
    assert groups == {"admin": 0, "developer": 1, "viewer": 2}


def test_the_app_client_signs_in_with_passwords_and_refreshes(templates: dict[str, Template]) -> None:
    (client,) = properties(templates["auth"], "AWS::Cognito::UserPoolClient")
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["GenerateSecret"] is False
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"


@pytest.mark.parametrize(
    ("idp", "provider_type"),
    [
        ({"type": "saml", "name": "Corp", "metadataUrl": "https://idp.example.com/metadata.xml"}, "SAML"),
        (
            {
                "type": "oidc",
                "name": "Corp",
                "issuer": "https://idp.example.com",
                "clientId": "portal",
                "clientSecretName": "corp/oidc",
            },
            "OIDC",
        ),
    ],
)
def test_corporate_federation_comes_from_context(idp: dict[str, str], provider_type: str) -> None:
    app = cdk.App()
    stack = AuthStack(app, "auth", names=NAMES, production=False, federation=Federation.from_context(idp))
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolIdentityProvider", {"ProviderName": "Corp", "ProviderType": provider_type}
    )
    (client,) = properties(template, "AWS::Cognito::UserPoolClient")
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Corp"]
    if provider_type == "OIDC":  # the client secret stays in Secrets Manager
        (provider,) = properties(template, "AWS::Cognito::UserPoolIdentityProvider")
        assert "{{resolve:secretsmanager:corp/oidc" in json.dumps(provider["ProviderDetails"])


@pytest.mark.parametrize(
    "idp",
    [{"type": "ldap", "name": "x"}, {"type": "saml", "name": "x"}, {"type": "oidc", "name": "x", "issuer": "y"}, "x"],
)
def test_bad_federation_context_is_refused_with_the_missing_keys(idp: Any) -> None:
    with pytest.raises(ValueError, match="idp"):
        Federation.from_context(idp)


# -- api ---------------------------------------------------------------------------------------


def test_the_seed_api_test_rest_api_name(templates: dict[str, Template]) -> None:
    templates["api"].has_resource_properties("AWS::ApiGateway::RestApi", {"Name": API_NAME})


def test_answers_of_a_kibibyte_and_more_are_compressed(templates: dict[str, Template]) -> None:
    templates["api"].has_resource_properties("AWS::ApiGateway::RestApi", {"MinimumCompressionSize": 1024})


def test_one_method_per_contract_operation_each_with_its_own_function(templates: dict[str, Template]) -> None:
    template = templates["api"]
    methods = [m for m in properties(template, "AWS::ApiGateway::Method") if m["HttpMethod"] != "OPTIONS"]
    functions = resources(template, "AWS::Lambda::Function")
    aliases = resources(template, "AWS::Lambda::Alias")
    outputs = template.to_json()["Outputs"]  # the nested stacks' (stacks merged: conftest.with_nested)
    by_operation = {m["OperationName"]: m for m in methods}
    assert set(by_operation) == {route.operation_id for route in gateway_routes()}
    for route in gateway_routes():
        method = by_operation[route.operation_id]
        assert method["HttpMethod"] == route.method
        if route.security_schemes == ("serviceKey",):  # services: the function checks their key
            assert method["AuthorizationType"] == "NONE"
        elif route.security_schemes:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
            assert method["AuthorizationScopes"] == ["aws.cognito.signin.user.admin"]  # access tokens only
        else:  # signing in, and confirming an address with the mailed token: open by contract
            assert route.path.startswith("/auth/") or route.operation_id == "confirmSubscription"
            assert method["AuthorizationType"] == "NONE"
        assert method["Integration"]["Type"] == "AWS_PROXY"
        # the integration calls the function's live alias (in its group's nested stack)
        integration_uri = json.dumps(method["Integration"]["Uri"])
        (output,) = [name for name in outputs if f"Outputs.{name}" in integration_uri]
        alias = aliases[outputs[output]["Value"]["Ref"]]
        assert alias["Properties"]["Name"] == LIVE_ALIAS
        target = alias["Properties"]["FunctionName"]["Ref"]
        assert functions[target]["Properties"]["Handler"] == route_function(route).lambda_handler
        for parameter in route.parameters:
            if (
                parameter.location == "cookie"
            ):  # API Gateway has no method parameter for a cookie: the function checks it
                assert not any(name.endswith(f".{parameter.name}") for name in method.get("RequestParameters", {}))
                continue
            location = {"path": "path", "query": "querystring", "header": "header"}[parameter.location]
            assert method["RequestParameters"][f"method.request.{location}.{parameter.name}"] is parameter.required
        assert "RequestValidatorId" in method
    submit = by_operation["submitSpec"]
    assert set(submit["RequestModels"]) == {"application/json", "application/vnd.oai.openapi+json"}


def test_failed_sign_in_counters_expire_by_ttl(templates: dict[str, Template]) -> None:
    (table,) = properties(templates["database"], "AWS::DynamoDB::GlobalTable")
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_identity_routes_know_the_pool_and_client_they_sign_in_with(dev: Synthesized) -> None:
    functions = all_functions(dev)
    for name in ("login", "refresh-tokens", "logout"):
        variables = functions[f"{NAMES.prefix}-{name}"]["Environment"]["Variables"]
        assert "UserPool" in json.dumps(variables["DEVPORTAL_USER_POOL_ID"])
        assert "PortalClient" in json.dumps(variables["DEVPORTAL_USER_POOL_CLIENT_ID"])
    assert "DEVPORTAL_USER_POOL_ID" not in functions[f"{NAMES.prefix}-get-me"]["Environment"]["Variables"]


def test_the_authorizer_is_the_user_pool(templates: dict[str, Template]) -> None:
    (authorizer,) = properties(templates["api"], "AWS::ApiGateway::Authorizer")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert "UserPool" in json.dumps(authorizer["ProviderARNs"])


def test_the_stage_throttles_logs_traces_and_validates(templates: dict[str, Template]) -> None:
    template = templates["api"]
    (stage,) = properties(template, "AWS::ApiGateway::Stage")
    assert stage["TracingEnabled"] is True
    assert "DestinationArn" in stage["AccessLogSetting"]
    assert "$context.requestId" in stage["AccessLogSetting"]["Format"]
    settings = {(s["HttpMethod"], s["ResourcePath"]): s for s in stage["MethodSettings"]}
    assert settings["*", "/*"]["ThrottlingRateLimit"] == THROTTLE[0]
    assert settings["*", "/*"]["ThrottlingBurstLimit"] == THROTTLE[1]
    assert settings["*", "/*"]["LoggingLevel"] == "ERROR"
    assert settings["POST", "/~1apis"]["ThrottlingRateLimit"] < THROTTLE[0]
    (validator,) = properties(template, "AWS::ApiGateway::RequestValidator")
    assert validator["ValidateRequestParameters"] is True
    assert validator["ValidateRequestBody"] is True


def test_cors_preflight_and_problem_json_gateway_responses(templates: dict[str, Template]) -> None:
    template = templates["api"]
    preflights = [m for m in properties(template, "AWS::ApiGateway::Method") if m["HttpMethod"] == "OPTIONS"]
    # every resource answers the browser's preflight, the root included
    assert len(preflights) == len(resources(template, "AWS::ApiGateway::Resource")) + 1
    responses = {r["ResponseType"]: r for r in properties(template, "AWS::ApiGateway::GatewayResponse")}
    unauthorized = responses["UNAUTHORIZED"]
    assert unauthorized["StatusCode"] == "401"
    assert unauthorized["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    assert (
        unauthorized["ResponseParameters"]["gatewayresponse.header.WWW-Authenticate"] == "'Bearer realm=\"devportal\"'"
    )
    body = json.loads(
        unauthorized["ResponseTemplates"]["application/json"].replace("$context.error.messageString", '""')
    )
    assert body == {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": ""}
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED", "ACCESS_DENIED"} <= set(responses)


def test_waf_guards_the_stage(templates: dict[str, Template]) -> None:
    (association,) = properties(templates["api"], "AWS::WAFv2::WebACLAssociation")
    assert "Stage" in json.dumps(association["ResourceArn"])
    (acl,) = properties(templates["security"], "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL"
    groups = [
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert groups == list(MANAGED_RULE_GROUPS)
    assert any("RateBasedStatement" in r["Statement"] for r in acl["Rules"])


# -- security ----------------------------------------------------------------------------------


def test_the_key_rotates_and_encrypts_secret_trail_and_topics(dev: Synthesized) -> None:
    security = dev.templates["security"]
    (key,) = properties(security, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True
    (secret,) = properties(security, "AWS::SecretsManager::Secret")
    assert secret["Name"] == f"{NAMES.prefix}/temporal-cloud"
    assert "KmsKeyId" in secret
    (trail,) = properties(security, "AWS::CloudTrail::Trail")
    assert trail["EnableLogFileValidation"] is True
    assert trail["IsMultiRegionTrail"] is True
    assert "KMSKeyId" in trail
    for topic in properties(dev.templates["events"], "AWS::SNS::Topic"):
        assert "KmsMasterKeyId" in topic
    for topic in properties(dev.templates["monitoring"], "AWS::SNS::Topic"):
        assert "KmsMasterKeyId" in topic


# -- events ------------------------------------------------------------------------------------


def test_every_event_schema_is_in_the_registry(templates: dict[str, Template]) -> None:
    template = templates["events"]
    (registry,) = properties(template, "AWS::EventSchemas::Registry")
    assert registry["RegistryName"] == f"{NAMES.prefix}-events"
    schemas = {s["SchemaName"]: s for s in properties(template, "AWS::EventSchemas::Schema")}
    assert set(schemas) == {f"{e.source}@{e.detail_type}" for e in EVENTS}
    for schema in schemas.values():
        assert schema["Type"] == "JSONSchemaDraft4"
        content = json.loads(schema["Content"])
        assert content["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert "#/$defs/" not in schema["Content"]


def test_the_archive_keeps_every_portal_event(templates: dict[str, Template], prod: Synthesized) -> None:
    (archive,) = properties(templates["events"], "AWS::Events::Archive")
    assert json.loads(json.dumps(archive["EventPattern"])) == {"source": [{"prefix": "devportal."}]}
    assert archive["RetentionDays"] == 30
    (prod_archive,) = properties(prod.templates["events"], "AWS::Events::Archive")
    assert prod_archive["RetentionDays"] == 365


# -- functions (both stacks) --------------------------------------------------------------------


def test_every_function_traces_logs_json_and_configures_powertools(dev: Synthesized) -> None:
    synthesized = all_functions(dev)
    assert set(synthesized) == {spec.function_name(NAMES) for spec in functions()}
    for spec in functions():
        function = synthesized[spec.function_name(NAMES)]
        assert function["TracingConfig"] == {"Mode": "Active"}
        assert function["LoggingConfig"]["LogFormat"] == "JSON"
        assert function["Runtime"] == "python3.11"
        assert len(function["Layers"]) == 1
        variables = function["Environment"]["Variables"]
        assert variables["POWERTOOLS_SERVICE_NAME"] == spec.name
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "DevPortal"
        assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert function["Timeout"] == spec.timeout_seconds


def test_no_function_uses_a_managed_policy(dev: Synthesized) -> None:
    for kind in ("api", "workflows"):
        for role in properties(dev.templates[kind], "AWS::IAM::Role"):
            if role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"].get("Service") == "lambda.amazonaws.com":
                assert "ManagedPolicyArns" not in role


# -- workflows ---------------------------------------------------------------------------------


def test_each_consumer_reads_its_queue_with_partial_batch_failures(templates: dict[str, Template]) -> None:
    template = templates["workflows"]
    mappings = properties(template, "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(consumers())
    for mapping in mappings:
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BatchSize"] == 10
    queue_names = {spec.name for spec in routing(NAMES).queues}
    assert len(queue_names) == len(mappings)


@pytest.mark.parametrize(
    ("worker_name", "variable", "task_queue", "timeout"),
    [
        ("registration-worker", "DEVPORTAL_REGISTRATION_TASK_QUEUE", "devportal-registration", 600),
        ("analytics-worker", "DEVPORTAL_ANALYTICS_TASK_QUEUE", "devportal-analytics", 600),
        ("test-worker", "DEVPORTAL_TESTING_TASK_QUEUE", "devportal-testing", 900),  # batches wait on targets
    ],
)
def test_each_worker_runs_as_a_versioned_serverless_worker(
    dev: Synthesized, worker_name: str, variable: str, task_queue: str, timeout: int
) -> None:
    template = dev.templates["workflows"]
    worker = all_functions(dev)[f"{NAMES.prefix}-{worker_name}"]
    variables = worker["Environment"]["Variables"]
    folder = worker_name.replace("-", "_")
    assert worker["Handler"] == f"functions.{folder}.handler.handler"  # temporal_bridge.lambda_worker
    assert worker["Timeout"] == timeout
    assert len(variables["DEVPORTAL_BUILD_ID"]) == 16
    assert "DEVPORTAL_TEMPORAL_SECRET_ARN" in variables
    assert variables[variable] == task_queue
    versions = resources(template, "AWS::Lambda::Version").values()
    assert len([v for v in versions if worker_name.replace("-", "") in v["Properties"]["FunctionName"]["Ref"]]) == 1
    # Temporal releases workers by build id (worker versioning), CodeDeploy never shifts them
    assert not [a for a in properties(template, "AWS::Lambda::Alias") if worker_name.replace("-", "") in json.dumps(a)]
    # Without Temporal Cloud's principals in context, nobody may invoke it.
    assert not [r for r in properties(template, "AWS::IAM::Role") if "sts:ExternalId" in json.dumps(r)]


def test_temporal_cloud_may_invoke_the_worker_with_the_agreed_external_id(assets: Any) -> None:
    import app as cdk_app

    app = cdk.App(
        context={
            "temporalInvokerPrincipals": ["arn:aws:iam::111122223333:role/wci-lambda-invoke"],
            "temporalExternalId": "devportal-external-id",
        }
    )
    stacks = {s.stack_name: s for s in cdk_app.build(app, assets)}
    template = Template.from_stack(stacks["devportal-dev-workflows"])
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"AWS": "arn:aws:iam::111122223333:role/wci-lambda-invoke"},
                            "Condition": {"StringEquals": {"sts:ExternalId": "devportal-external-id"}},
                        }
                    )
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [Match.object_like({"Action": ["lambda:InvokeFunction", "lambda:GetFunction"]})]
            }
        },
    )
    (invoke,) = [
        statement
        for policy in properties(template, "AWS::IAM::Policy")
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Action"] == ["lambda:InvokeFunction", "lambda:GetFunction"]
    ]
    assert len(invoke["Resource"]) == 6  # the three workers, each with the version of this build


# -- monitoring --------------------------------------------------------------------------------


def test_the_seed_alerting_rules_are_alarms(templates: dict[str, Template]) -> None:
    template = templates["monitoring"]
    alarms = properties(template, "AWS::CloudWatch::Alarm")
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for alarm in alarms:
        by_metric.setdefault(alarm.get("MetricName", "anomaly"), []).append(alarm)
    (errors,) = by_metric["5XXError"]
    assert errors["Statistic"] == "Average"
    assert errors["Threshold"] == 0.05
    (latency,) = by_metric["Latency"]
    assert latency["ExtendedStatistic"] == "p99"
    assert latency["Threshold"] == 2000
    (traffic,) = by_metric["anomaly"]
    assert traffic["ComparisonOperator"] == "LessThanLowerOrGreaterThanUpperThreshold"
    assert "ANOMALY_DETECTION_BAND" in json.dumps(traffic["Metrics"])
    dlq_alarms = by_metric["ApproximateNumberOfMessagesVisible"]
    assert len(dlq_alarms) == len(routing(NAMES).queues) + 1  # and the failed deliveries
    assert all(a["Threshold"] == 0 for a in dlq_alarms)
    (failed_executions,) = by_metric["ExecutionsFailed"]  # notifications that failed for good
    assert failed_executions["Namespace"] == "AWS/States"
    assert failed_executions["Threshold"] == 0
    assert len(by_metric["Errors"]) == len(functions())
    assert len(by_metric["Throttles"]) == len(functions())
    (throttled,) = by_metric["SignInsThrottled"]  # failed sign-ins braked: reported to ops
    assert throttled["Namespace"] == "DevPortal"
    assert throttled["Dimensions"] == [{"Name": "service", "Value": "login"}]
    assert all(alarm["AlarmActions"] for alarm in alarms)
    assert len(resources(template, "AWS::CloudWatch::Dashboard")) == 1


def test_the_dashboard_shows_what_drives_registrations(templates: dict[str, Template]) -> None:
    (dashboard,) = properties(templates["monitoring"], "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["DashboardBody"])
    for metric in ("Submissions", "Registrations", "Rejections", "RegistrationDuration"):
        assert f'\\"DevPortal\\",\\"{metric}\\"' in body, metric
    for reason in ("invalid-spec", "version-conflict", "internal-error"):
        assert reason in body


def test_the_dashboard_shows_what_drives_the_bill(templates: dict[str, Template]) -> None:
    (dashboard,) = properties(templates["monitoring"], "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["DashboardBody"])
    for metric in ("Invocations", "Duration", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits",
                   "ExecutionsStarted", "Count"):  # fmt: skip
        assert f'\\"{metric}\\"' in body, metric
    assert "Cost: DynamoDB consumed capacity per hour" in body


# -- cost --------------------------------------------------------------------------------------


def test_each_stage_has_a_budget_warning_at_80_and_100_percent_forecast(dev: Synthesized, prod: Synthesized) -> None:
    for synthesized, stage, amount in ((dev, "dev", 50), (prod, "prod", 500)):
        template = synthesized.templates["cost"]
        (budget,) = properties(template, "AWS::Budgets::Budget")
        data = budget["Budget"]
        assert data["BudgetName"] == f"devportal-{stage}-monthly"
        assert (data["BudgetType"], data["TimeUnit"]) == ("COST", "MONTHLY")
        assert data["BudgetLimit"] == {"Amount": amount, "Unit": "USD"}
        assert data["CostFilters"] == {"TagKeyValue": [f"user:deployment$devportal-{stage}"]}
        alerts = sorted(
            (n["Notification"]["NotificationType"], n["Notification"]["Threshold"])
            for n in budget["NotificationsWithSubscribers"]
        )
        assert alerts == [("ACTUAL", 100), ("FORECASTED", 80), ("FORECASTED", 100)]
        (topic_id,) = resources(template, "AWS::SNS::Topic")
        for notification in budget["NotificationsWithSubscribers"]:
            assert notification["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}]
        (topic,) = properties(template, "AWS::SNS::Topic")
        assert "KmsMasterKeyId" in topic
        (policy,) = properties(template, "AWS::SNS::TopicPolicy")
        assert "budgets.amazonaws.com" in json.dumps(policy)


def test_the_billing_alarm_watches_the_accounts_estimated_charges(dev: Synthesized) -> None:
    template = dev.templates["cost"]
    (alarm,) = properties(template, "AWS::CloudWatch::Alarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Billing", "EstimatedCharges")
    assert alarm["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
    assert alarm["Threshold"] == 50
    assert alarm["AlarmActions"]
    # made only in us-east-1, where AWS publishes the metric
    (alarm_id,) = resources(template, "AWS::CloudWatch::Alarm")
    condition = template.to_json()["Resources"][alarm_id]["Condition"]
    assert template.to_json()["Conditions"][condition] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}


def test_the_budget_amount_comes_from_context(tmp_path_factory: pytest.TempPathFactory, assets: Any) -> None:
    from tests.infra.conftest import synthesize

    synthesized = synthesize(tmp_path_factory.mktemp("cdk.out-budget"), {"stage": "dev", "budgetUsd": "75"}, assets)
    (budget,) = properties(synthesized.templates["cost"], "AWS::Budgets::Budget")
    assert budget["Budget"]["BudgetLimit"]["Amount"] == 75
    with pytest.raises(ValueError, match="budgetUsd"):
        synthesize(tmp_path_factory.mktemp("cdk.out-budget-bad"), {"stage": "dev", "budgetUsd": "lots"}, assets)


@pytest.mark.parametrize("stage", ["dev", "prod"])  # prod: with its VPC, subnets, endpoints, NAT
def test_everything_carries_the_cost_allocation_tags(stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    untagged, tagged = [], 0
    for kind, template in synthesized.templates.items():
        for logical_id, resource in template.to_json()["Resources"].items():
            tags = resource.get("Properties", {}).get("Tags")
            if not isinstance(tags, list):
                continue  # a resource type that takes no tags (or takes them as a map)
            found = {t.get("Key"): t.get("Value") for t in tags if isinstance(t, dict)}
            wanted = {"project": "devportal", "stage": stage, "deployment": f"devportal-{stage}"}
            if any(found.get(k) != v for k, v in wanted.items()):
                untagged.append(f"{kind}/{logical_id}")
            tagged += 1
    assert untagged == []
    assert tagged > 100  # functions, roles, queues, topics, tables, keys... every stack's


def test_tunable_settings_are_parameters_with_their_defaults(templates: dict[str, Template]) -> None:
    parameters = {p["Name"]: p["Value"] for p in properties(templates["database"], "AWS::SSM::Parameter")}
    assert parameters == {f"{NAMES.parameters_path}/{name}": value for name, value in tunable_defaults().items()}


def test_functions_that_tune_read_their_settings_path(dev: Synthesized) -> None:
    for spec in functions():
        variables = all_functions(dev)[spec.function_name(NAMES)]["Environment"]["Variables"]
        assert (variables.get("DEVPORTAL_PARAMETERS_PATH") == NAMES.parameters_path) == ("parameters" in spec.access)
    assert {s.name for s in functions() if "parameters" in s.access} == {
        "submit-spec", "registration-worker", "rotate-api-key", "aggregate-usage", "record-usage",
        "get-api-analytics", "analytics-worker", "get-api-health", "set-api-health-thresholds",
        "get-team-analytics", "create-upload", "submit-upload",
    }  # fmt: skip


# -- pipeline ----------------------------------------------------------------------------------


def test_the_pipeline_tests_deploys_staging_checks_it_and_waits_for_approval(pipeline: Synthesized) -> None:
    (definition,) = properties(pipeline.templates["pipeline"], "AWS::CodePipeline::Pipeline")
    stages = [stage["Name"] for stage in definition["Stages"]]
    assert stages[:3] == ["Source", "Build", "UpdatePipeline"]
    assert stages.index("staging") < stages.index("prod")
    staging = definition["Stages"][stages.index("staging")]["Actions"]
    prod = definition["Stages"][stages.index("prod")]["Actions"]
    assert any(a["Name"] == "EndToEnd" for a in staging)
    approvals = [a for a in prod if a["ActionTypeId"]["Category"] == "Approval"]
    assert len(approvals) == 1
    assert approvals[0]["RunOrder"] < min(a["RunOrder"] for a in prod if a["ActionTypeId"]["Category"] == "Deploy")
    projects = json.dumps(properties(pipeline.templates["pipeline"], "AWS::CodeBuild::Project"))
    assert "make test" in projects
    assert "make test-deployed" in projects
    assert "make ui" in projects  # the build each stage's web stack ships
    for stage in ("staging", "prod"):  # and each stage deploys it
        assert any(
            a["Name"].startswith(f"devportal-{stage}-web") for a in definition["Stages"][stages.index(stage)]["Actions"]
        )


def test_the_pipeline_context_is_checked() -> None:
    from stacks.pipeline_stack import PipelineSettings

    class Node:
        def try_get_context(self, key: str) -> Any:
            return {"repository": "no-slash", "connectionArn": "arn:aws:s3:::bucket"}.get(key)

    with pytest.raises(ValueError, match=r"repository.*connectionArn"):
        PipelineSettings.from_context(Node())


@pytest.mark.parametrize(
    ("principals", "external_id", "complaint"),
    [
        (["arn:aws:iam::111122223333:role/wci-lambda-invoke"], None, "temporalExternalId"),
        (None, "devportal-external-id", "temporalInvokerPrincipals"),
        (["arn:aws:iam::111122223333:role/x"], "abc", "5 to 45"),
        ("arn:aws:iam::111122223333:role/x", "devportal-external-id", "list"),
    ],
)
def test_temporal_invoker_context_is_checked(principals: Any, external_id: Any, complaint: str) -> None:
    from stacks.workflows_stack import TemporalInvoker

    with pytest.raises(ValueError, match=complaint):
        TemporalInvoker.from_context(principals, external_id)
    assert TemporalInvoker.from_context(None, None) is None


def test_every_pipeline_build_runs_on_the_tested_python_and_node(pipeline: Synthesized) -> None:
    projects = properties(pipeline.templates["pipeline"], "AWS::CodeBuild::Project")
    ours = [p for p in projects if "make " in p["Source"]["BuildSpec"]]
    assert len(ours) == 4  # synth (make test), the staging end-to-end step, a branch's deploy and destroy
    for project in ours:
        spec = json.loads(project["Source"]["BuildSpec"])
        assert spec["phases"]["install"]["runtime-versions"] == {"python": "3.11", "nodejs": "20"}
        assert spec["phases"]["install"]["commands"] == ["make install"]


# -- web -------------------------------------------------------------------------------------

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed policies, by id
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _distribution(template: Template) -> dict[str, Any]:
    (distribution,) = properties(template, "AWS::CloudFront::Distribution")
    return dict(distribution["DistributionConfig"])


def _behaviors(template: Template) -> dict[str, dict[str, Any]]:
    config = _distribution(template)
    return {"default": config["DefaultCacheBehavior"]} | {b["PathPattern"]: b for b in config["CacheBehaviors"]}


def _served_headers(template: Template, behavior: dict[str, Any]) -> dict[str, str]:
    """The headers a behavior's response headers policy puts on every answer (each overriding the origin's)."""
    policy = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")[behavior["ResponseHeadersPolicyId"]["Ref"]]
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    security, headers = config["SecurityHeadersConfig"], {}
    assert all(setting["Override"] for setting in security.values())
    if csp := security.get("ContentSecurityPolicy"):
        headers["Content-Security-Policy"] = csp["ContentSecurityPolicy"]
    if hsts := security.get("StrictTransportSecurity"):
        headers["Strict-Transport-Security"] = f"max-age={hsts['AccessControlMaxAgeSec']}" + (
            "; includeSubDomains" if hsts["IncludeSubdomains"] else ""
        )
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if frame := security.get("FrameOptions"):
        headers["X-Frame-Options"] = frame["FrameOption"]
    if referrer := security.get("ReferrerPolicy"):
        headers["Referrer-Policy"] = referrer["ReferrerPolicy"]
    for custom in config.get("CustomHeadersConfig", {}).get("Items", []):
        assert custom["Override"]
        headers[custom["Header"]] = custom["Value"]
    return headers


def test_the_built_ui_is_a_private_bucket_only_its_distribution_reads(dev: Synthesized) -> None:
    template = dev.templates["web"]
    site = next(k for k in resources(template, "AWS::S3::Bucket") if k.startswith("Site"))
    bucket = resources(template, "AWS::S3::Bucket")[site]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert "WebsiteConfiguration" not in bucket
    (origin_access,) = properties(template, "AWS::CloudFront::OriginAccessControl")
    assert origin_access["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    (policy,) = [p for p in properties(template, "AWS::S3::BucketPolicy") if p["Bucket"] == {"Ref": site}]
    readers = [
        s
        for s in policy["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert sorted(s["Action"] for s in readers) == ["s3:GetObject", "s3:ListBucket"]  # a missing file: 404, not 403
    for statement in readers:  # this distribution only
        assert "Distribution" in json.dumps(statement["Condition"]["StringEquals"]["AWS:SourceArn"])
    # the build goes in from the CDK asset of ui/out, and the distribution is invalidated after it
    (deployment,) = properties(template, "Custom::CDKBucketDeployment")
    assert (deployment["Prune"], deployment["DistributionPaths"]) == (True, ["/*"])
    config = _distribution(template)
    assert config["Logging"]["Prefix"] == "cdn/"
    assert config["HttpVersion"] == "http2and3"
    assert "PortalUrl" in template.to_json()["Outputs"]


def test_pages_follow_the_local_gateways_rules_and_the_api_shares_the_origin(dev: Synthesized) -> None:
    from contracts.web import UI_BUILD
    from stacks.web_stack import api_function_code, pages_function_code

    template = dev.templates["web"]
    behaviors = _behaviors(template)
    assert set(behaviors) == {"default", "/_next/static/*", "/api/*"}
    functions_by_id = {k: r["Properties"] for k, r in resources(template, "AWS::CloudFront::Function").items()}

    def code(association: dict[str, Any]) -> str:
        return str(functions_by_id[association["FunctionARN"]["Fn::GetAtt"][0]]["FunctionCode"])

    pages = behaviors["default"]
    assert [a["EventType"] for a in pages["FunctionAssociations"]] == ["viewer-request", "viewer-response"]
    assert {code(a) for a in pages["FunctionAssociations"]} == {pages_function_code(UI_BUILD)}
    assert all(f["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0" for f in functions_by_id.values())
    # plain HTTP refused everywhere, not redirected
    assert {b["ViewerProtocolPolicy"] for b in behaviors.values()} == {"https-only"}
    assert pages["CachePolicyId"] == CACHING_OPTIMIZED
    # /api/* goes to the stage's REST API: its stage in front, nothing cached, every header but Host
    api = behaviors["/api/*"]
    assert len(api["AllowedMethods"]) == 7
    assert (api["CachePolicyId"], api["OriginRequestPolicyId"]) == (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST_HEADER)
    (association,) = api["FunctionAssociations"]
    assert (association["EventType"], code(association)) == ("viewer-request", api_function_code())
    (origin,) = [o for o in _distribution(template)["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert ".execute-api." in json.dumps(origin["DomainName"])
    assert origin["OriginPath"] == "/v1"
    assert origin["CustomOriginConfig"] == {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}


def test_the_portal_is_served_with_the_same_security_headers_as_locally(dev: Synthesized) -> None:
    from contracts.web import UI_BUILD, cache_control, inline_script_hashes, pages, security_headers

    template = dev.templates["web"]
    behaviors = _behaviors(template)
    every_page = _served_headers(template, behaviors["default"])
    hashes = {h for _, page in pages(UI_BUILD) for h in inline_script_hashes(page.read_text("utf-8"))}
    assert hashes, "the build has inline scripts to allow"
    csp = every_page["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src "))
    assert set(script_src.split()[2:]) == hashes  # exactly the build's own inline scripts
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert " http:" not in csp  # plain http is for a local portal's try-it console only
    expected = security_headers(tuple(sorted(hashes)), local=False)
    assert every_page == expected | {"Cache-Control": cache_control("index.html")}
    static = _served_headers(template, behaviors["/_next/static/*"])
    assert static == expected | {"Cache-Control": "public, max-age=31536000, immutable"}
    # the API's answers keep their own headers; HTTPS-only and nosniff are added where missing
    assert _served_headers(template, behaviors["/api/*"]) == {
        key: expected[key] for key in ("Strict-Transport-Security", "X-Content-Type-Options")
    }


@pytest.mark.parametrize("certificate", ["zone", "imported"])
def test_the_portal_domain_takes_tls_1_2_or_newer(certificate: str, assets: Any) -> None:
    import app as cdk_app

    imported = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-123456789012"
    for stage, name in (("prod", "portal.example.com"), ("staging", "staging.portal.example.com")):
        context = {"stage": stage, "portalDomain": "portal.example.com"}
        context |= (
            {"hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com"}
            if certificate == "zone"
            else {"portalCertificateArn": imported}
        )
        stacks = {s.stack_name: s for s in cdk_app.build(cdk.App(context=context), assets)}
        template = Template.from_stack(stacks[f"devportal-{stage}-web"])
        config = _distribution(template)
        assert config["Aliases"] == [name]
        viewer = config["ViewerCertificate"]
        assert (viewer["MinimumProtocolVersion"], viewer["SslSupportMethod"]) == ("TLSv1.2_2025", "sni-only")
        edge = Template.from_stack(stacks[f"devportal-{stage}-edge"])
        records = properties(template, "AWS::Route53::RecordSet")
        if certificate == "zone":  # made in us-east-1 by the edge stack, read back from its parameter
            (made,) = properties(edge, "AWS::CertificateManager::Certificate")
            assert (made["DomainName"], made["ValidationMethod"]) == (name, "DNS")
            assert "PortalCertificateArn" in json.dumps(viewer["AcmCertificateArn"])
            assert sorted((r["Name"], r["Type"]) for r in records) == [(name + ".", "A"), (name + ".", "AAAA")]
        else:
            assert not properties(edge, "AWS::CertificateManager::Certificate")
            assert viewer["AcmCertificateArn"] == imported
            assert not records  # DNS is the owner's
        url = template.to_json()["Outputs"]["PortalUrl"]["Value"]
        assert url == f"https://{name}/"


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"portalDomain": "portal.example.com"}, 'give either "portalCertificateArn"'),
        (
            {
                "portalDomain": "portal.example.com",
                "portalCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/ab-12",
            },
            "in us-east-1",
        ),
        ({"portalDomain": "portal.example.com", "hostedZoneId": "Z1", "hostedZoneName": "other.org"}, "give either"),
        ({"portalCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/ab-12"}, 'needs "portalDomain"'),
        ({"hostedZoneId": "Z1", "hostedZoneName": "example.com"}, 'needs "apiDomain" or "portalDomain"'),
    ],
)
def test_a_bad_portal_domain_context_stops_the_synth_naming_the_key(context: dict[str, Any], message: str) -> None:
    import app as cdk_app

    with pytest.raises(ValueError, match=message):
        cdk_app.StageSettings.from_context(cdk.App(context=context).node, "prod")


def test_the_web_stack_refuses_to_ship_without_a_build(tmp_path: Any) -> None:
    from stacks.web_stack import UiNotBuilt, build_script_hashes

    with pytest.raises(UiNotBuilt, match="make ui"):
        build_script_hashes(tmp_path)


def test_the_notify_state_machine_is_inlined_logged_traced_and_calls_only_its_tasks(
    templates: dict[str, Template],
) -> None:
    template = templates["workflows"]
    (machine,) = properties(template, "AWS::StepFunctions::StateMachine")
    assert machine["StateMachineName"] == "devportal-dev-notify"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False  # no payloads in logs
    substitutions = machine["DefinitionSubstitutions"]
    assert set(substitutions) == {
        "RenderNotificationFunction",
        "SendWebhookFunction",
        "FinishDeliveryFunction",
        "FailedDeliveriesQueueUrl",
        "MailConfigurationSet",
    }
    definition = json.loads(machine["DefinitionString"])
    retry = definition["States"]["SendWebhook"]["Retry"][0]
    assert (retry["BackoffRate"], retry["MaxDelaySeconds"], retry["JitterStrategy"]) == (2.0, 900, "FULL")
    statements = [
        statement
        for policy in properties(template, "AWS::IAM::Policy")
        if any("StateMachinenotifyRole" in json.dumps(role) for role in policy["Roles"])
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    named = {
        (action if isinstance(action, str) else tuple(action)): statement["Resource"]
        for statement in statements
        for action in [statement["Action"]]
        if statement["Resource"] != "*"
    }
    assert set(named) == {"lambda:InvokeFunction", "ses:SendEmail", "sqs:SendMessage"}
    assert len(named["lambda:InvokeFunction"]) == 3
    (identity,) = properties(template, "AWS::SES::EmailIdentity")
    assert identity["EmailIdentity"] == "devportal.example.com"
    (configuration,) = properties(template, "AWS::SES::ConfigurationSet")
    assert configuration["Name"] == "devportal-dev-mail"
    assert configuration["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
