"""Closing the window ends the process with status 0 whatever its threads are doing (a real process)."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nnplayground.app import main
    from nnplayground.app.main_window import MainWindow
    from nnplayground.session import LayerSpec

    SAVE_TO = sys.argv[1] if len(sys.argv) > 1 else None
    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()

    def train_big():
        if window.session.dataset is None:
            QTimer.singleShot(20, train_big)
            return
        # Two 3000-unit layers on batches of 4000: one batch takes seconds on two cores.
        window.session.update(layers=[LayerSpec(3000), LayerSpec(3000)], batch_size=4000, epochs=5)
        window.session.train()
        close_inside_a_batch()

    def close_inside_a_batch():
        job = window.runner.thread
        # After the first batch has been drawn, the job is inside the second one.
        if window.session.run_log.step < 1 or job is None or not job.isRunning():
            QTimer.singleShot(20, close_inside_a_batch)
            return
        if SAVE_TO:
            window.save_model(SAVE_TO)
        print("closing", flush=True)
        window.close()

    QTimer.singleShot(0, train_big)
    sys.exit(main.leave(app.exec()))
""")


def _run(tmp_path, *args):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "NNPLAYGROUND_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_closing_during_a_long_batch_exits_0_without_qthread_abort(tmp_path):
    done = _run(tmp_path)
    assert "closing" in done.stdout, done.stderr
    assert "QThread: Destroyed" not in done.stderr
    assert done.returncode == 0, done.stderr[-2000:]


def test_closing_during_a_long_batch_still_writes_the_save_asked_for_before(tmp_path):
    """The save waits for the batch to end (the window is gone meanwhile), then the process exits 0."""
    target = tmp_path / "asked.npz"
    done = _run(tmp_path, str(target))
    assert "closing" in done.stdout, done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
    from nnplayground.models import load_model
    assert [w.shape for w in load_model(target).get_weights()][:2] == [(784, 3000), (3000,)]


SUPERSEDED = textwrap.dedent("""
    import os, sys, threading
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nnplayground.app.main_window import MainWindow
    from nnplayground.session.experiment import Experiment

    reading = threading.Event()

    load = Experiment.load_data

    def stuck(self, *args, **kwargs):  # a file on a disk that stopped answering
        if not str(self.data_path).startswith("/slow"):
            return load(self, *args, **kwargs)
        reading.set()
        threading.Event().wait()

    Experiment.load_data = stuck
    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()

    def choose_twice():
        window._load_in_background(window.session.experiment.replaced(dataset="file", data_path="/slow/first"))
        reading.wait(10)
        window._load_in_background(window.session.experiment.replaced(dataset="file", data_path="/slow/second"))
        print("closing", flush=True)
        window.close()
        # The window's children go with it: a loader thread still running among them aborts the process.
        shiboken6.delete(window)
        print("deleted", flush=True)
        os._exit(0)  # the stuck threads never end: leave as app.main.leave does

    QTimer.singleShot(0, choose_twice)
    app.exec()
""")


def test_closing_while_a_superseded_data_loader_still_runs_exits_0(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "NNPLAYGROUND_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", SUPERSEDED], env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert "closing" in done.stdout, done.stderr
    assert "QThread: Destroyed" not in done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
