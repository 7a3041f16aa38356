"""The boundaries of DESIGN.md, kept by a test: the domain core imports no web layer and no carrier format, and no module of it imports itself back."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

from click.testing import CliRunner

from aggregator.cli import main

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = {"flask", "wtforms", "flask_wtf", "flask_babel", "flask_login", "carriers", "webapp", "sqlalchemy"}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands: at the top, inside a function, under TYPE_CHECKING,
    or named as text to importlib.import_module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from package import module`
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_modules(path)}


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


def _core_graph() -> dict[str, set[str]]:
    """aggregator's modules, each with the modules of aggregator it imports."""
    modules = {path.stem: path for path in (ROOT / "aggregator").glob("*.py") if path.stem != "__init__"}
    return {
        name: {m.split(".")[1] for m in _imported_modules(path) if m.startswith("aggregator.") and m.split(".")[1] in modules} - {name}
        for name, path in modules.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), as the path that closes it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:  # walk inside the group until a module repeats: that closes a cycle
            nxt = min(graph[path[-1]] & group)
            if nxt in seen:
                found.append([*path[path.index(nxt) :], nxt])
                break
            path.append(nxt)
            seen.add(nxt)
    return found


def test_the_core_has_no_import_cycle() -> None:
    """A module of aggregator/ never imports, directly or through others, a module that imports it (function-level imports
    and TYPE_CHECKING ones count: a cycle hidden in a function is still one)."""
    graph = _core_graph()
    assert {"schema", "rating", "matching", "bulk", "bulkbook", "cli"} <= set(graph)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_schema_gathers_what_the_core_defines_and_the_core_imports_from_where_it_is_defined() -> None:
    """`from aggregator.schema import X` works for the other packages; inside the core nothing imports the gathering module."""
    graph = _core_graph()
    assert [name for name, imported in graph.items() if "schema" in imported] == []
    assert {"codes", "labels", "plans", "rates", "applicant", "quotes"} <= graph["schema"]


def test_the_architecture_map_names_every_core_module_and_only_files_that_exist() -> None:
    """docs/ARCHITECTURE.md places every module of aggregator/ in a layer, and every file it points at is there."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w./*-]+\.(?:py|md|html|po|cfg|toml|json))`", text))
    core = {path.name for path in (ROOT / "aggregator").glob("*.py")} - {"__init__.py"}
    placed = {name for name in core if any(fnmatch.fnmatch(name, pattern) for pattern in named)}
    assert sorted(core - placed) == []
    searched = [ROOT, ROOT / "aggregator", ROOT / "carriers", ROOT / "webapp", ROOT / "webapp" / "templates", ROOT / "docs"]
    missing = [name for name in named if "*" not in name and not any((folder / name).exists() for folder in searched)]
    assert missing == []


def test_no_carrier_module_is_over_250_lines_and_every_shared_one_is_on_the_map() -> None:
    """A carrier is a declaration run by shared readers: no module of carriers/ grows past 250 lines, and each one that
    is not a carrier's own declaration has its place in docs/ARCHITECTURE.md."""
    from carriers.registry import REGISTRY

    long = {path.name: n for path in (ROOT / "carriers").glob("*.py") if (n := len(path.read_text(encoding="utf-8").splitlines())) > 250}
    assert long == {}
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    shared = {path.name for path in (ROOT / "carriers").glob("*.py")} - {"__init__.py", *(f"{c.value}.py" for c in REGISTRY)}
    assert sorted(name for name in shared if f"`{name}`" not in text) == []
