"""Findings for people and for CI: where each one is in the file (line and column, from the
document's own text), and the four forms `devportal spec` prints - text (file:line:col, as
editors and CI annotations read it), JSON, Markdown (for a pull-request comment) and JUnit XML
(one test case per rule, for CI test reports)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import yaml

from devportal.specs.diff import LEVELS, Change, Level
from devportal.specs.pointers import ref_tokens
from devportal.specs.validation import Finding

OutputFormat = Literal["text", "json", "markdown", "junit"]
FORMATS: tuple[OutputFormat, ...] = ("text", "json", "markdown", "junit")
MAX_LOCATED_BYTES = 16 * 1024 * 1024  # beyond this, findings are reported by pointer alone


@dataclass(frozen=True)
class Located:
    finding: Finding
    line: int | None  # 1-based
    column: int | None


def locate(text: str, findings: Sequence[Finding]) -> list[Located]:
    """Each finding with the line and column of the node its pointer names (or of its nearest
    ancestor that exists), read from the text: JSON by a scan of its tokens (GitHub's 13 MB in
    about a second), YAML with libyaml."""
    if findings and text.lstrip().startswith("{"):
        located = _json_located(text, findings)
    else:
        located = _yaml_located(text, findings)
    return sorted(located, key=lambda item: (item.line is not None, item.line or 0, item.column or 0))


def _yaml_located(text: str, findings: Sequence[Finding]) -> list[Located]:
    root = None
    if findings and len(text) <= MAX_LOCATED_BYTES:
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            root = None
    located = []
    for finding in findings:
        if finding.line is not None:  # read off the text already (a syntax error)
            located.append(Located(finding, finding.line, finding.column))
            continue
        node = _node_at(root, finding.pointer) if root is not None else None
        mark = node.start_mark if node is not None else None
        located.append(Located(finding, mark.line + 1 if mark else None, mark.column + 1 if mark else None))
    return located


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],]')


def _json_located(text: str, findings: Sequence[Finding]) -> list[Located]:
    wanted: dict[Finding, tuple[str, ...]] = {}
    for finding in findings:
        if finding.line is None:
            try:
                wanted[finding] = tuple(ref_tokens("#" + finding.pointer))
            except KeyError:
                wanted[finding] = ()
    offsets = _json_offsets(text, {tokens[:i] for tokens in wanted.values() for i in range(len(tokens) + 1)})
    at: dict[Finding, int | None] = {}
    for finding, tokens in wanted.items():
        while tokens not in offsets and tokens:
            tokens = tokens[:-1]  # a missing member: its nearest ancestor is where to look
        at[finding] = offsets.get(tokens)
    lines = _lines_and_columns(text, {offset for offset in at.values() if offset is not None})
    located = []
    for finding in findings:
        if finding.line is not None:
            located.append(Located(finding, finding.line, finding.column))
            continue
        offset = at.get(finding)
        line, column = lines[offset] if offset is not None else (None, None)
        located.append(Located(finding, line, column))
    return located


def _json_offsets(text: str, wanted: set[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Where each wanted path's member (its key) or array element starts in a JSON text; a path
    not found is absent. Tokens are strings and punctuation: a number, true, false or null as an
    array element is not located (its array is)."""
    found: dict[tuple[str, ...], int] = {(): 0}
    # each open container: [is object, its path, the index of the element being read, expecting a key, last key]
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        top = stack[-1] if stack else None
        if first == '"':
            if top is not None and top[0] and top[3]:  # a key
                key = json.loads(token) if "\\" in token else token[1:-1]
                top[3], top[4] = False, key
                path = (*top[1], key)
                if path in wanted and path not in found:
                    found[path] = match.start()
            elif top is not None and not top[0]:  # a string element of an array
                path = (*top[1], str(top[2]))
                if path in wanted and path not in found:
                    found[path] = match.start()
        elif first in "{[":
            if top is None:
                path = ()
            elif top[0]:
                path = (*top[1], top[4])
            else:
                path = (*top[1], str(top[2]))
                if path in wanted and path not in found:
                    found[path] = match.start()
            stack.append([first == "{", path, 0, True, None])
        elif first in "}]":
            if stack:
                stack.pop()
        elif top is not None:  # a comma
            if top[0]:
                top[3] = True
            else:
                top[2] += 1
    return found


def _lines_and_columns(text: str, offsets: set[int]) -> dict[int, tuple[int, int]]:
    """1-based line and column of each offset, in one pass over the text."""
    result: dict[int, tuple[int, int]] = {}
    line, line_start, position = 1, 0, 0
    for offset in sorted(offsets):
        newlines = text.count("\n", position, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", position, offset) + 1
        position = offset
        result[offset] = (line, offset - line_start + 1)
    return result


def _node_at(root: Any, pointer: str) -> Any:
    try:
        tokens = ref_tokens("#" + pointer)
    except KeyError:
        return root
    node = root
    for token in tokens:
        if isinstance(node, yaml.MappingNode):
            found = next((value for key, value in node.value if key.value == token), None)
            if found is None:
                # a missing member: its parent's key line is where to look
                return node
            node = found
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            return node
    return node


def render(
    located: Sequence[Located],
    fmt: OutputFormat,
    *,
    file: str,
    tool: str,
    summary: dict[str, Any] | None = None,
    totals: Mapping[str, int] | None = None,
) -> str:
    if fmt == "json":
        items = [
            {
                "pointer": item.finding.pointer,
                "rule": item.finding.rule,
                "severity": item.finding.severity,
                "message": item.finding.message,
                "line": item.line,
                "column": item.column,
            }
            for item in located
        ]
        return json.dumps({"file": file, "tool": tool, **(summary or {}), "findings": items}, indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(located, file, tool, totals)
    if fmt == "junit":
        return _junit(located, file, tool)
    return _text(located, file, totals)


def tally(located: Sequence[Located], totals: Mapping[str, int] | None = None) -> str:
    """How many of each severity ("2 error(s), 1 warning(s)", and lint's infos and hints when
    there are any). With `totals` (per severity, when more was found than is listed), those counts
    and how many are listed."""
    seen: Mapping[str, int] = totals if totals is not None else Counter(item.finding.severity for item in located)
    said = [f"{seen.get('error', 0)} error(s)", f"{seen.get('warning', 0)} warning(s)"]
    said += [f"{seen[kind]} {label}" for kind, label in (("info", "info"), ("hint", "hint(s)")) if seen.get(kind)]
    if totals is not None and sum(totals.values()) > len(located):
        said[-1] += f" (the first {len(located):,} listed)"
    return ", ".join(said)


def _where(item: Located, file: str) -> str:
    return f"{file}:{item.line}:{item.column}" if item.line is not None else file


def _text(located: Sequence[Located], file: str, totals: Mapping[str, int] | None) -> str:
    lines = [
        f"{_where(item, file)}: {item.finding.severity} {item.finding.rule}: {item.finding.message}"
        + (f"  [{item.finding.pointer or '/'}]" if item.finding.pointer else "")
        for item in located
    ]
    lines.append(f"{file}: {tally(located, totals)}" if located else f"{file}: no problems found")
    return "\n".join(lines) + "\n"


def _markdown(located: Sequence[Located], file: str, tool: str, totals: Mapping[str, int] | None) -> str:
    out = [
        f"### {tool}: `{file}`",
        "",
        f"{tally(located, totals)}." if located else "No problems found.",
    ]
    if located:
        out += ["", "| Severity | Rule | Where | Finding |", "| --- | --- | --- | --- |"]
        for item in located:
            where = f"line {item.line}" if item.line is not None else ""
            pointer = f"`{item.finding.pointer}`" if item.finding.pointer else "the document"
            message = item.finding.message.replace("|", "\\|").replace("\n", " ")
            out.append(f"| {item.finding.severity} | `{item.finding.rule}` | {where} {pointer} | {message} |")
    return "\n".join(out) + "\n"


def _junit(located: Sequence[Located], file: str, tool: str) -> str:
    """One test case per rule that fired (failed: its errors; passed with output: warnings only),
    so CI shows each rule once with every place it applies."""
    by_rule: dict[str, list[Located]] = {}
    for item in located:
        by_rule.setdefault(item.finding.rule, []).append(item)
    cases = []
    for rule, items in by_rule.items():
        errors = sum(1 for i in items if i.finding.severity == "error")
        body = "\n".join(f"{_where(i, file)} {i.finding.pointer}: {i.finding.message}" for i in items)
        cases.append(_Case(rule, body, f"{errors} error(s)" if errors else None))
    return _junit_document(tool, file, file, cases, "no problems")


@dataclass(frozen=True)
class _Case:
    name: str
    body: str
    failure: str | None  # the failure's message, None for a case that passes (its body as output)


def _junit_document(tool: str, suite: str, classname: str, cases: Sequence[_Case], none: str) -> str:
    lines = []
    for case in cases:
        if case.failure is not None:
            inner = (f"<failure message={quoteattr(case.failure)} type={quoteattr(case.name)}>"
                     f"{escape(case.body)}</failure>")  # fmt: skip
        else:
            inner = f"<system-out>{escape(case.body)}</system-out>"
        lines.append(f"    <testcase classname={quoteattr(classname)} name={quoteattr(case.name)}>{inner}</testcase>")
    if not lines:
        lines.append(f"    <testcase classname={quoteattr(classname)} name={quoteattr(none)}/>")
    failures = sum(1 for case in cases if case.failure is not None)
    count = len(lines)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name={quoteattr(tool)} tests="{count}" failures="{failures}">\n'
        f'  <testsuite name={quoteattr(suite)} tests="{count}" failures="{failures}" errors="0" skipped="0">\n'
        + "\n".join(lines)
        + "\n  </testsuite>\n</testsuites>\n"
    )


def render_changes(changes: Sequence[Change], fmt: OutputFormat, *, old: str, new: str, fail_on: Level = "ERR") -> str:
    """Changes between two files in the same four forms; in JUnit, a rule fails at `fail_on` or worse."""
    worst = LEVELS.index(fail_on)
    tally = {level: sum(1 for c in changes if c.level == level) for level in LEVELS}
    said = ", ".join(f"{tally[level]} {level}" for level in LEVELS)
    if fmt == "json":
        summary = {"old": old, "new": new, "counts": tally, "changes": [c.to_wire() for c in changes]}
        return json.dumps(summary, indent=2) + "\n"
    if fmt == "markdown":
        out = [f"### Changes from `{old}` to `{new}`", "", f"{said}." if changes else "No changes."]
        if changes:
            out += ["", "| Level | Rule | Operation | Change |", "| --- | --- | --- | --- |"]
            for c in changes:
                message = c.message.replace("|", "\\|").replace("\n", " ")
                out.append(f"| {c.level} | `{c.id}` | {c.operation or 'the document'} | {message} |")
        return "\n".join(out) + "\n"
    if fmt == "junit":
        grouped: dict[str, list[Change]] = {}
        for c in changes:
            grouped.setdefault(c.id, []).append(c)
        cases = [
            _Case(rule, "\n".join(f"{c.level} {c.message}" for c in items),
                  f"{len(items)} change(s)" if any(LEVELS.index(c.level) <= worst for c in items) else None)
            for rule, items in grouped.items()
        ]  # fmt: skip
        return _junit_document("devportal spec diff", f"{old} -> {new}", new, cases, "no changes")
    lines = []
    for c in changes:
        where = " ".join(
            part
            for part in (
                f"old {c.old_pointer}" if c.old_pointer else "",
                f"new {c.new_pointer}" if c.new_pointer else "",
            )
            if part
        )
        lines.append(f"{c.level} {c.id}: {c.message}" + (f"  [{where}]" if where else ""))
    lines.append(f"{old} -> {new}: {said}" if changes else f"{old} -> {new}: no changes")
    return "\n".join(lines) + "\n"
