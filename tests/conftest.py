import os
import tempfile

# Before anything imports Qt: with no display, Qt must render offscreen or CI aborts.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    # A desktop-sized screen: the plugin's default 800x800 one would shrink every window below what users see.
    _screen = os.path.join(tempfile.mkdtemp(prefix="nnplayground-screen-"), "screen.json")
    with open(_screen, "w") as file:
        file.write('{"screens": [{"name": "test", "x": 0, "y": 0, "width": 1920, "height": 1080, '
                   '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
    os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_screen}")
if "XDG_RUNTIME_DIR" not in os.environ:
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="xdg-")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnplayground import config  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_folder(tmp_path, monkeypatch):
    """Runs recorded by a test (the command line records every run) go to the test's folder, not the user's."""
    monkeypatch.setenv("NNPLAYGROUND_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def _seeded_and_float32():
    """Every test starts from the same seed and the default float type."""
    config.set_random_seed(1234)
    config.set_floatx("float32")
    yield
    config.set_floatx("float32")


@pytest.fixture(autouse=True)
def _no_earlier_blas_decision(monkeypatch):
    """A window's run starts on the BLAS threads the last run's tuner kept (session.threads): each test
    starts as a fresh process does, whatever an earlier test's run kept."""
    from nnplayground.session.threads import BlasTuner

    monkeypatch.setattr(BlasTuner, "last_kept", None)


@pytest.fixture
def float64():
    config.set_floatx("float64")


def numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of the scalar f() with respect to x (changed in place, restored)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        plus = f()
        flat[i] = saved - eps
        minus = f()
        flat[i] = saved
        out[i] = (plus - minus) / (2 * eps)
    return grad
