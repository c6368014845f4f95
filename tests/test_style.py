import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff comes with the [test] extra")
def test_ruff_clean():
    result = subprocess.run(["ruff", "check", "--output-format", "concise", "nnplayground", "tests", "scripts",
                             "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_engine_and_data_never_import_qt():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "nnplayground").rglob("*.py")
                 if "app" not in path.relative_to(ROOT / "nnplayground").parts
                 and any(word in path.read_text() for word in ("PySide6", "pyqtgraph", "QtCore"))]
    assert offenders == []
