"""The window's autosave: a timer that keeps the session's experiment and network (nnplayground.session.
autosave), the offer to bring back what a crash left, and the last autosave when the window closes.

A clean close keeps the work without asking, and the next launch brings it back as it was; after a crash
or a kill the next launch offers Restore or Discard, since what was running then may be what crashed.
"""

import logging
import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from nnplayground.app.banner import ABOUT_FILE
from nnplayground.session import autosave
from nnplayground.session.files import ModelFileError


class WindowAutosave(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("autosave")
        self.window = window
        self.launch = autosave.at_launch()  # before the store writes: a crash's files are set aside first
        self.store = autosave.Autosave(window.session)
        self.timer = QTimer(self)
        self.timer.setObjectName("autosaveTimer")
        self.timer.setInterval(int(autosave.interval() * 1000))
        self.timer.timeout.connect(self.store.save_if_changed)
        self.timer.start()
        self.restored: autosave.Saved | None = None  # the autosave brought back last

    def offer(self) -> None:
        """As the window starts: bring back a clean close's work, offer a crash's, say what cannot be read."""
        launch, window = self.launch, self.window
        if launch.problem:
            window.show_message(self.tr("{0}. It was left as it is.").format(launch.problem.rstrip(".")), ABOUT_FILE)
        if launch.crashed is not None:
            window.show_message(
                self.tr("nnplayground did not close properly last time. Its autosave from {0} can be brought "
                        "back: the experiment and the network's weights.").format(launch.crashed.describe()),
                ABOUT_FILE, [(self.tr("Restore"), self.restore_crashed), (self.tr("Discard"), self.discard_crashed)])
        if launch.closed is not None:
            self.bring_back(launch.closed)

    def bring_back(self, saved: autosave.Saved) -> None:
        """A clean close's network, without asking: the settings already brought its experiment back, so
        the network joins it, unless the experiment was edited meanwhile (the user's word comes first)."""
        if saved.model_file is None:
            return

        def use(model):
            session = self.window.session
            if session.experiment == saved.experiment and session.run_log.step == 0 and session.control is None:
                self.window.use_experiment(saved.experiment, model, source=f"the autosave of {saved.describe()}")
                self.restored = saved
        self.window.files.start(saved.load_model, use, lambda error: self.window.show_message(
            self.tr("Last time's network could not be brought back: {0}").format(error), ABOUT_FILE))

    def restore_crashed(self) -> None:
        crashed = self.launch.crashed
        if crashed is not None:
            self.restore(crashed, then=lambda: autosave.discard(crashed.folder))

    def discard_crashed(self) -> None:
        if self.launch.crashed is not None:
            autosave.discard(self.launch.crashed.folder)
            self.launch.crashed = None

    def restore(self, saved: autosave.Saved, then=None) -> None:
        """Bring `saved` back: its network read off the GUI thread, then its experiment with it."""
        def use(model):
            self.window.use_experiment(saved.experiment, model, source=f"the autosave of {saved.describe()}")
            self.restored = saved
            if then is not None:
                then()
            if saved.step:
                self.window.show_message(self.tr("Restored the network as autosaved at {0}.").format(saved.describe()))

        def failed(error):
            if not isinstance(error, ModelFileError):
                logging.getLogger(__name__).error("restoring the autosave failed", exc_info=error)
            self.window.show_message(self.tr("Could not bring the autosave back: {0}").format(error), ABOUT_FILE)
        self.window.files.start(saved.load_model, use, failed)

    def may_close(self) -> bool:
        """Before the window closes: if autosave cannot keep a trained network (its last write failed), ask
        whether to save it first. False: the user chose to stay."""
        session, error = self.window.session, self.store.last_error
        if error is None or session.model is None or not (session.run_log.step or session.run_log.source):
            return True
        box = QMessageBox(QMessageBox.Warning, self.tr("Close nnplayground"),
                          self.tr("Your network cannot be autosaved ({0}): closing now loses it. Save it to a "
                                  "file first?").format(error),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self.window)
        box.setObjectName("closeDialog")
        answer = box.exec()
        if answer == QMessageBox.Save:
            return self.window._ask_where_to_save()  # the save is written before the process ends
        return answer == QMessageBox.Discard

    def close(self) -> None:
        """The window's last autosave (its run has stopped, or is left inside a batch); once."""
        if not self.timer.isActive():
            return
        self.timer.stop()
        if not self.store.close():
            print(f"nnplayground: the last autosave could not be written: {self.store.last_error}", file=sys.stderr)
