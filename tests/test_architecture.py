"""The boundaries of DESIGN.md, kept by a test: the domain core imports no web layer and no carrier format."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = {"flask", "wtforms", "flask_wtf", "flask_babel", "flask_login", "carriers", "webapp", "sqlalchemy"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_core_imports_neither_web_nor_carriers() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN_IN_CORE)
        for path in (ROOT / "aggregator").rglob("*.py")
        if _imports(path) & FORBIDDEN_IN_CORE
    }
    assert offenders == {}


def test_carriers_do_not_reach_into_the_web_layer() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & {"flask", "webapp", "sqlalchemy"})
        for path in (ROOT / "carriers").rglob("*.py")
        if _imports(path) & {"flask", "webapp", "sqlalchemy"}
    }
    assert offenders == {}


def test_every_command_is_offered_though_the_core_imports_none_of_its_callers(runner: CliRunner) -> None:
    """`carriers` and `webapp` add their commands through entry points (pyproject.toml); `aggregator --help` lists them all."""
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == {"backup", "bulk", "carriers", "migrate", "quote", "restore", "serve", "users", "worker"}
    assert "create" in runner.invoke(main, ["users", "--help"]).output
