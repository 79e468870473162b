"""One self-contained HTML page per API version.

No scripts, no external resources: the page is served with a CSP of `default-src 'none'` and
every string from the spec is escaped. Schemas are rendered once under "Schemas" and linked from
operations, so recursive schemas and specs the size of GitHub's stay bounded; inline schemas are
rendered in place up to a depth limit. Examples come from the spec when it has them, otherwise
they are generated from the schema and labelled as such.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import orjson

from devportal.docs.examples import ExampleSynthesizer
from devportal.specs.openapi import Operation, SpecIdentity, as_list, as_mapping, iter_operations

MAX_INLINE_DEPTH = 6
MAX_EXAMPLE_CHARS = 4000

_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--accent:#0969da}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--fg);
margin:0;display:grid;grid-template-columns:minmax(220px,300px) 1fr;min-height:100vh}
nav{background:var(--bg);border-right:1px solid var(--line);padding:16px;position:sticky;top:0;
height:100vh;overflow:auto;font-size:13px}nav a{display:block;color:var(--fg);text-decoration:none;
padding:2px 0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}nav h3{margin:14px 0 4px;
font-size:12px;text-transform:uppercase;color:var(--muted)}main{padding:24px 40px;max-width:1100px}
h1{margin:0 0 4px}.meta{color:var(--muted)}section.op{border:1px solid var(--line);border-radius:8px;
margin:18px 0;padding:14px 18px}section.op h2{font-size:17px;margin:0;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:62px;text-align:center;border-radius:4px;color:#fff;font:600 12px/20px
ui-monospace,monospace;margin-right:8px;text-transform:uppercase}.get{background:#1a7f37}.post{background:#0969da}
.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}.head,.options,.trace{background:#59636e}
.opid{color:var(--muted);font:13px ui-monospace,monospace}.dep{color:#cf222e;font-weight:600}
.lifecycle{padding:10px 14px;border-radius:6px;font-weight:600;background:#fff8c5;color:#6a4a00}
.lifecycle.retired{background:#ffebe9;color:#82071e}.lifecycle.draft{background:#ddf4ff;color:#0a3069}
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:14px}th,td{border-bottom:1px solid var(--line);
text-align:left;padding:4px 8px;vertical-align:top}code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:var(--bg);padding:10px;border-radius:6px;overflow:auto;max-height:420px}
.schema{font:13px/1.6 ui-monospace,monospace;margin:4px 0 4px 0}.schema ul{list-style:none;margin:0;
padding-left:18px;border-left:1px dotted var(--line)}.req{color:#cf222e}.t{color:#8250df}.d{color:var(--muted);
font-family:system-ui,sans-serif}.desc{white-space:pre-wrap}h4{margin:12px 0 4px;font-size:14px}
.gen{font-size:12px;color:var(--muted)}a{color:var(--accent)}
"""


def render_document(document: dict[str, Any], identity: SpecIdentity, lint: Mapping[str, Any] | None = None) -> str:
    """The page; with `lint` (a stored lint report), what lint found is shown under the servers."""
    return _Renderer(document, identity, lint).page()


_BANNER = re.compile(r"<!--lifecycle-->.*?<!--/lifecycle-->", re.DOTALL)


def with_lifecycle(page: str, status: str, sunset: date | None) -> str:
    """The page marked with its version's lifecycle status (no mark while active): what a reader
    must know before relying on it, at the top of the page. Applied again, it replaces its mark."""
    page = _BANNER.sub("", page)
    words = {
        "draft": "Draft: this version is not offered yet; it may still change before its team makes it active.",
        "deprecated": "Deprecated: this version goes away"
        + (f" on {sunset.isoformat()}" if sunset else "")
        + ". Move to a newer version before then.",
        "retired": "Retired: this version is no longer offered; this page is kept for reference.",
    }.get(status)
    if words is None:
        return page
    banner = f'<!--lifecycle--><p class="lifecycle {_e(status)}" role="note">{_e(words)}</p><!--/lifecycle-->'
    return page.replace("<main>", "<main>" + banner, 1)


MAX_LINT_SHOWN = 200
_LINT_COUNTS = (("errors", "error(s)"), ("warnings", "warning(s)"), ("infos", "info"), ("hints", "hint(s)"))


class _Renderer:
    def __init__(self, document: dict[str, Any], identity: SpecIdentity, lint: Mapping[str, Any] | None) -> None:
        self.doc = document
        self.identity = identity
        self.lint = lint
        self.swagger = identity.dialect == "2.0"
        self.schema_root = "#/definitions/" if self.swagger else "#/components/schemas/"
        components = document.get("components")
        self.schemas: dict[str, Any] = as_mapping(
            document.get("definitions") if self.swagger else as_mapping(components).get("schemas")
        )
        self.operations = list(iter_operations(document))
        self.examples = ExampleSynthesizer(document)
        self._deref = self.examples.deref

    def page(self) -> str:
        info = as_mapping(self.doc.get("info"))
        title = f"{self.identity.title} {self.identity.version}"
        parts = [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            '<meta name=viewport content="width=device-width,initial-scale=1">',
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
            self._nav(),
            "<main>",
            f"<h1>{_e(self.identity.title)}</h1>",
            f"<p class=meta>Version <b>{_e(self.identity.version)}</b> · OpenAPI "
            f"{_e(self.identity.openapi_version)} · {len(self.operations)} operations</p>",
        ]
        if isinstance(info.get("description"), str):
            parts.append(f"<p class=desc>{_e(info['description'])}</p>")
        parts.append(self._servers())
        parts.append(self._lint())
        parts.extend(self._operation(op) for op in self.operations)
        if self.schemas:
            parts.append("<h2 id=schemas>Schemas</h2>")
            for name, schema in self.schemas.items():
                parts.append(
                    f'<section class=op id="{_e(_schema_anchor(name))}"><h2>{_e(name)}</h2>'
                    f"{self._schema_block(schema)}{self._example_block(schema, None)}</section>"
                )
        parts.append("</main></body></html>")
        return "".join(parts)

    def _nav(self) -> str:
        groups: dict[str, list[Operation]] = {}
        for op in self.operations:
            groups.setdefault(op.tags[0] if op.tags else "Operations", []).append(op)
        items = ["<nav>"]
        for tag, ops in groups.items():
            items.append(f"<h3>{_e(tag)}</h3>")
            items.extend(
                f'<a href="#{_e(op.anchor)}"><span class="m {op.method}">{op.method}</span>{_e(op.path)}</a>'
                for op in ops
            )
        if self.schemas:
            items.append('<h3><a href="#schemas">Schemas</a></h3>')
        items.append("</nav>")
        return "".join(items)

    def _servers(self) -> str:
        if self.swagger:
            host = self.doc.get("host")
            if not isinstance(host, str):
                return ""
            base = self.doc.get("basePath") if isinstance(self.doc.get("basePath"), str) else ""
            return f"<p>Base URL: <code>{_e(host + str(base))}</code></p>"
        servers = [s for s in as_list(self.doc.get("servers")) if isinstance(s, dict) and "url" in s]
        if not servers:
            return ""
        rows = "".join(
            f"<tr><td><code>{_e(str(s['url']))}</code></td><td>{_e(str(s.get('description', '')))}</td></tr>"
            for s in servers
        )
        return f"<h4>Servers</h4><table>{rows}</table>"

    def _lint(self) -> str:
        if self.lint is None:
            return ""
        said = [f"{self.lint.get(key, 0)} {label}" for key, label in _LINT_COUNTS if self.lint.get(key)]
        summary = ", ".join(said) if said else "no findings"
        team = self.lint.get("team")
        whose = (
            f"the ruleset of team {_e(str(team))}" if self.lint.get("rulesetUpdatedAt") else "the recommended ruleset"
        )
        findings = as_list(self.lint.get("findings"))[:MAX_LINT_SHOWN]
        rows = "".join(
            f"<tr><td>{_e(str(f.get('severity')))}</td><td><code>{_e(str(f.get('rule')))}</code></td>"
            f"<td>{_e(str(f.get('message')))}<br><code>{_e(str(f.get('pointer') or '/'))}</code></td></tr>"
            for f in findings
            if isinstance(f, dict)
        )
        shown = f"<details><summary>What lint found</summary><table>{rows}</table></details>" if rows else ""
        return f"<h4 id=lint>Lint</h4><p class=meta>Linted with {whose}: {_e(summary)}.</p>{shown}"

    def _operation(self, op: Operation) -> str:
        item = as_mapping(as_mapping(self.doc.get("paths")).get(op.path))
        raw = as_mapping(item.get(op.method))
        out = [f'<section class=op id="{_e(op.anchor)}">']
        out.append(f'<h2><span class="m {op.method}">{op.method}</span>{_e(op.path)}</h2>')
        if op.operation_id:
            out.append(f"<div class=opid>operationId: {_e(op.operation_id)}</div>")
        if op.deprecated:
            out.append("<div class=dep>Deprecated</div>")
        if op.summary:
            out.append(f"<p><b>{_e(op.summary)}</b></p>")
        if isinstance(raw.get("description"), str):
            out.append(f"<p class=desc>{_e(raw['description'])}</p>")
        parameters = [*self._parameters(item.get("parameters")), *self._parameters(raw.get("parameters"))]
        body_params = [p for p in parameters if p.get("in") == "body"]
        plain = [p for p in parameters if p.get("in") != "body"]
        if plain:
            out.append("<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>")
            for p in plain:
                required = " <span class=req>required</span>" if p.get("required") else ""
                schema = p.get("schema") if isinstance(p.get("schema"), dict) else p
                out.append(
                    f"<tr><td><code>{_e(str(p.get('name', '?')))}</code>{required}</td>"
                    f"<td>{_e(str(p.get('in', '?')))}</td><td>{self._type_label(schema)}</td>"
                    f"<td class=desc>{_e(str(p.get('description', '')))}</td></tr>"
                )
            out.append("</table>")
        out.append(self._request_body(raw, body_params))
        out.append(self._responses(raw))
        out.append("</section>")
        return "".join(out)

    def _parameters(self, value: Any) -> Iterator[dict[str, Any]]:
        for entry in as_list(value):
            resolved = self._deref(entry)
            if isinstance(resolved, dict):
                yield resolved

    def _request_body(self, raw: dict[str, Any], body_params: list[dict[str, Any]]) -> str:
        if self.swagger:
            if not body_params:
                return ""
            param = body_params[0]
            return (
                "<h4>Request body</h4>"
                + self._schema_block(param.get("schema"))
                + self._example_block(param.get("schema"), None)
            )
        body = self._deref(raw.get("requestBody"))
        if not isinstance(body, dict):
            return ""
        required = " <span class=req>required</span>" if body.get("required") else ""
        return f"<h4>Request body{required}</h4>" + self._content(body.get("content"))

    def _responses(self, raw: dict[str, Any]) -> str:
        responses = as_mapping(raw.get("responses"))
        if not responses:
            return ""
        out = ["<h4>Responses</h4>"]
        for status, response in responses.items():
            resolved = as_mapping(self._deref(response))
            description = resolved.get("description", "")
            out.append(f"<p><code><b>{_e(str(status))}</b></code> <span class=desc>{_e(str(description))}</span></p>")
            if self.swagger:
                if isinstance(resolved.get("schema"), dict):
                    examples = as_mapping(resolved.get("examples"))
                    given = next(iter(examples.values()), None) if examples else None
                    out.append(self._schema_block(resolved["schema"]) + self._example_block(resolved["schema"], given))
            else:
                out.append(self._content(resolved.get("content")))
        return "".join(out)

    def _content(self, content: Any) -> str:
        out = []
        for media_type, media in as_mapping(content).items():
            media = as_mapping(media)
            out.append(f"<div><code>{_e(str(media_type))}</code></div>")
            schema = media.get("schema")
            if schema is not None:
                out.append(self._schema_block(schema))
            out.append(self._example_block(schema, self._given_example(media)))
        return "".join(out)

    def _given_example(self, media: dict[str, Any]) -> Any:
        if "example" in media:
            return media["example"]
        for example in as_mapping(media.get("examples")).values():
            resolved = as_mapping(self._deref(example))
            if "value" in resolved:
                return resolved["value"]
        return None

    # -- schemas ---------------------------------------------------------------------------

    def _schema_block(self, schema: Any) -> str:
        if not isinstance(schema, dict):
            return ""
        return f"<div class=schema>{self._schema(schema, 0)}</div>"

    def _schema(self, schema: Any, depth: int) -> str:
        if not isinstance(schema, dict):
            return "<span class=t>any</span>"
        label = self._type_label(schema)
        details = _constraints(schema)
        description = schema.get("description")
        head = label + (f" <span class=d>{_e(details)}</span>" if details else "")
        if isinstance(description, str) and depth > 0:
            head += f" <span class=d>— {_e(_first_line(description))}</span>"
        if "$ref" in schema or depth >= MAX_INLINE_DEPTH:
            return head
        children: list[str] = []
        required = set(as_list(schema.get("required")))
        for name, prop in as_mapping(schema.get("properties")).items():
            mark = " <span class=req>*</span>" if name in required else ""
            children.append(f"<li><b>{_e(str(name))}</b>{mark}: {self._schema(prop, depth + 1)}</li>")
        if isinstance(schema.get("items"), dict):
            children.append(f"<li>items: {self._schema(schema['items'], depth + 1)}</li>")
        for combinator in ("allOf", "oneOf", "anyOf"):
            for index, part in enumerate(as_list(schema.get(combinator))):
                children.append(f"<li>{combinator}[{index}]: {self._schema(part, depth + 1)}</li>")
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            children.append(f"<li>additionalProperties: {self._schema(additional, depth + 1)}</li>")
        return head + (f"<ul>{''.join(children)}</ul>" if children else "")

    def _type_label(self, schema: Any) -> str:
        if not isinstance(schema, dict):
            return "<span class=t>any</span>"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref.startswith(self.schema_root):
                name = ref[len(self.schema_root) :]
                return f'<a href="#{_e(_schema_anchor(name))}">{_e(name)}</a>'
            return f"<code>{_e(ref)}</code>"
        kind = schema.get("type")
        if isinstance(kind, list):
            label = " | ".join(str(k) for k in kind)
        elif isinstance(kind, str):
            label = kind
        elif "properties" in schema:
            label = "object"
        elif any(k in schema for k in ("allOf", "oneOf", "anyOf")):
            label = next(k for k in ("allOf", "oneOf", "anyOf") if k in schema)
        else:
            label = "any"
        if label == "array" and isinstance(schema.get("items"), dict):
            label = f"array of {self._type_label(schema['items'])}"
            return f"<span class=t>{label}</span>"
        if isinstance(schema.get("format"), str):
            label += f" ({schema['format']})"
        return f"<span class=t>{_e(label)}</span>"

    # -- examples --------------------------------------------------------------------------

    def _example_block(self, schema: Any, given: Any) -> str:
        generated = given is None
        value = given if given is not None else self.examples.synthesize(schema)
        if value is None:
            return ""
        text = _pretty(value)
        if len(text) > MAX_EXAMPLE_CHARS:
            text = text[:MAX_EXAMPLE_CHARS] + "\n…"
        label = "Example (generated from the schema)" if generated else "Example"
        return f"<div class=gen>{label}</div><pre>{_e(text)}</pre>"


def _pretty(value: Any) -> str:
    """JSON indented by two, as json.dumps(indent=2) writes it - with orjson, five times faster (a
    large description has thousands of examples); the standard library for what orjson refuses
    (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode()
    except TypeError:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _constraints(schema: dict[str, Any]) -> str:
    parts = []
    for key in ("minLength", "maxLength", "minimum", "maximum", "pattern", "minItems", "maxItems"):
        if key in schema:
            parts.append(f"{key}={schema[key]}")
    if isinstance(schema.get("enum"), list):
        shown = ", ".join(json.dumps(v, default=str) for v in schema["enum"][:10])
        parts.append(f"enum: {shown}{', …' if len(schema['enum']) > 10 else ''}")
    if schema.get("nullable") is True:
        parts.append("nullable")
    if schema.get("readOnly") is True:
        parts.append("read-only")
    if schema.get("writeOnly") is True:
        parts.append("write-only")
    if schema.get("deprecated") is True:
        parts.append("deprecated")
    return " ".join(parts)


def _schema_anchor(name: str) -> str:
    return "schema-" + name


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 160 else line[:159] + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
