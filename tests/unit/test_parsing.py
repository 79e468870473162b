"""Untrusted bytes -> a JSON-compatible document, or a refusal that names what is wrong."""

from __future__ import annotations

import json
import time

import pytest

from devportal.errors import EmptySpec, SpecTooLarge, UnparseableSpec, UnsafeSpec
from devportal.settings import SpecLimits
from devportal.specs.parsing import document_sha256, media_type_format, parse_spec, to_json

LIMITS = SpecLimits()


def test_json_and_yaml_give_the_same_document() -> None:
    # Given the same spec in both syntaxes
    as_json = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}'
    as_yaml = b"openapi: 3.0.3\ninfo:\n  title: T\n  version: '1'\npaths: {}\n"
    # Then both parse to the same document, with their format; the document's identity is the same
    # (a version is its document), while the bytes, stored as sent, hash apart
    parsed_json, parsed_yaml = parse_spec(as_json, LIMITS), parse_spec(as_yaml, LIMITS)
    assert parsed_json.document == parsed_yaml.document
    assert (parsed_json.format, parsed_yaml.format) == ("json", "yaml")
    assert parsed_json.sha256 == parsed_yaml.sha256
    assert parsed_json.bytes_sha256 != parsed_yaml.bytes_sha256
    assert len(parsed_json.sha256) == 64


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_body_is_refused(body: bytes) -> None:
    with pytest.raises(EmptySpec):
        parse_spec(body, LIMITS)


def test_size_cap_is_checked_before_parsing() -> None:
    limits = SpecLimits(max_spec_bytes=1000)
    with pytest.raises(SpecTooLarge, match="1,001 bytes; the limit is 1,000"):
        parse_spec(b"{" + b" " * 999 + b"}", limits)  # would parse, but is one byte over


def test_not_utf8_is_refused_with_the_offset() -> None:
    with pytest.raises(UnparseableSpec, match="offset 9"):
        parse_spec(b"openapi: \xff\xfe", LIMITS)


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(UnparseableSpec) as caught:
        parse_spec(b'{\n  "openapi": "3.0.3",\n  "info": }', LIMITS, "json")
    (error,) = caught.value.errors
    assert (error.line, error.column) == (3, 11)


def test_yaml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(UnparseableSpec) as caught:
        parse_spec(b"openapi: 3.0.3\ninfo:\n  title: [unclosed\n", LIMITS)
    assert caught.value.errors[0].line is not None
    assert "Invalid YAML at line" in caught.value.detail


def test_yaml_anchors_and_aliases_are_refused_with_their_position() -> None:
    body = b"openapi: 3.0.3\ninfo: &i {title: T, version: '1'}\ncopy: *i\n"
    with pytest.raises(UnsafeSpec) as caught:
        parse_spec(body, LIMITS)
    (error,) = caught.value.errors
    assert error.detail == "YAML anchor 'i'"
    assert (error.line, error.column) == (2, 7)


def test_alias_bomb_is_refused_at_once() -> None:
    # Given the "billion laughs": 9 levels of 9 aliases, a few hundred bytes
    lines = ["a0: &a0 [lol]"] + [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    body = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    with pytest.raises(UnsafeSpec):
        parse_spec(body, LIMITS)
    assert time.perf_counter() - started < 1.0  # refused before anything expands


def test_asterisks_and_ampersands_in_text_are_fine() -> None:
    body = b"openapi: 3.0.3\ninfo:\n  title: 'AT&T *bold*'\n  version: '1'\n  description: a & b * c\npaths: {}\n"
    assert parse_spec(body, LIMITS).document["info"]["title"] == "AT&T *bold*"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_nesting_beyond_the_limit_is_refused_with_a_pointer(fmt: str) -> None:
    limits = SpecLimits(max_spec_depth=10)
    document: dict[str, object] = {"openapi": "3.0.3"}
    node = document
    for _ in range(12):
        child: dict[str, object] = {}
        node["x"] = child
        node = child
    body = json.dumps(document).encode()
    with pytest.raises(UnsafeSpec) as caught:
        parse_spec(body, limits, fmt)  # type: ignore[arg-type]  # JSON is YAML too
    assert caught.value.errors[0].pointer == "/x" * 10


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_pathological_nesting_fails_cleanly(fmt: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises((UnsafeSpec, UnparseableSpec)):
        parse_spec(body, LIMITS, fmt)  # type: ignore[arg-type]


def test_root_must_be_a_mapping() -> None:
    with pytest.raises(UnparseableSpec, match="not an array") as caught:
        parse_spec(b"- a\n- b\n", LIMITS)
    assert caught.value.errors[0].pointer == ""


def test_yaml_keys_become_strings_and_dates_stay_text() -> None:
    body = (
        b"openapi: 3.0.3\ninfo: {title: T, version: 2024-01-31}\n"
        b"paths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n"
    )
    document = parse_spec(body, LIMITS).document
    assert document["info"]["version"] == "2024-01-31"
    assert list(document["paths"]["/a"]["get"]["responses"]) == ["200"]


def test_duplicate_key_after_normalization_is_refused() -> None:
    body = b"responses:\n  200: {description: a}\n  '200': {description: b}\n"
    with pytest.raises(UnparseableSpec, match="duplicate key") as caught:
        parse_spec(body, LIMITS)
    assert caught.value.errors[0].pointer == "/responses/200"


@pytest.mark.parametrize(
    ("yaml_value", "detail"),
    [(b"!!binary aGVsbG8=", "bytes"), (b".nan", "non-finite"), (b"!!set {a, b}", "set")],
)
def test_values_json_cannot_carry_are_refused_with_a_pointer(yaml_value: bytes, detail: str) -> None:
    body = b"openapi: 3.0.3\ninfo:\n  x-value: " + yaml_value + b"\n"
    with pytest.raises(UnparseableSpec, match=detail) as caught:
        parse_spec(body, LIMITS)
    assert caught.value.errors[0].pointer == "/info/x-value"


def test_unsafe_yaml_tags_are_refused() -> None:
    with pytest.raises(UnparseableSpec):
        parse_spec(b"x: !!python/object/apply:os.system ['true']\n", LIMITS)


def test_byte_order_mark_is_accepted() -> None:
    assert parse_spec(b'\xef\xbb\xbf{"a": 1}', LIMITS).document == {"a": 1}


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("application/json", "json"),
        ("application/json; charset=utf-8", "json"),
        ("application/yaml", "yaml"),
        ("application/vnd.oai.openapi", "yaml"),
        ("application/vnd.oai.openapi+json", "json"),
        ("Application/YAML; charset=utf-8", "yaml"),
    ],
)
def test_media_types(media_type: str | None, expected: str | None) -> None:
    assert media_type_format(media_type) == expected


@pytest.mark.parametrize(
    ("media_type", "essence"),
    [("image/png", "image/png"), ("text/plain", "text/plain"), ("application/x-yaml", "application/x-yaml"),
     (None, ""), ("", "")],
)  # fmt: skip
def test_media_types_that_cannot_carry_a_spec(media_type: str | None, essence: str) -> None:
    """Exactly the contract's four: nothing is sniffed, a missing Content-Type included."""
    with pytest.raises(ValueError, match=f"^{essence}$"):
        media_type_format(media_type)


def test_integers_beyond_64_bits_are_kept_exactly_and_hash_the_same_in_both_syntaxes() -> None:
    as_yaml = b"openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-big: 42413672457784486785810325045248\n"
    as_json = b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "x-big": 42413672457784486785810325045248}'
    parsed = parse_spec(as_yaml, LIMITS)
    assert parsed.document["x-big"] == 42413672457784486785810325045248
    assert to_json(parsed.document) == (
        b'{"openapi":"3.0.3","info":{"title":"T","version":"1"},"x-big":42413672457784486785810325045248}'
    )
    assert parse_spec(as_yaml, LIMITS).sha256 == document_sha256(parsed.document)
    assert len(parse_spec(as_json, LIMITS).sha256) == 64  # JSON reads it as a float: a different document
