"""`nnplayground bench --gui` measures the window it says: 1280 x 800, on a machine with no display too."""

import os
import subprocess
import sys

from nnplayground.app.bench import window_platform


def test_without_a_display_the_bench_s_window_gets_a_screen_it_fits_on(tmp_path, monkeypatch):
    """Qt's offscreen screen is 800 x 800: the window was squeezed to it, below its own minimum width."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    platform = window_platform(str(tmp_path))
    assert platform.startswith("offscreen:configfile=")
    script = ("from PySide6.QtWidgets import QApplication, QWidget\n"
              "app = QApplication([])\n"
              "window = QWidget()\n"
              "window.resize(1280, 800)\n"
              "window.show()\n"
              "size = app.primaryScreen().size()\n"
              "print(size.width(), size.height(), window.width(), window.height())\n")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "QT_QPA_PLATFORM": platform})
    assert shown.stdout.split() == ["1920", "1080", "1280", "800"], shown.stderr


def test_a_platform_asked_for_or_a_display_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert window_platform(str(tmp_path)) == "xcb"
    monkeypatch.delenv("QT_QPA_PLATFORM")
    for display in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv("DISPLAY", raising=False)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.setenv(display, ":1")
        assert window_platform(str(tmp_path)) is None  # Qt picks the display's platform


def test_the_bench_leaves_the_environment_as_it_found_it(tmp_path, monkeypatch):
    from nnplayground.app import bench

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "mine"))
    monkeypatch.delenv("NNPLAYGROUND_DATA_DIR", raising=False)
    seen = {}

    def measure(*_args):
        seen.update(os.environ)
        return 0

    monkeypatch.setattr(bench, "_run_gui_bench", measure)
    assert bench.run_gui_bench() == 0
    assert seen["QT_QPA_PLATFORM"].startswith("offscreen:configfile=")  # while measuring: its own screen, files
    assert seen["XDG_CONFIG_HOME"] != str(tmp_path / "mine") and "NNPLAYGROUND_DATA_DIR" in seen
    assert "QT_QPA_PLATFORM" not in os.environ and "NNPLAYGROUND_DATA_DIR" not in os.environ  # then as before
    assert os.environ["XDG_CONFIG_HOME"] == str(tmp_path / "mine")
