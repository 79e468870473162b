"""Every function of the portal, found where it is declared: one `functions/<folder>/` each, with
`handler.py` and `function.py` (see functions.declaration).

A folder with a handler and no declaration, or a declaration and no handler, is an error, raised
here with what to do about it; so is a contract operation served by no function or by two, or a
function whose trigger names what does not exist. `check()` makes every one of those checks; the
local runtime runs it before it starts, a unit test on every `make test`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from contracts import GatewayRoute, gateway_routes
from events.catalog import EVENTS
from functions.declaration import Function, Queue, Route, StateMachineTask

FUNCTIONS_DIR = Path(__file__).resolve().parent
STATE_MACHINES_DIR = FUNCTIONS_DIR.parent / "state_machines"
HANDLER_FILE = "handler.py"
DECLARATION_FILE = "function.py"


class CatalogError(RuntimeError):
    """The functions on disk and their declarations (or the contract) disagree."""


def discover(root: Path = FUNCTIONS_DIR, package: str = "functions") -> tuple[Function, ...]:
    """Every declared function under `root` (the package `package`), in folder order."""
    found: list[Function] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        handler, declaration = (folder / HANDLER_FILE).is_file(), (folder / DECLARATION_FILE).is_file()
        where = f"{root.name}/{folder.name}"
        if handler and not declaration:
            raise CatalogError(
                f"{where}/{HANDLER_FILE} has no {DECLARATION_FILE} beside it: declare what triggers the "
                f"function and what it may touch (FUNCTION = Function(...), see functions/declaration.py)"
            )
        if declaration and not handler:
            raise CatalogError(f"{where}/{DECLARATION_FILE} declares a function, but there is no {HANDLER_FILE}")
        if not declaration:
            continue
        declared = getattr(importlib.import_module(f"{package}.{folder.name}.function"), "FUNCTION", None)
        if not isinstance(declared, Function):
            raise CatalogError(f"{where}/{DECLARATION_FILE} must define FUNCTION = Function(...)")
        found.append(replace(declared, folder=folder.name))
    return tuple(found)


@cache
def functions() -> tuple[Function, ...]:
    return discover()


def function(name: str) -> Function:
    for each in functions():
        if each.name == name:
            return each
    raise KeyError(name)


def routes() -> tuple[Function, ...]:
    return tuple(f for f in functions() if f.kind == "route")


def consumers() -> tuple[Function, ...]:
    return tuple(f for f in functions() if f.kind == "consumer")


def workers() -> tuple[Function, ...]:
    return tuple(f for f in functions() if f.kind == "worker")


def tasks(state_machine: str | None = None) -> tuple[Function, ...]:
    """The functions state machines invoke as Task states (of one state machine, if named)."""
    return tuple(
        f
        for f in functions()
        if isinstance(f.trigger, StateMachineTask) and state_machine in (None, f.trigger.state_machine)
    )


def route_function(route: GatewayRoute) -> Function:
    """The function serving one operation of the contract."""
    for each in routes():
        assert isinstance(each.trigger, Route)
        if each.trigger.operation_id == route.operation_id:
            return each
    raise CatalogError(f"no function serves {route.method} {route.path} ({route.operation_id})")


def _state_machine_exists(name: str) -> bool:
    return (STATE_MACHINES_DIR / f"{name}.asl.json").is_file()


def check(declared: Iterable[Function] | None = None, contract: Iterable[GatewayRoute] | None = None) -> None:
    """Every operation served by exactly one function, every trigger naming something real."""
    declared = tuple(functions() if declared is None else declared)
    operations = {route.operation_id: route for route in (gateway_routes() if contract is None else contract)}
    served: dict[str, list[str]] = {}
    known_events = {definition.detail_type for definition in EVENTS}
    problems: list[str] = []
    for each in declared:
        trigger = each.trigger
        if isinstance(trigger, Route):
            served.setdefault(trigger.operation_id, []).append(each.folder)
            if trigger.operation_id not in operations:
                problems.append(f"functions/{each.folder} serves {trigger.operation_id!r}, which the contract lacks")
        elif isinstance(trigger, Queue):
            problems += [
                f"functions/{each.folder} consumes {detail_type}, which the event catalog lacks"
                for detail_type in trigger.detail_types
                if detail_type not in known_events
            ]
        elif isinstance(trigger, StateMachineTask) and not _state_machine_exists(trigger.state_machine):
            problems.append(
                f"functions/{each.folder} is a task of state_machines/{trigger.state_machine}.asl.json, "
                "which does not exist"
            )
    for operation_id, route in operations.items():
        folders = served.get(operation_id, [])
        if len(folders) != 1:
            which = ", ".join(f"functions/{f}" for f in folders) or "no function"
            problems.append(f"{route.method} {route.path} ({operation_id}) is served by {which}; it needs exactly one")
    if problems:
        raise CatalogError("; ".join(problems))
