"""Start the window: `nnplayground` or `python -m nnplayground`."""

import os
import sys
import tempfile

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from nnplayground.app import theme, worker
from nnplayground.app.main_window import MainWindow


def run(argv=None, path: str | None = None, preset: str | None = None) -> int:
    """The window until it closes; `path` (an experiment .toml or a model .npz) or `preset` opened in it."""
    if "XDG_RUNTIME_DIR" not in os.environ:  # silences Qt's warning where no session set one
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="nnplayground-")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("nnplayground")
    app.setOrganizationName("nnplayground")
    theme.apply_theme(app, str(QSettings("nnplayground", "nnplayground").value("theme", "light")))
    window = build_window(path, preset)
    window.show()
    return leave(app.exec())


def build_window(path: str | None = None, preset: str | None = None) -> MainWindow:
    """The window as the command line asks for it: with its last experiment, then `path` or `preset`
    opened; a file or preset that cannot be opened leaves that experiment, with a message that says why."""
    window = MainWindow()
    # After the window's own first data load (queued by its constructor): a newer choice supersedes it
    if preset is not None:
        QTimer.singleShot(0, lambda: window.experiment_files.apply_preset(preset))
    if path is not None:
        QTimer.singleShot(0, lambda: window.experiment_files.open_path(path))
    return window


def leave(code: int) -> int:
    """The exit code, once the window has closed. A worker still inside a long batch (or a download waiting
    on the network) cannot be interrupted, and Python's normal exit would destroy its running QThread,
    which aborts the process; its work ends with the window anyway, so the process ends here, at once."""
    if worker.unfinished_threads():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
