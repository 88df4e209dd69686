"""The layers of the house are a contract (import-linter, configured in pyproject.toml): each layer
imports only from the layers below it, render and writers never see the computation, and the
computation imports no drawing library. A new cycle or a shortcut across layers fails here."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the installed package (or the copy under ``package_parent``)."""
    env = {**os.environ, **({"PYTHONPATH": str(package_parent)} if package_parent else {})}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(PYPROJECT), "--no-cache"], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def test_the_layer_contracts_hold(tmp_path: Path) -> None:
    result = lint_imports(None, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, shortcut", [
    ("core/spec.py", "import convanim.blocks"),  # the computation reaching up into the blocks
    ("writers/gif.py", "import convanim.core.engine"),  # a writer reading the computation
    ("core/events.py", "import PIL.Image"),  # the computation importing a drawing library
])
def test_a_shortcut_across_layers_breaks_the_contract(module: str, shortcut: str, tmp_path: Path) -> None:
    spec = importlib.util.find_spec("convanim")
    assert spec is not None and spec.submodule_search_locations
    copy = tmp_path / "site" / "convanim"
    shutil.copytree(next(iter(spec.submodule_search_locations)), copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{shortcut}\n")
    result = lint_imports(tmp_path / "site", tmp_path)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout + result.stderr
