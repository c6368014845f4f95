"""Start the window: `nnplayground` or `python -m nnplayground`."""

import os
import sys
import tempfile

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from nnplayground.app import theme
from nnplayground.app.main_window import MainWindow


def run(argv=None) -> int:
    if "XDG_RUNTIME_DIR" not in os.environ:  # silences Qt's warning where no session set one
        os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="nnplayground-")
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("nnplayground")
    app.setOrganizationName("nnplayground")
    theme.apply_theme(app, str(QSettings("nnplayground", "nnplayground").value("theme", "light")))
    window = MainWindow()
    window.show()
    return app.exec()
