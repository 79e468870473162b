"""Replay: every recorded workflow history (tests/fixtures/histories, recorded by
tests/support/record_histories.py) runs through the Temporal Replayer against today's workflow
code. A change that would break a registration already running - a new activity, a reordered
step, a changed timer - makes the replay nondeterministic and fails here, before it reaches a
worker. The Replayer runs in-process; nothing here touches the network."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from devportal.registry.register import Submitted
from temporal_bridge.activities import RegistrationActivities
from temporal_bridge.digests import NotificationDigestWorkflow
from temporal_bridge.health import ApiHealthWorkflow
from temporal_bridge.reports import ApiAnalyticsWorkflow
from temporal_bridge.testing import ScheduledTestRunWorkflow, TestOrchestrationWorkflow
from temporal_bridge.workflows import ApiRegistrationWorkflow, RegistrationResult

HISTORIES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"
RECORDED = sorted(HISTORIES.glob("registration-*.json"))
OUTCOMES = {"registered", "rejected", "conflict", "internal-error"}


def history(path: Path) -> WorkflowHistory:
    text = path.read_text(encoding="utf-8")
    workflow_id = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]["workflowId"]
    return WorkflowHistory.from_json(workflow_id, text)


def test_every_outcome_has_a_recorded_history() -> None:
    assert {p.stem.removeprefix("registration-") for p in RECORDED} == OUTCOMES


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
async def test_a_recorded_registration_replays_on_todays_code(path: Path) -> None:
    replayer = Replayer(workflows=[ApiRegistrationWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history(path))
    assert result.replay_failure is None


async def test_a_recorded_health_sweep_replays_on_todays_code() -> None:
    replayer = Replayer(workflows=[ApiHealthWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history(HISTORIES / "health-sweep.json"))
    assert result.replay_failure is None


async def test_a_recorded_daily_report_replays_on_todays_code() -> None:
    replayer = Replayer(workflows=[ApiAnalyticsWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history(HISTORIES / "daily-report.json"))
    assert result.replay_failure is None


async def test_a_recorded_notification_digest_replays_on_todays_code() -> None:
    replayer = Replayer(workflows=[NotificationDigestWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history(HISTORIES / "notification-digest.json"))
    assert result.replay_failure is None


@pytest.mark.parametrize(
    ("name", "workflow_class"),
    [
        ("test-run", TestOrchestrationWorkflow),
        ("test-run-cancelled", TestOrchestrationWorkflow),
        ("scheduled-test-run", ScheduledTestRunWorkflow),
    ],
)
async def test_a_recorded_contract_test_run_replays_on_todays_code(name: str, workflow_class: type) -> None:
    replayer = Replayer(workflows=[workflow_class], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history(HISTORIES / f"{name}.json"))
    assert result.replay_failure is None


@workflow.defn(name="ApiRegistrationWorkflow", sandboxed=False)
class ReorderedRegistration(ApiRegistrationWorkflow):
    """Today's workflow with one careless change: a step added before validation."""

    @workflow.run
    async def run(self, submitted: Submitted) -> RegistrationResult:
        await workflow.sleep(timedelta(seconds=1))
        await workflow.execute_activity_method(
            RegistrationActivities.mark_registering, submitted, start_to_close_timeout=timedelta(seconds=30)
        )
        return RegistrationResult("registered", submitted.api_id, submitted.version)


async def test_a_change_that_breaks_running_workflows_fails_the_replay() -> None:
    replayer = Replayer(workflows=[ReorderedRegistration], data_converter=pydantic_data_converter)
    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(history(HISTORIES / "registration-registered.json"))
