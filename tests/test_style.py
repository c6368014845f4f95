"""The house rules that code can check: lint, and which layer may import which."""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nnplayground

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ("activations", "callbacks", "config", "fileio", "initializers", "layers", "losses", "memory", "metrics",
          "models", "npz", "onnx_export", "optimizers", "regularizers", "saving", "schedules", "utils")
# What the data layer may use of the engine: reading and writing files safely, and the memory it may take.
FILE_HELPERS = ("fileio", "config", "memory", "npz")
QT = ("PySide6", "shiboken6", "pyqtgraph")


def test_ruff_clean():
    # As a module of this interpreter: CI does not activate the venv, so a bare `ruff` may not be found.
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "nnplayground",
                             "tests", "scripts", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _modules(package: str) -> list[str]:
    module = __import__(package, fromlist=["_"])
    return [package, *(f"{package}.{info.name}" for info in pkgutil.walk_packages(module.__path__))]


def _loaded_by(modules: list[str]) -> set[str]:
    """Every module a fresh interpreter holds after importing `modules`."""
    code = (f"import importlib, json, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(result.stdout))


def _offenders(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(name for name in loaded if name.split(".")[0] in forbidden or name.startswith(forbidden))


@pytest.mark.parametrize("layer, modules, forbidden", [
    ("engine", [f"nnplayground.{name}" for name in ENGINE],
     ("nnplayground.datasets", "nnplayground.session", "nnplayground.app", *QT)),
    ("data", _modules("nnplayground.datasets"),
     (*(f"nnplayground.{name}" for name in ENGINE if name not in FILE_HELPERS),
      "nnplayground.session", "nnplayground.app", *QT)),
    ("session", _modules("nnplayground.session"), ("nnplayground.app", *QT)),
])
def test_each_layer_imports_only_what_lies_below_it(layer, modules, forbidden):
    assert _offenders(_loaded_by(modules), forbidden) == [], f"the {layer} layer reaches up"


def test_every_module_belongs_to_a_layer():
    top = {info.name for info in pkgutil.iter_modules(nnplayground.__path__)}
    assert top - set(ENGINE) == {"datasets", "session", "app", "assets", "bench", "cli", "cli_runs", "__main__"}


def test_the_window_imports_nothing_below_the_session():
    """app -> session -> engine and data: the app's own import lines name only the app and the session."""
    import ast

    reaching = []
    for path in sorted((ROOT / "nnplayground" / "app").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            reaching += [f"{path.name}: {name}" for name in names if name.startswith("nnplayground")
                         and not name.startswith(("nnplayground.app", "nnplayground.session"))]
    assert reaching == []
