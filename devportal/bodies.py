"""JSON request bodies read with pydantic: JSON's integers as JSON Schema has them, and a 400 that
names each member at fault by its JSON pointer."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError

from devportal.errors import FieldError, InvalidParameter
from events.envelope import WireModel


class JsonBody(WireModel):
    """A JSON request body's model: members by their camelCase names, nothing unknown, and no
    coercion - "true" is not true, "16" is not 16 (16.0 is, see JsonInteger)."""

    model_config = WireModel.model_config | {"strict": True}


def _json_integer(value: Any) -> Any:
    """JSON's integers: 16 and 16.0 alike (JSON Schema's `integer`), never "16" or true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInteger = Annotated[int, BeforeValidator(_json_integer)]


def invalid_body(what: str, error: ValidationError) -> InvalidParameter:
    """A 400 saying what is wrong with each member, in one sentence and per JSON pointer."""
    problems = field_errors(error)
    said = "; ".join(f"{problem.pointer}: {problem.detail}" for problem in problems)
    return InvalidParameter(f"{what} are not valid: {said}.", problems)


def field_errors(error: ValidationError) -> list[FieldError]:
    """Each of a body's problems with the JSON pointer of its member."""
    found = []
    for problem in error.errors():
        pointer = "".join(f"/{part}" for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        found.append(FieldError(detail=message, pointer=pointer or "/"))
    return found
