"""The layers, as import-linter and the import graph see them (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qualityweek"


def test_import_linter_contracts_hold():
    run = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    text = (ROOT / "pyproject.toml").read_text()
    assert "ignore_imports" not in text, "The contracts ignore no import"


def test_no_module_import_circles():
    graph = grimp.build_graph("qualityweek")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                circles.append((module, imported))
    assert not circles, f"Modules importing each other (directly or through others): {circles[:10]}"


def _hidden_imports(path: Path) -> list[str]:
    """Imports of the project's own modules made inside a function (other than AppConfig.ready,
    which loads the app's rules) — the way an import circle hides."""
    tree = ast.parse(path.read_text())
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name == "ready":
            continue
        for node in ast.walk(fn):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            relative = isinstance(node, ast.ImportFrom) and node.level > 0
            if relative or any(name.startswith("qualityweek") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_project_imports_inside_functions():
    hidden = [hit for path in sorted(PACKAGE.rglob("*.py")) if "migrations" not in path.parts
              for hit in _hidden_imports(path)]
    assert not hidden, f"Project imports inside functions: {hidden}"
