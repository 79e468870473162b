"""What a stage costs, watched: a monthly AWS Budget over the stage's resources (those tagged
deployment=devportal-<stage>, as every stack tags all it makes beside project and stage; activate
the three as cost allocation tags in the Billing console) that warns at 80 % and 100 % of its
amount forecast and at 100 % spent, and a CloudWatch billing alarm on the account's estimated
charges. Both tell an encrypted SNS topic of this stack (`-c alarmEmail=...` subscribes an
address).

AWS publishes `EstimatedCharges` in us-east-1 only, and an alarm acts on a topic of its own
region: the billing alarm is made where the stage is deployed in us-east-1 (a CloudFormation
condition); elsewhere the budget's alerts are the cost guard. (A stack of its own pinned to
us-east-1 would make the delivery pipeline cross-region, which it is not set up for.)"""

from __future__ import annotations

from aws_cdk import Aws, CfnCondition, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from devportal.names import ResourceNames
from stacks.security_stack import let_services_use

BILLING_REGION = "us-east-1"  # where AWS/Billing metrics are published
# What a stage may cost a month (USD) unless `-c budgetUsd=...` says otherwise.
DEFAULT_BUDGET_USD = {"dev": 50, "staging": 100, "prod": 500, "branch": 25}
FORECAST_ALERTS = (80, 100)  # percent of the budget, forecast for the month
# The services that publish to the topic: its key lets them encrypt what they publish.
PUBLISHERS = ("budgets.amazonaws.com", "cloudwatch.amazonaws.com")


class CostStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        budget_usd: float,
        production: bool,
        alarm_email: str | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        if not budget_usd > 0:  # NaN too
            raise ValueError(f'context "budgetUsd" must be a positive amount of US dollars, got {budget_usd!r}')
        self.budget_usd = budget_usd
        key = kms.Key(
            self,
            "Key",
            alias=f"alias/{names.prefix}-costs",
            description="devportal: the cost alerts topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
            pending_window=Duration.days(30 if production else 7),
        )
        let_services_use(key, PUBLISHERS, self.account)
        self.topic = sns.Topic(
            self, "CostAlerts", topic_name=f"{names.prefix}-cost-alerts", master_key=key, enforce_ssl=True
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowBudgets",
                principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))

        def alert(kind: str, percent: int) -> budgets.CfnBudget.NotificationWithSubscribersProperty:
            return budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=[
                    budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=self.topic.topic_arn)
                ],
            )

        self.budget = budgets.CfnBudget(
            self,
            "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=f"{names.prefix}-monthly",
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=budget_usd, unit="USD"),
                # the stage's own resources: the cost allocation tag every stack puts on them
                cost_filters={"TagKeyValue": [f"user:deployment${names.prefix}"]},
            ),
            notifications_with_subscribers=[
                *(alert("FORECASTED", percent) for percent in FORECAST_ALERTS),
                alert("ACTUAL", 100),
            ],
        )
        self.billing_alarm = cloudwatch.Alarm(
            self,
            "EstimatedCharges",
            alarm_name=f"{names.prefix}-estimated-charges",
            alarm_description=(
                f"The account's estimated charges this month passed {budget_usd:g} USD (the whole account, every "
                f"stage included; the budget {names.prefix}-monthly counts this stage alone)"
            ),
            metric=cloudwatch.Metric(
                namespace="AWS/Billing",
                metric_name="EstimatedCharges",
                dimensions_map={"Currency": "USD"},
                statistic="Maximum",
                period=Duration.hours(6),
            ),
            threshold=budget_usd,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.billing_alarm.add_alarm_action(actions.SnsAction(self.topic))
        in_billing_region = CfnCondition(
            self, "InBillingRegion", expression=Fn.condition_equals(Aws.REGION, BILLING_REGION)
        )
        billing = self.billing_alarm.node.default_child
        assert isinstance(billing, cloudwatch.CfnAlarm)
        billing.cfn_options.condition = in_billing_region
