"""What a document says about itself, and the ids derived from it."""

from __future__ import annotations

import pytest

from devportal.errors import InvalidParameter, InvalidSpecField, NotOpenApi
from devportal.specs.openapi import check_api_id, check_version, derive_api_id, identify, iter_operations
from tests.support.specs import minimal, petstore


@pytest.mark.parametrize(
    ("declared", "dialect"),
    [
        ({"openapi": "3.0.3"}, "3.0"),
        ({"openapi": "3.1.0"}, "3.1"),
        ({"openapi": "3.2.0"}, "3.2"),
        ({"swagger": "2.0"}, "2.0"),
    ],
)
def test_dialects(declared: dict[str, str], dialect: str) -> None:
    document = {**declared, "info": {"title": "T", "version": "1"}}
    assert identify(document).dialect == dialect


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"info": {"title": "T", "version": "1"}}, "/openapi"),
        ({"openapi": "4.0.0", "info": {"title": "T", "version": "1"}}, "/openapi"),
        ({"openapi": 3.1, "info": {"title": "T", "version": "1"}}, "/openapi"),
        ({"swagger": "1.2", "info": {"title": "T", "version": "1"}}, "/swagger"),
    ],
)
def test_not_openapi_names_the_field(document: dict[str, object], pointer: str) -> None:
    with pytest.raises(NotOpenApi) as caught:
        identify(document)
    assert caught.value.errors[0].pointer == pointer


@pytest.mark.parametrize(
    ("info", "pointer"),
    [
        (None, "/info"),
        ({"title": 5, "version": "1"}, "/info/title"),
        ({"title": "T", "version": 1.0}, "/info/version"),
        ({"title": "T", "version": "  "}, "/info/version"),
    ],
)
def test_info_problems_name_the_field(info: object, pointer: str) -> None:
    document: dict[str, object] = {"openapi": "3.0.3"}
    if info is not None:
        document["info"] = info
    with pytest.raises(InvalidSpecField) as caught:
        identify(document)
    assert caught.value.errors[0].pointer == pointer


@pytest.mark.parametrize(
    ("title", "api_id"),
    [
        ("Payments API (v2)", "payments-api-v2"),
        ("  Ünïcödé  Service ", "unicode-service"),
        ("!!!", ""),
        ("x" * 100, "x" * 63),
    ],
)
def test_api_id_from_title(title: str, api_id: str) -> None:
    assert derive_api_id(title) == api_id


@pytest.mark.parametrize("bad", ["", "-lead", "trail-", "UPPER", "a_b", "a" * 64])
def test_api_id_check_names_the_parameter(bad: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        check_api_id(bad)
    assert caught.value.errors[0].parameter == "apiId"


@pytest.mark.parametrize(
    ("version", "ok"),
    [("1.0.0", True), ("2024-01-31", True), ("v2+build.7", True), ("2.0 (v2)", False), ("../etc", False), ("", False)],
)
def test_version_check(version: str, ok: bool) -> None:
    if ok:
        assert check_version(version) == version
    else:
        with pytest.raises(InvalidParameter):
            check_version(version)


def test_operations_in_document_order() -> None:
    operations = list(iter_operations(petstore()))
    assert [(o.method, o.path, o.operation_id) for o in operations] == [
        ("get", "/pets", "listPets"),
        ("post", "/pets", "createPet"),
        ("get", "/pets/{petId}", "showPetById"),
        ("delete", "/pets/{petId}", "deletePet"),
    ]
    assert operations[-1].deprecated


def test_operations_tolerate_malformed_paths() -> None:
    document = minimal(paths={"/a": "not an object", "/b": {"get": ["nope"], "post": {}}})
    assert [(o.method, o.path) for o in iter_operations(document)] == [("post", "/b")]
