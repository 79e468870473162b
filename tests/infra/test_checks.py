"""The offline checks on what the app synthesizes: cdk-nag AwsSolutions, cfn-lint, asl-validator,
and the Lambda packages themselves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

import app as cdk_app
from devportal.names import ResourceNames
from functions.catalog import consumers, functions
from functions.declaration import RESOURCE_SETTINGS, Resource
from stacks.functions import Binding
from stacks.nag import (
    ACKNOWLEDGEMENTS,
    BRANCH_STAGE_WILDCARDS,
    CODEBUILD_WILDCARDS_REASON,
    CREDENTIALS_REASON,
    LIBRARY_WILDCARDS_REASON,
    LISTING_STACKS_REASON,
    NON_PRODUCTION_ACKNOWLEDGEMENTS,
    OBJECT_KEYS_REASON,
    PORTAL_DEFAULT_CERTIFICATE_REASON,
    PORTAL_GEOGRAPHY_REASON,
    PORTAL_NO_WAF_REASON,
    REPLICATION_BUCKET_REASON,
    SDK_CALL_PROVIDER_REASON,
    UI_DEPLOYER_FINDINGS,
    UI_DEPLOYER_REASON,
    WEBHOOK_SECRETS_REASON,
)
from stacks.packaging import CODE_PACKAGES, LambdaAssets
from stacks.workflows_stack import WorkflowsStack, state_machine_files
from tests.infra.conftest import Synthesized

ROOT = Path(__file__).resolve().parents[2]
ASL_VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# W3005: DependsOn that CDK writes alongside an implicit reference (FACTS: noise from CDK).
# E3703: CDK Pipelines writes its deploy actions' bootstrap role ARNs with Fn::Join; CloudFormation
# accepts both spellings, cfn-lint prefers Fn::Sub. Only library-generated pipeline actions do this.
CFN_LINT_IGNORED = "W3005,E3703"


def report(synthesized: Synthesized) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((synthesized.outdir / "validation-report.json").read_text())
    return loaded


def suppressed(synthesized: Synthesized) -> list[dict[str, Any]]:
    (nag,) = [p for p in report(synthesized)["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    return list(nag.get("suppressedViolations", []))


@pytest.mark.parametrize("fixture", ["dev", "prod", "pipeline"])
def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(fixture: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(fixture)  # synth raises ValidationFailed otherwise
    (nag,) = [p for p in report(synthesized)["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    counts = Counter(v["ruleName"].split("[")[0] for v in nag["suppressedViolations"])
    print(f"\ncdk-nag {fixture}: 0 open; acknowledged by rule: {dict(sorted(counts.items()))}")


def test_every_acknowledgement_gives_its_reason(dev: Synthesized, pipeline: Synthesized) -> None:
    known = {a.reason for a in ACKNOWLEDGEMENTS + NON_PRODUCTION_ACKNOWLEDGEMENTS}
    known |= {OBJECT_KEYS_REASON, CREDENTIALS_REASON, WEBHOOK_SECRETS_REASON, LIBRARY_WILDCARDS_REASON}
    known |= {UI_DEPLOYER_REASON, PORTAL_GEOGRAPHY_REASON, PORTAL_DEFAULT_CERTIFICATE_REASON, PORTAL_NO_WAF_REASON}
    known |= {SDK_CALL_PROVIDER_REASON, CODEBUILD_WILDCARDS_REASON, REPLICATION_BUCKET_REASON}
    known |= {LISTING_STACKS_REASON}
    known |= {reason for _, reason in BRANCH_STAGE_WILDCARDS}
    known |= {reason for _, reason in UI_DEPLOYER_FINDINGS}
    assert all(len(reason) > 80 for reason in known)
    for violation in suppressed(dev) + suppressed(pipeline):
        assert violation["reason"] in known, violation["ruleName"]


def test_prod_acknowledges_nothing_about_mfa(prod: Synthesized) -> None:
    assert not [v for v in suppressed(prod) if v["ruleName"].startswith("AwsSolutions-COG2")]


def test_an_unacknowledged_finding_fails_the_synth(tmp_path: Path, assets: LambdaAssets) -> None:
    app = cdk.App(context={"stage": "dev"}, outdir=str(tmp_path))
    stacks = cdk_app.build(app, assets)
    s3.Bucket(stacks[0], "Careless")  # no TLS-only policy, no access logs
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def templates_of(synthesized: Synthesized) -> list[Path]:
    return sorted(synthesized.outdir.glob("*.template.json")) + sorted(
        synthesized.outdir.glob("assembly-*/*.template.json")
    )


@pytest.mark.parametrize("fixture", ["dev", "prod", "pipeline"])
def test_cfn_lint_is_clean(fixture: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(fixture)
    paths = templates_of(synthesized)
    assert len(paths) >= 7
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", CFN_LINT_IGNORED, "--", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def asl_validate(path: Path) -> subprocess.CompletedProcess[str]:
    assert ASL_VALIDATOR.exists(), "run `make install` (npm ci installs asl-validator)"
    return subprocess.run(
        [str(ASL_VALIDATOR), "--json-definition", path.read_text(encoding="utf-8")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_state_machine_is_valid_asl() -> None:
    invalid = {}
    for path in state_machine_files():
        result = asl_validate(path)
        if result.returncode != 0:
            invalid[path.name] = result.stdout + result.stderr
    assert invalid == {}


def test_asl_validator_catches_a_broken_definition() -> None:
    good, broken = asl_validate(FIXTURES / "retry.asl.json"), asl_validate(FIXTURES / "dangling-next.asl.json")
    assert good.returncode == 0, good.stdout + good.stderr
    assert broken.returncode != 0
    assert "Missing" in broken.stdout + broken.stderr or "Next" in broken.stdout + broken.stderr


def test_state_machines_are_inlined_for_the_linters(assets: LambdaAssets) -> None:
    app = cdk.App()
    names = ResourceNames("devportal-test")
    support = cdk.Stack(app, "support")
    queues: dict[str, sqs.IQueue] = {names.queue(c.name): sqs.Queue(support, c.name) for c in consumers()}
    bindings = {
        r: Binding(tuple(f"{s}-value" for s in RESOURCE_SETTINGS[r]), (f"arn:aws:s3:::{r}/*",))
        for r in get_args(Resource)
    }
    stack = WorkflowsStack(
        app,
        "workflows",
        names=names,
        assets=assets,
        production=False,
        bindings=bindings,
        queues=queues,
        invoker=None,
        state_machines=[FIXTURES / "retry.asl.json"],
        state_machine_substitutions={"TargetQueueUrl": "https://sqs/target", "DeadLetterQueueUrl": "https://sqs/dlq"},
    )
    (machine,) = Template.from_stack(stack).find_resources("AWS::StepFunctions::StateMachine").values()
    definition = machine["Properties"]["DefinitionString"]
    assert isinstance(definition, str)  # inline JSON, not an S3 location
    assert json.loads(definition)["StartAt"] == "Deliver"
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


# -- the packages Lambda runs ------------------------------------------------------------------------


def test_the_code_asset_holds_our_packages_only(assets: LambdaAssets) -> None:
    top = {p.name for p in assets.code.iterdir()}
    assert top == {*CODE_PACKAGES, "BUILD_ID"}
    assert not list(assets.code.rglob("__pycache__"))
    assert (assets.code / "contracts" / "gateway.openapi.yaml").is_file()


def test_the_layer_is_built_for_lambda_not_for_this_machine(assets: LambdaAssets) -> None:
    site = assets.layer / "python"
    (core,) = site.glob("pydantic_core/_pydantic_core*.so")
    assert "cpython-311-x86_64-linux-gnu" in core.name
    wheel = (next(site.glob("pydantic_core-*.dist-info")) / "WHEEL").read_text()
    assert "manylinux" in wheel
    size_mb = sum(p.stat().st_size for p in assets.layer.rglob("*") if p.is_file()) / 1024 / 1024
    assert size_mb < 250  # Lambda's unzipped limit for function plus layers


def test_every_handler_imports_from_the_packaged_assets_alone(assets: LambdaAssets, tmp_path: Path) -> None:
    """What Lambda will do: a clean interpreter with only the code folder and the layer on the path."""
    handlers = sorted({spec.lambda_handler for spec in functions()})
    script = (
        "import importlib, sys\n"
        "for target in sys.argv[1:]:\n"
        "    module, _, attribute = target.rpartition('.')\n"
        "    assert callable(getattr(importlib.import_module(module), attribute)), target\n"
        "    assert importlib.import_module(module).__file__.startswith(sys.path[0]), module\n"
        "print('ok', len(sys.argv) - 1)\n"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DEVPORTAL_BUILD_ID": assets.build_id,
        "DEVPORTAL_REGISTRATION_TASK_QUEUE": "devportal-registration",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "HOME": str(tmp_path),
    }
    prelude = f"import sys; sys.path[:0] = {[str(assets.code), str(assets.layer / 'python')]!r}\n"
    result = subprocess.run(
        # -I: no PYTHON* variables, no user site; -S: not even this virtualenv's site-packages;
        # -B: no .pyc written into the asset folders (they would change what gets deployed)
        [sys.executable, "-I", "-S", "-B", "-c", prelude + script, *handlers],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"ok {len(handlers)}"
