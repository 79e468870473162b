"""The Temporal workers as AWS Lambda functions (Temporal serverless workers): `handler` for the
registration task queue, `analytics_handler` for the analytics one, `testing_handler` for contract tests.

Temporal Cloud invokes a function when its task queue has work; each invocation
connects with the credentials from Secrets Manager, polls until shortly before the Lambda
deadline, then drains and stops (`temporalio.contrib.aws.lambda_worker`). Same workflow and
activities as the local `devportal worker` process.

The build id is the content hash of the packaged code (DEVPORTAL_BUILD_ID, set by the stack), so
every deployed code change is a new Worker Deployment Version. Workflows auto-upgrade: a
registration lasts seconds (an hourly health sweep or a daily report minutes), and the next build picks up whatever
is in flight."""

from __future__ import annotations

import os

from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.contrib.aws.lambda_worker import LambdaWorkerConfig, run_worker
from temporalio.worker import WorkerDeploymentConfig

from devportal import wiring
from devportal.adapters.temporal import connect_config
from temporal_bridge.worker import analytics_worker_config, registration_worker_config, testing_worker_config

DEPLOYMENT_NAME = "devportal-registration"
ANALYTICS_DEPLOYMENT_NAME = "devportal-analytics"
TESTING_DEPLOYMENT_NAME = "devportal-testing"


def deployment_version(name: str = DEPLOYMENT_NAME) -> WorkerDeploymentVersion:
    return WorkerDeploymentVersion(deployment_name=name, build_id=os.environ["DEVPORTAL_BUILD_ID"])


def _deployment(config: LambdaWorkerConfig, name: str) -> None:
    config.worker_config["deployment_config"] = WorkerDeploymentConfig(
        version=deployment_version(name),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


def configure(config: LambdaWorkerConfig) -> None:
    root = wiring.portal()
    config.client_connect_config.update(connect_config(root.temporal_overrides))
    config.worker_config.update(registration_worker_config(root.registrar))
    config.worker_config["task_queue"] = root.registration_task_queue
    root.spec_sandbox.warm()  # during the cold start, not in the first registration's validation
    _deployment(config, DEPLOYMENT_NAME)


def configure_analytics(config: LambdaWorkerConfig) -> None:
    root = wiring.portal()
    config.client_connect_config.update(connect_config(root.temporal_overrides))
    config.worker_config.update(
        analytics_worker_config(root.check_health, root.health_store, root.daily_reports, root.digests)
    )
    config.worker_config["task_queue"] = root.analytics_task_queue
    _deployment(config, ANALYTICS_DEPLOYMENT_NAME)


def configure_testing(config: LambdaWorkerConfig) -> None:
    root = wiring.portal()
    config.client_connect_config.update(connect_config(root.temporal_overrides))
    config.worker_config.update(testing_worker_config(root.contract_tests, root.request_test_run))
    config.worker_config["task_queue"] = root.testing_task_queue
    _deployment(config, TESTING_DEPLOYMENT_NAME)


handler = run_worker(deployment_version(), configure)
analytics_handler = run_worker(deployment_version(ANALYTICS_DEPLOYMENT_NAME), configure_analytics)
testing_handler = run_worker(deployment_version(TESTING_DEPLOYMENT_NAME), configure_testing)
