"""Autosave in the window: a killed process's work is offered at the next launch and comes back; a clean
close keeps the work without asking; a close that autosave cannot keep asks first."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from nnplayground.session import LayerSpec, State, autosave
from tests.app.helpers import answer_message_box, open_window

ROOT = Path(__file__).resolve().parents[2]

TRAIN_UNTIL_KILLED = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nnplayground.app.main_window import MainWindow
    from nnplayground.session import LayerSpec

    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()

    def train():
        if window.session.dataset is None:
            QTimer.singleShot(20, train)
            return
        window.session.load_data(dataset="spiral", n_classes=3)
        window.session.update(learning_rate=0.0123, layers=[LayerSpec(9), LayerSpec(7)], batch_size=8,
                              run_until_paused=True)
        window.session.train()
        report()

    def report():
        print("step", window.session.run_log.step, flush=True)
        QTimer.singleShot(50, report)

    QTimer.singleShot(0, train)
    app.exec()
""")


def _weights_equal(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _kill_mid_training(folder: Path) -> tuple[autosave.Saved, float]:
    """A real window training spiral, autosaving every 0.2 s, killed once an autosave holds 300+ batches."""
    env = {**os.environ, "NNPLAYGROUND_AUTOSAVE_SECONDS": "0.2", "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-c", TRAIN_UNTIL_KILLED], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.stdout.readline(), process.stderr.read()[-2000:]  # a line every 50 ms while alive
            try:
                saved = autosave.read(folder)
            except autosave.AutosaveError:  # never half a file: only a newer one may appear meanwhile
                raise
            if saved is not None and saved.step >= 300:
                break
        else:
            raise AssertionError("no autosave of 300 batches within 2 minutes")
        process.send_signal(signal.SIGKILL)
        killed_at = time.time()
        process.wait(30)
    finally:
        process.kill()
    assert process.returncode == -signal.SIGKILL
    return autosave.read(folder), killed_at


def test_the_work_of_a_killed_window_is_offered_and_restored(qtbot):
    folder = autosave.default_folder()
    saved, killed_at = _kill_mid_training(folder)
    assert not saved.closed and saved.model_file.exists()
    assert killed_at - saved.time < 3  # at most the last few seconds are lost
    expected = saved.load_model().get_weights()

    window = open_window(qtbot)
    restore = window.findChild(QPushButton, "messageAction")
    qtbot.waitUntil(restore.isVisible)
    assert "did not close properly" in window.banner.text()
    assert window.findChild(QPushButton, "messageSecondAction").text() == "Discard"
    qtbot.mouseClick(restore, Qt.LeftButton)
    session = window.session
    qtbot.waitUntil(lambda: session.model is not None and _weights_equal(session.model.get_weights(), expected),
                    timeout=10_000)
    assert session.experiment == saved.experiment
    assert (session.dataset.name, session.experiment.learning_rate) == ("spiral", 0.0123)
    assert [layer.units for layer in session.experiment.layers] == [9, 7]
    assert window.layer_stack.specs() == session.experiment.layers  # the panels show it too
    assert not (folder / autosave.CRASHED).exists()  # answered: not offered again


def test_discarding_the_offer_forgets_the_crash(qtbot):
    folder = autosave.default_folder()
    _kill_mid_training(folder)
    window = open_window(qtbot)
    discard = window.findChild(QPushButton, "messageSecondAction")
    qtbot.waitUntil(discard.isVisible)
    qtbot.mouseClick(discard, Qt.LeftButton)
    assert not (folder / autosave.CRASHED).exists()
    assert window.session.experiment.learning_rate != 0.0123
    window.close()
    again = open_window(qtbot)
    qtbot.wait(100)
    assert not again.banner.isVisible() or "did not close properly" not in again.banner.text()


def _train_spiral(qtbot, window, epochs=3):
    window.session.load_data(dataset="spiral", n_classes=3)
    window.session.update(layers=[LayerSpec(5)], learning_rate=0.02, batch_size=16, epochs=epochs)
    window.session.train()
    if epochs < 100:
        qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)


def test_closing_mid_run_stops_it_and_the_next_launch_brings_the_network_back_without_asking(qtbot):
    window = open_window(qtbot)
    _train_spiral(qtbot, window, epochs=100_000)
    qtbot.waitUntil(lambda: window.session.run_log.step > 50, timeout=10_000)
    window.close()  # no dialog: nothing is lost
    assert window.session.state is State.IDLE
    kept = window.session.model.get_weights()
    saved = autosave.read(autosave.default_folder())
    assert saved.closed and saved.step == window.session.run_log.step

    again = open_window(qtbot)
    qtbot.waitUntil(lambda: again.session.model is not None and _weights_equal(again.session.model.get_weights(),
                                                                              kept), timeout=10_000)
    assert again.session.dataset.name == "spiral"
    assert "did not close properly" not in again.banner.text()


def test_a_close_that_autosave_cannot_keep_asks_first(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot)
    _train_spiral(qtbot, window)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the autosave folder should be")
    window.autosave.store.folder = blocker / "autosave"
    window.session.update(learning_rate=0.01)
    with_error = window.autosave.store.save_if_changed()
    qtbot.waitUntil(with_error.done)
    assert window.autosave.store.last_error

    asked = []
    answer_message_box(QMessageBox.Cancel, asked)
    window.close()
    assert asked and "cannot be autosaved" in asked[0]
    assert window.isVisible()  # Cancel: the window stays, with its network
    answer_message_box(QMessageBox.Discard, asked)
    window.close()
    assert not window.isVisible()


def test_the_timer_autosaves_a_running_network_without_a_marker_on_its_curves(qtbot, monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_AUTOSAVE_SECONDS", "0.2")
    window = open_window(qtbot)
    _train_spiral(qtbot, window, epochs=100_000)
    store = window.autosave.store
    qtbot.waitUntil(lambda: store.last is not None and store.last["step"] > 20, timeout=20_000)
    assert window.session.state is State.RUNNING
    assert store.last["model"] is not None
    window.session.stop()
    assert window.session.run_log.markers == []
