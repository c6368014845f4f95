"""File > Export model...: the network as an ONNX file, for other programs to run it.

The session writes the file (Session.export_model): mid-run between two batches on the training thread,
otherwise from a copy of the weights on a thread of its own, so the window never waits for a large model.
How it went (written, no onnx package, a folder that cannot be written) comes back as a message.
"""

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu


class ModelExport(QObject):
    """The File menu's Export model... entry and what it does, for `window` (a MainWindow)."""

    def __init__(self, window, file_menu: QMenu):
        super().__init__(window)
        self.window = window
        self.action = file_menu.addAction(self.tr("Export model..."), self.ask_where)
        self.action.setObjectName("exportModelAction")
        self.action.setToolTip(self.tr("Write the network as an ONNX file, which other programs can run"))

    def ask_where(self) -> None:
        if self.window.session.model is None:
            self.window.show_message(self.tr("There is no network to export yet: pick data and layers first."))
            return
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export the network as ONNX"), "network.onnx",
                                              self.tr("ONNX models (*.onnx)"))
        if path:
            self.export(path)

    def export(self, path: str) -> None:
        """Write the network to `path` as ONNX (`.onnx` added to a name without a suffix)."""
        self.window.session.export_model(path, elsewhere=self._off_the_gui_thread)

    def _off_the_gui_thread(self, write, then) -> None:
        self.window.files.start(write, then, self._failed)

    def _failed(self, error: Exception) -> None:
        """Not a file's fault (those come back as the session's message): a bug of ours, so keep its trace."""
        logging.getLogger(__name__).error("exporting a model failed", exc_info=error)
        self.window.show_message(self.tr("Could not export the model: {0}").format(error))
