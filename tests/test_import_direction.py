"""One-way dependencies: `ui` and `eval` import `rag`, never the reverse; inside `rag`, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAG = Path(__file__).resolve().parent.parent / "rag"
MODULES = sorted(RAG.glob("*.py"))


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module name `path` imports (absolute form), with its line number."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                prefix = node.module or ""
            elif node.level == 1:  # `from .x import y` inside rag/
                prefix = ".".join(["rag"] + ([node.module] if node.module else []))
            else:  # `from ..ui import app` / `from .. import eval` climbs out of rag/
                prefix = node.module or ""
            if prefix:
                out.append((node.lineno, prefix))
            # `from rag import chunk` / `from .. import ui`: the names may be modules too.
            if prefix in ("rag", ""):
                out += [(node.lineno, f"{prefix}.{a.name}".strip(".")) for a in node.names]
        elif isinstance(node, ast.Call):
            # importlib.import_module("ui.app") / __import__("eval")
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                if isinstance(node.args[0].value, str):
                    out.append((node.lineno, node.args[0].value))
    return out


def test_rag_modules_are_found():
    names = {p.stem for p in MODULES}
    assert {"ingest", "chunk", "embed", "index", "retrieve", "pipeline", "cli", "types", "errors", "config"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_rag_never_imports_ui_or_eval(path):
    bad = [(line, name) for line, name in _imports(path) if name.split(".")[0] in ("ui", "eval")]
    assert not bad, f"{path.name} imports {bad}: rag must not depend on ui/ or eval/"


def _rag_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        deps = set()
        for _, name in _imports(path):
            parts = name.split(".")
            if parts[0] == "rag" and len(parts) > 1 and (RAG / f"{parts[1]}.py").exists():
                deps.add(parts[1])
        graph[path.stem] = deps - {path.stem}
    return graph


def test_leaf_modules_import_nothing_of_rag_above_them():
    graph = _rag_graph()
    assert graph["types"] == set()
    assert graph["errors"] == set()
    assert graph["config"] <= {"errors"}


def test_no_import_cycles_inside_rag():
    graph = _rag_graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail + [node, dep]))
            if dep not in state:
                visit(dep, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


# ---------------------------------------------------------------- the adapters
#
# `rag.llama_index` and `rag.mcp_server` import `rag`, never the reverse: the core works
# without llama-index pipelines or the mcp SDK loaded, and only the `rag mcp` command (the
# CLI edge) imports the MCP server.

ADAPTERS = {"llama_index": set(), "mcp_server": {"cli"}}  # adapter -> the rag modules allowed to import it


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_nothing_in_rag_imports_the_adapters(adapter):
    graph = _rag_graph()
    assert adapter in graph, f"rag/{adapter}.py is missing"
    importers = {module for module, deps in graph.items() if adapter in deps}
    assert importers <= ADAPTERS[adapter], f"{sorted(importers - ADAPTERS[adapter])} import rag.{adapter}"


def test_adapters_stay_out_of_the_core_at_run_time():
    """Using the library API (and the CLI module) loads neither adapter nor the mcp SDK."""
    import subprocess
    import sys

    code = (
        "import sys, rag, rag.cli, rag.library, rag.pipeline, rag.answer; rag.open;"
        "print(sorted(m for m in sys.modules if m in ('rag.llama_index', 'rag.mcp_server') or m.split('.')[0] == 'mcp'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
