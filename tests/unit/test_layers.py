"""The layers hold, and the check that says so can fail: lint-imports (import-linter, contracts in
pyproject.toml) on the tree as it is, and on a copy with one import turned against the order; and
no module reaches into another's private names."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "devportal",
    "events",
    "contracts",
    "functions",
    "temporal_bridge",
    "devportal_local",
    "devportal_cli",
    "stacks",
)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    selected = [argument for contract in contracts for argument in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *selected, str(tree / "pyproject.toml")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},  # the copy's packages before the installed ones
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_every_contract(copy: Path) -> None:
    checked = lint_imports(copy)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


@pytest.mark.parametrize(
    ("module", "inverted", "contract"),
    [
        ("events/envelope.py", "import devportal.registry.models", "layers"),
        ("devportal/registry/models.py", "import functions.catalog", "layers"),
        ("devportal/specs/parsing.py", "import devportal.adapters.s3", "core"),
        ("devportal/registry/submit.py", "import boto3", "no-aws-in-core"),
        ("functions/get_me/handler.py", "import devportal_local.config", "no-local-runtime-in-aws"),
    ],
)
def test_an_import_against_the_order_fails_the_check(copy: Path, module: str, inverted: str, contract: str) -> None:
    assert lint_imports(copy, contract).returncode == 0
    target = copy / module
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{inverted}  # against the order\n", encoding="utf-8")
    try:
        checked = lint_imports(copy, contract)
    finally:
        target.write_text(original, encoding="utf-8")
    assert checked.returncode != 0, checked.stdout
    assert "1 broken" in checked.stdout
    assert inverted.split()[1] in checked.stdout  # the report names the offending import


def private_imports(path: Path) -> list[str]:
    """`from project.module import _name` where the module is another one of ours."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
            found += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = [
        hit for package in PACKAGES for path in (ROOT / package).rglob("*.py") for hit in private_imports(path)
    ]
    assert offenders == []


def test_the_private_name_check_sees_one(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("from devportal.adapters.table import _serializer, item\n")
    assert private_imports(planted) == ["planted.py: devportal.adapters.table._serializer"]
