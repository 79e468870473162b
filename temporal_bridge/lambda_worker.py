"""The registration worker as an AWS Lambda function (a Temporal serverless worker).

Temporal Cloud invokes the function when the registration task queue has work; each invocation
connects with the credentials from Secrets Manager, polls until shortly before the Lambda
deadline, then drains and stops (`temporalio.contrib.aws.lambda_worker`). Same workflow and
activities as the local `devportal worker` process.

The build id is the content hash of the packaged code (DEVPORTAL_BUILD_ID, set by the stack), so
every deployed code change is a new Worker Deployment Version. Workflows auto-upgrade: a
registration lasts seconds, and the next build picks up whatever is in flight."""

from __future__ import annotations

import os

from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.contrib.aws.lambda_worker import LambdaWorkerConfig, run_worker
from temporalio.worker import WorkerDeploymentConfig

from devportal import wiring
from devportal.adapters.temporal import connect_config
from temporal_bridge.worker import registration_worker_config

DEPLOYMENT_NAME = "devportal-registration"


def deployment_version() -> WorkerDeploymentVersion:
    return WorkerDeploymentVersion(deployment_name=DEPLOYMENT_NAME, build_id=os.environ["DEVPORTAL_BUILD_ID"])


def configure(config: LambdaWorkerConfig) -> None:
    root = wiring.portal()
    config.client_connect_config.update(connect_config(root.temporal_overrides))
    config.worker_config.update(registration_worker_config(root.registrar))
    config.worker_config["task_queue"] = root.registration_task_queue
    config.worker_config["deployment_config"] = WorkerDeploymentConfig(
        version=deployment_version(),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


handler = run_worker(deployment_version(), configure)
