"""The Step Functions state machines of state_machines/, as both worlds build them: the definition
read from `<name>.asl.json`, its `${Placeholders}` filled in (the CDK stack through CloudFormation's
definition substitutions, the local runtime directly), and the functions its Task states invoke.

A Task's function is named by the placeholder `${<Folder in CamelCase>Function}` (for
functions/send_webhook, `${SendWebhookFunction}`); the other placeholders are resources."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devportal.names import ResourceNames
from functions.catalog import STATE_MACHINES_DIR, tasks
from functions.declaration import Function

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


def files(directory: Path = STATE_MACHINES_DIR) -> list[Path]:
    return sorted(directory.glob("*.asl.json"))


def name_of(path: Path) -> str:
    return path.name.removesuffix(".asl.json")


def placeholder(function: Function) -> str:
    return "".join(part.title() for part in function.folder.split("_")) + "Function"


def placeholders(definition: str) -> set[str]:
    return set(_PLACEHOLDER.findall(definition))


def substitutions(
    state_machine: str,
    names: ResourceNames,
    function_arn: Callable[[Function], str],
    failed_deliveries_queue_url: str,
) -> dict[str, str]:
    """Every placeholder of `state_machine` and its value in one deployment."""
    values = {placeholder(function): function_arn(function) for function in tasks(state_machine)}
    values["FailedDeliveriesQueueUrl"] = failed_deliveries_queue_url
    values["MailConfigurationSet"] = names.mail_configuration_set
    return values


def filled(definition: str, values: Mapping[str, str]) -> str:
    """`definition` with each `${Name}` replaced, as CloudFormation does; an unknown one is an error."""
    missing = placeholders(definition) - set(values)
    if missing:
        raise KeyError(f"no value for {', '.join(sorted(missing))}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], definition)


def with_quick_retries(definition: dict[str, Any], *, interval: int, cap: int, attempts: int) -> dict[str, Any]:
    """The same machine with its long backoffs shortened (the local runtime, so that a failing
    receiver is dead-lettered within seconds on a laptop rather than half an hour): every Retry
    whose interval is longer than `interval` waits `interval`, doubling up to `cap`, `attempts`
    times at most. What is retried, and the jitter, stay as they are."""
    quick = copy.deepcopy(definition)
    for state in quick["States"].values():
        for retry in state.get("Retry", ()):
            if retry.get("IntervalSeconds", 1) > interval:
                retry.update(
                    IntervalSeconds=interval,
                    MaxDelaySeconds=cap,
                    MaxAttempts=min(attempts, retry.get("MaxAttempts", 3)),
                )
    return quick


def definition(path: Path) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return parsed
