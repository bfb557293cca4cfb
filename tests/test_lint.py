"""The code base stays ruff clean and keeps its import contracts (both configured in
pyproject.toml)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO


def _tool(name: str) -> str:
    """The path of a linter of the test extra; skipped where it is missing, except in CI
    (``CI=true``: .ci/run installs '.[test]', so a missing linter is a broken install)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed in CI (pip install '.[test]')")
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return path


def test_ruff_clean() -> None:
    r = subprocess.run([_tool("ruff"), "check", "gait", "tests", "benchmarks"], cwd=REPO,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]


def test_import_contracts() -> None:
    """``lint-imports``: the layers of the data flow, the core never importing the report
    writers or the command line, the analysis reading no files ([tool.importlinter])."""
    # this checkout's gait, not an installed copy; no cache folder in the checkout
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    r = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=REPO, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    assert "0 broken" in r.stdout


def _module(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_names_across_modules(root: Path = REPO / "gait") -> list[str]:
    """Every place in ``root`` where a module uses another module's private name (one
    underscore, not dunder): ``from gait.x import _name``, or ``x._name`` on a module imported
    as ``x``. import-linter sees modules, not names, so this is checked here."""
    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    found = []
    base = root.parent
    for path in sorted(root.rglob("*.py")):
        me = _module(path, base)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules: dict[str, str] = {}  # local name -> gait module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (
                    node.module or "").split(".")[0] == "gait":
                for a in node.names:
                    if private(a.name) and node.module != me:
                        found.append(f"{path.relative_to(base)}:{node.lineno}: "
                                     f"from {node.module} import {a.name}")
                    modules[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "gait":
                        modules[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in modules and private(node.attr)
                    and modules[node.value.id] != me):
                found.append(f"{path.relative_to(base)}:{node.lineno}: "
                             f"{node.value.id}.{node.attr} ({modules[node.value.id]})")
    return found


def test_no_private_names_across_modules() -> None:
    assert private_names_across_modules() == []


def test_private_names_are_found(tmp_path: Path) -> None:
    pkg = tmp_path / "gait"
    pkg.mkdir()
    (pkg / "a.py").write_text("from gait.b import _x, y\nfrom gait import c as _c\n"
                              "_c._z()\nfrom gait.a import _own\n")
    found = private_names_across_modules(pkg)
    assert len(found) == 2 and "import _x" in found[0] and "_c._z" in found[1]


MAX_LINES = 500  # issue 19: a longer module states why in a "Size:" paragraph of its docstring


def long_modules_without_reason(base: Path = REPO / "gait") -> list[str]:
    """Modules of more than :data:`MAX_LINES` lines whose docstring has no ``Size:`` reason."""
    found = []
    for path in sorted(base.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES and "Size:" not in (
                ast.get_docstring(ast.parse(text)) or ""):
            found.append(f"{path.relative_to(base)}: {text.count(chr(10))} lines")
    return found


def test_long_modules_state_why() -> None:
    assert long_modules_without_reason() == []


def test_long_modules_are_found(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text('"""A module."""\n' + "x = 1\n" * MAX_LINES)
    (tmp_path / "reasoned.py").write_text('"""A module.\n\nSize: one table."""\n'
                                          + "x = 1\n" * MAX_LINES)
    (tmp_path / "short.py").write_text('"""A module."""\n')
    assert long_modules_without_reason(tmp_path) == [f"long.py: {MAX_LINES + 1} lines"]
