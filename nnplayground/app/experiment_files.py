"""Experiments as files in the window: File > Open experiment..., Save experiment as... and Presets.

An opened file or a preset becomes the window's experiment through the session (MainWindow.use_experiment);
a file that cannot be opened leaves the experiment as it was and says which key on which line is wrong.
"""

import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from nnplayground.app.banner import ABOUT_FILE
from nnplayground.session import presets
from nnplayground.session.experiment_file import SUFFIX, ExperimentFileError, load_experiment, save_experiment


def with_suffix(path: str) -> str:
    """`path` ending in .toml, as the save dialog's filter implies: "my run" and "lr0.01" get it added (the
    Open dialog, filtered on *.toml, would hide them), "exp.toml" stays."""
    return path if path.lower().endswith(SUFFIX) else path + SUFFIX


class ExperimentFiles(QObject):
    """The File menu's experiment entries and what they do, for `window` (a MainWindow)."""

    def __init__(self, window, file_menu: QMenu):
        super().__init__(window)
        self.window = window
        self._opens = 0  # files asked for: only the newest one is used
        self.open_action = file_menu.addAction(self.tr("Open experiment..."), self.ask_to_open)
        self.open_action.setObjectName("openExperimentAction")
        self.open_action.setShortcut(QKeySequence.Open)
        self.open_action.setToolTip(self.tr("Open an experiment file (.toml): data, layers and training settings"))
        self.save_action = file_menu.addAction(self.tr("Save experiment as..."), self.ask_where_to_save)
        self.save_action.setObjectName("saveExperimentAction")
        self.save_action.setShortcut(QKeySequence.SaveAs)
        self.presets_menu = file_menu.addMenu(self.tr("Presets"))
        self.presets_menu.setObjectName("presetsMenu")
        self.presets_menu.setToolTipsVisible(True)
        self._fill_presets_menu()
        file_menu.addSeparator()

    # ----- open -----------------------------------------------------------------------------------

    def ask_to_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Open an experiment"), "",
                                              self.tr("Experiments (*.toml);;All files (*)"))
        if path:
            self.open_experiment(path)

    def open_path(self, path: str) -> None:
        """A file named on the command line: a model (.npz) or an experiment (anything else)."""
        if Path(path).suffix.lower() == ".npz":
            self.window.open_model(path)
        else:
            self.open_experiment(path)

    def open_experiment(self, path: str) -> None:
        """Read the file off the GUI thread; a good one becomes the experiment, a bad one changes nothing
        and the message names the file, and each wrong key with its line."""
        self._opens += 1
        ticket = self._opens

        def use(experiment):
            if ticket == self._opens:  # an earlier open that finishes later must not replace a later one
                self.window.use_experiment(experiment)
                self.window.recent.add("experiment", path)
                self.window.show_message(self.tr("Opened the experiment {0}.").format(path))
        self.window.files.start(lambda: load_experiment(path), use, self._could_not_open)

    def _could_not_open(self, error: Exception) -> None:
        if not isinstance(error, ExperimentFileError | OSError):  # a bug of ours, not the file's: keep its trace
            logging.getLogger(__name__).error("opening an experiment failed", exc_info=error)
        self.window.show_message(self.tr("Could not open the experiment: {0}. The experiment stays as it "
                                         "was.").format(str(error).rstrip(".")), ABOUT_FILE)

    # ----- save -----------------------------------------------------------------------------------

    def ask_where_to_save(self) -> None:
        dialog = QFileDialog(self.window, self.tr("Save the experiment"), "experiment" + SUFFIX,
                             self.tr("Experiments (*.toml)"))
        dialog.setAcceptMode(QFileDialog.AcceptSave)
        dialog.setDefaultSuffix(SUFFIX.lstrip("."))  # added before the dialog asks about replacing a file
        if dialog.exec() and dialog.selectedFiles():
            self.save_experiment(dialog.selectedFiles()[0])

    def save_experiment(self, path: str) -> Path | None:
        """Write the session's experiment to `path` (.toml added when it does not end so), atomically;
        the path written, or None with a message if it could not be."""
        try:
            written = save_experiment(self.window.session.experiment, with_suffix(path))
        except (OSError, ValueError) as error:
            self.window.show_message(self.tr("Could not save the experiment: {0}").format(error), ABOUT_FILE)
            return None
        self.window.recent.add("experiment", written)
        self.window.show_message(self.tr("Saved the experiment to {0}.").format(written))
        return written

    # ----- presets --------------------------------------------------------------------------------

    def _fill_presets_menu(self) -> None:
        self.presets_menu.clear()
        try:
            found = presets.presets()
        except (ExperimentFileError, OSError) as error:  # a damaged installation: said, never a crash
            self.presets_menu.addAction(self.tr("Presets cannot be read: {0}").format(error)).setEnabled(False)
            return
        for preset in found:
            action = self.presets_menu.addAction(preset.title, lambda name=preset.name: self.apply_preset(name))
            action.setObjectName(f"preset-{preset.name}")
            action.setToolTip(preset.description)
            action.setStatusTip(preset.description)

    def apply_preset(self, name: str) -> bool:
        """Make the preset called `name` the experiment; False with a message if there is none."""
        try:
            preset = presets.find(name)
            experiment = preset.load()
        except (ValueError, OSError) as error:
            self.window.show_message(self.tr("Could not use the preset: {0}").format(error), ABOUT_FILE)
            return False
        self.window.use_experiment(experiment)
        self.window.show_message(f"{preset.title}: {preset.description}.")
        return True
