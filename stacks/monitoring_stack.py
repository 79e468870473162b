"""Alarms and a dashboard: the seed's alerting rules on the gateway (error rate > 5 %, latency >
2 s, unusual traffic), every dead-letter queue's depth, every function's errors and throttles. All
alarms notify one encrypted SNS topic; `-c alarmEmail=...` subscribes an address to it. The
dashboard's last row shows what drives the bill (budget and billing alarm: stacks.cost_stack)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from devportal.names import ResourceNames
from events.registry import RejectReason

ERROR_RATE_THRESHOLD = 0.05  # 5 % of requests answered 5xx
LATENCY_THRESHOLD_MS = 2000  # p99 over 2 s
TRAFFIC_BAND_STDDEV = 3  # request count outside 3 standard deviations of the learned band
PERIOD = Duration.minutes(5)


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        names: ResourceNames,
        key: kms.IKey,
        api: apigateway.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        alarm_email: str | None = None,
        state_machines: Mapping[str, sfn.IStateMachine] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.topic = sns.Topic(self, "Alarms", topic_name=f"{names.prefix}-alarms", master_key=key, enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []

        requests = api.metric_count(period=PERIOD, statistic="Sum")
        error_rate = api.metric_server_error(period=PERIOD, statistic="Average")  # share of 5xx per request
        latency = api.metric_latency(period=PERIOD, statistic="p99")
        self._alarm(
            "ApiErrorRate",
            error_rate,
            threshold=ERROR_RATE_THRESHOLD,
            description="More than 5 % of gateway requests answered 5xx (seed: high error rate)",
        )
        self._alarm(
            "ApiLatency",
            latency,
            threshold=LATENCY_THRESHOLD_MS,
            evaluation_periods=3,
            description="p99 gateway latency above 2 s for 15 minutes (seed: slow responses)",
        )
        traffic = cloudwatch.AnomalyDetectionAlarm(
            self,
            "ApiUnusualTraffic",
            alarm_name=f"{names.prefix}-api-unusual-traffic",
            alarm_description="Gateway request count outside its learned band (seed: unusual traffic)",
            metric=requests,
            std_devs=TRAFFIC_BAND_STDDEV,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        traffic.add_alarm_action(actions.SnsAction(self.topic))
        self._alarm(
            "SignInsThrottled",
            cloudwatch.Metric(
                namespace="DevPortal",
                metric_name="SignInsThrottled",
                dimensions_map={"service": "login"},
                period=PERIOD,
                statistic="Sum",
            ),
            threshold=0,
            description="An account hit the failed sign-in limit and is refused for its window (possible attack)",
        )
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"Dlq-{name.removeprefix(names.prefix + '-')}",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"),
                threshold=0,
                description=f"{name} holds messages: inspect with `devportal dlq list`, redrive when fixed",
            )
        for name, machine in (state_machines or {}).items():
            # notify: an execution that fails has used every retry (or was refused): its delivery
            # failed for good, its event waits in the failed-deliveries queue
            self._alarm(
                f"ExecutionsFailed-{name}",
                machine.metric_failed(period=PERIOD, statistic="Sum"),
                threshold=0,
                description=f"{names.prefix}-{name} executions failed: deliveries that failed for good "
                "(see each subscription's deliveries; redrive the failed-deliveries queue when fixed)",
            )
        for name, function in functions.items():
            self._alarm(
                f"Errors-{name}",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=0,
                description=f"{names.prefix}-{name} raised errors",
            )
            self._alarm(
                f"Throttles-{name}",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=0,
                description=f"{names.prefix}-{name} was throttled",
            )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"{names.prefix}-overview")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Gateway requests", left=[requests], width=8),
            cloudwatch.GraphWidget(title="Gateway 5xx share", left=[error_rate], width=8),
            cloudwatch.GraphWidget(title="Gateway p99 latency (ms)", left=[latency], width=8),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[f.metric_errors(period=PERIOD, label=n) for n, f in functions.items()],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function p99 duration",
                left=[f.metric_duration(period=PERIOD, statistic="p99", label=n) for n, f in functions.items()],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Dead letters",
                left=[q.metric_approximate_number_of_messages_visible(label=n) for n, q in dead_letter_queues.items()],
                width=12,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=[*self.alarms, traffic], width=12),
        )
        self.dashboard.add_widgets(*registry_widgets())
        self.dashboard.add_widgets(*cost_widgets(names, functions, state_machines or {}, api))

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self.stack_name}-{construct_id}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm


def cost_widgets(
    names: ResourceNames,
    functions: Mapping[str, lambda_.IFunction],
    state_machines: Mapping[str, sfn.IStateMachine],
    api: apigateway.RestApi,
) -> list[cloudwatch.IWidget]:
    """What drives the bill, per hour: invocations and the time they run (Lambda bills
    GB-seconds), the table's consumed capacity (on demand: billed per request unit), gateway
    requests and state machine executions (billed per state transition)."""
    hour = Duration.hours(1)

    def table_metric(metric: str, label: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/DynamoDB",
            metric_name=metric,
            dimensions_map={"TableName": names.table},
            period=hour,
            statistic="Sum",
            label=label,
        )

    executions = [
        m.metric_started(period=hour, statistic="Sum", label=f"{n} executions") for n, m in state_machines.items()
    ]
    return [
        cloudwatch.GraphWidget(
            title="Cost: function invocations per hour",
            left=[f.metric_invocations(period=hour, statistic="Sum", label=n) for n, f in functions.items()],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title="Cost: function run time per hour (ms, summed)",
            left=[f.metric_duration(period=hour, statistic="Sum", label=n) for n, f in functions.items()],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title="Cost: DynamoDB consumed capacity per hour",
            left=[
                table_metric("ConsumedReadCapacityUnits", "read units"),
                table_metric("ConsumedWriteCapacityUnits", "write units"),
            ],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title="Cost: gateway requests and executions per hour",
            left=[api.metric_count(period=hour, statistic="Sum", label="gateway requests"), *executions],
            width=6,
        ),
    ]


# The domain metrics the functions and activities emit (EMF, namespace DevPortal), by name and
# dimensions: what the dashboard's registry row shows.
REJECT_REASONS: tuple[str, ...] = get_args(RejectReason)


def domain_metric(name: str, statistic: str = "Sum", label: str | None = None, **dimensions: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="DevPortal",
        metric_name=name,
        dimensions_map=dimensions,
        period=PERIOD,
        statistic=statistic,
        label=label or name,
    )


def registry_widgets() -> list[cloudwatch.IWidget]:
    return [
        cloudwatch.GraphWidget(
            title="Submissions and registrations",
            left=[
                domain_metric("Submissions", label="accepted", service="submit-spec", outcome="accepted"),
                domain_metric("Registrations", service="registration"),
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Rejections by reason",
            left=[
                domain_metric("Rejections", label=reason, service="registration", reason=reason)
                for reason in REJECT_REASONS
            ],
            width=8,
        ),
        cloudwatch.GraphWidget(
            title="Registration duration (ms)",
            left=[
                domain_metric("RegistrationDuration", statistic=stat, label=stat, service="registration")
                for stat in ("p50", "p99")
            ],
            width=8,
        ),
    ]
