"""File > Export model...: a file onnxruntime runs, idle or mid-run; failures are messages, never a crash."""

import sys
import threading

import numpy as np
import onnxruntime
from PySide6.QtWidgets import QFileDialog

from nnplayground.session import State, commands
from tests.app.helpers import click, open_window, tick, type_into


def predictions(path, x) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["predictions"], {"inputs": np.asarray(x, np.float32)})[0]


def export_through_the_menu(window, monkeypatch, path) -> None:
    """File > Export model..., the file dialog answering `path`."""
    asked = []

    def dialog(parent, title, directory, filters):
        asked.append(filters)
        return str(path), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    window.findChild(object, "exportModelAction").trigger()
    assert asked == ["ONNX models (*.onnx)"]


def test_export_model_writes_a_file_onnxruntime_runs_off_the_gui_thread(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    writers = []

    def export_onnx(model, path, real=commands.export_onnx):
        writers.append(threading.current_thread())
        return real(model, path)
    monkeypatch.setattr(commands, "export_onnx", export_onnx)
    tick(qtbot, window.data_panel.deskew)  # the window's whole digit network: Deskew and Rescaling too
    qtbot.waitUntil(lambda: window.session.experiment.deskew and window.session.model is not None)
    export_through_the_menu(window, monkeypatch, tmp_path / "digits")  # no suffix typed: .onnx is added
    target = tmp_path / "digits.onnx"
    qtbot.waitUntil(lambda: "Exported" in window.banner.text(), timeout=10_000)
    assert str(target) in window.banner.text() and target.is_file()
    assert len(writers) == 1 and writers[0] is not threading.main_thread()
    x = window.session.dataset.x_test[:100]
    np.testing.assert_allclose(predictions(target, x), window.session.model.predict(x), rtol=0, atol=1e-5)


def test_an_export_mid_run_is_written_and_the_run_goes_on(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.run_log.step > 3, timeout=20_000)
    export_through_the_menu(window, monkeypatch, tmp_path / "mid.onnx")
    qtbot.waitUntil(lambda: "Exported" in window.banner.text(), timeout=20_000)
    exported_at = window.session.run_log.step
    qtbot.waitUntil(lambda: window.session.run_log.step > exported_at + 3, timeout=20_000)
    assert window.session.state is State.RUNNING
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=10_000)
    assert predictions(tmp_path / "mid.onnx", window.session.dataset.x_test[:5]).shape == (5, 10)


def test_without_onnx_the_window_says_what_to_install(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    monkeypatch.setitem(sys.modules, "onnx", None)
    (tmp_path / "models").mkdir()
    export_through_the_menu(window, monkeypatch, tmp_path / "models" / "net.onnx")
    qtbot.waitUntil(lambda: "Could not export" in window.banner.text(), timeout=10_000)
    assert "pip install 'nnplayground[onnx]'" in window.banner.text()
    assert list((tmp_path / "models").iterdir()) == [] and not window.files.running


def test_a_folder_that_cannot_be_written_is_named_and_the_old_file_stays(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    (tmp_path / "not a folder").write_text("a file")
    export_through_the_menu(window, monkeypatch, tmp_path / "not a folder" / "net.onnx")
    qtbot.waitUntil(lambda: "Could not export" in window.banner.text(), timeout=10_000)
    assert str(tmp_path / "not a folder" / "net.onnx") in window.banner.text()
    assert (tmp_path / "not a folder").read_text() == "a file"
