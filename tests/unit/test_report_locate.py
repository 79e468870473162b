"""Where findings are in the file: JSON located by its tokens agrees with libyaml's reading of the
same text (JSON is YAML), for members, array elements, escaped names and missing members."""

from __future__ import annotations

import json

import pytest

from devportal.specs.report import _json_located, _yaml_located
from devportal.specs.validation import Finding

pytestmark = pytest.mark.unit

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": 'T "quoted" \\ title', "version": "1"},
    "paths": {
        "/a/{id}": {"get": {"tags": ["x", "y"], "parameters": [{"name": "id", "in": "path"}, {"$ref": "#/p"}]}},
        "~weird/name": {"post": {"responses": {"200": {"description": "ok"}}}},
    },
    "list": [1, "two", {"three": 3}, [4]],
}
POINTERS = [
    "", "/info", "/info/title", "/paths/~1a~1{id}/get", "/paths/~1a~1{id}/get/tags/1",
    "/paths/~1a~1{id}/get/parameters/1/$ref", "/paths/~0weird~1name/post/responses/200",
    "/list/1", "/list/2/three", "/list/3", "/info/missing", "/nowhere/at/all", "/paths/~1a~1{id}/get/tags/9",
]  # fmt: skip


@pytest.mark.parametrize("indent", [2, None])
def test_json_located_by_tokens_is_where_libyaml_puts_it(indent: int | None) -> None:
    text = json.dumps(DOCUMENT, indent=indent)
    findings = [Finding(pointer, "m", "r") for pointer in POINTERS]
    by_tokens = {item.finding.pointer: (item.line, item.column) for item in _json_located(text, findings)}
    by_yaml = {item.finding.pointer: (item.line, item.column) for item in _yaml_located(text, findings)}
    for pointer in POINTERS:
        # the same line; libyaml marks a member's value, the scan its key - on one line here
        assert by_tokens[pointer][0] == by_yaml[pointer][0], pointer
    assert by_tokens["/paths/~1a~1{id}/get/tags/1"] == by_yaml["/paths/~1a~1{id}/get/tags/1"]
    assert by_tokens["/nowhere/at/all"] == (1, 1)  # nothing of it exists: the document
