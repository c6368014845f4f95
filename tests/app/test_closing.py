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
    from nnplayground.session import LayerSpec, State

    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()

    def train_big():
        if window.session.dataset is None:
            QTimer.singleShot(20, train_big)
            return
        # Two 4096-unit layers on batches of 4000: one batch takes seconds on two cores.
        window.session.update(layers=[LayerSpec(4096), LayerSpec(4096)], batch_size=4000, epochs=5)
        window.session.train()
        close_inside_a_batch()

    def close_inside_a_batch():
        job = window.runner.thread
        if window.session.state is not State.RUNNING or job is None or not job.isRunning():
            QTimer.singleShot(20, close_inside_a_batch)
            return
        print("closing", flush=True)
        window.close()

    QTimer.singleShot(0, train_big)
    sys.exit(main.leave(app.exec()))
""")


def test_closing_during_a_long_batch_exits_0_without_qthread_abort(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "NNPLAYGROUND_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert "closing" in done.stdout, done.stderr
    assert "QThread: Destroyed" not in done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
