"""The documentation page: every operation, its parameters, schemas and examples; nothing unsafe."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from devportal.docs.render import render_document
from devportal.specs.openapi import identify
from tests.support.specs import large, minimal, petstore


def render(document: dict[str, Any]) -> str:
    return render_document(document, identify(document))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_every_operation_with_its_parameters_schemas_and_examples() -> None:
    page = render(petstore())
    for operation_id in ("listPets", "createPet", "showPetById", "deletePet"):
        assert f"operationId: {operation_id}" in page
    assert "<b>limit</b>" not in page
    assert "<code>limit</code>" in page
    assert "<code>petId</code> <span class=req>required</span>" in page  # path-level parameter, inherited
    assert 'href="#schema-NewPet"' in page
    assert 'id="schema-Pet"' in page
    assert "&quot;name&quot;: &quot;Rex&quot;" in page  # the spec's own example
    assert "Example (generated from the schema)" in page  # and a generated one where it has none
    assert "Deprecated" in page


def test_generated_examples_follow_refs_and_formats() -> None:
    page = render(petstore())
    # Pet = allOf(NewPet, {id, status}) -> one merged object
    pet_section = page[page.index('id="schema-Pet"') :]
    assert "&quot;id&quot;: 0" in pet_section[:3000]
    assert "&quot;status&quot;: &quot;available&quot;" in pet_section[:3000]


def test_text_from_the_spec_is_escaped() -> None:
    document = minimal(title="<script>alert(1)</script>")
    document["info"]["description"] = '<img src=x onerror="alert(2)">'
    document["paths"]["/ping"]["get"]["summary"] = "</section><script>alert(3)</script>"
    page = render(document)
    collector = _Collector()
    collector.feed(page)
    assert not any(tag in {"script", "img", "iframe"} for tag, _ in collector.tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_page_is_self_contained() -> None:
    collector = _Collector()
    collector.feed(render(petstore()))
    for tag, attrs in collector.tags:
        assert "src" not in attrs, tag
        href = attrs.get("href") or ""
        assert href.startswith("#") or not href, href
        assert tag != "link"


def test_recursive_schemas_and_big_specs_stay_bounded() -> None:
    document = large(300)  # every schema refers to the next, the last to the first
    page = render(document)
    assert len(re.findall(r"operationId: getThing\d+", page)) == 300
    assert len(page) < 3_000_000


def test_swagger_2_bodies_and_responses() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "Old", "version": "1"},
        "host": "api.example.com",
        "basePath": "/v1",
        "paths": {
            "/items": {
                "post": {
                    "operationId": "createItem",
                    "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Item"}}],
                    "responses": {"201": {"description": "made", "schema": {"$ref": "#/definitions/Item"}}},
                }
            }
        },
        "definitions": {"Item": {"type": "object", "properties": {"sku": {"type": "string"}}}},
    }
    page = render(document)
    assert "operationId: createItem" in page
    assert "api.example.com/v1" in page
    assert 'href="#schema-Item"' in page
    assert "&quot;sku&quot;: &quot;string&quot;" in page
