"""Loads (and if needed downloads) a dataset off the GUI thread, reporting progress; cancellable."""

import copy
import logging

from PySide6.QtCore import QThread, Signal

from nnplayground.session.data import DownloadCancelled
from nnplayground.session.experiment import Experiment


def _snapshot(personal):
    """The user's digits as they are now, for the loader's thread: the GUI thread may add or relabel
    one meanwhile, and a half-done edit would give images and labels of different lengths."""
    if personal is None:
        return None
    snapshot = copy.copy(personal)
    snapshot.x, snapshot.y = personal.x.copy(), personal.y.copy()
    return snapshot


class DataLoader(QThread):
    progress = Signal(int, int)  # bytes so far, total (0: unknown)
    loaded = Signal(object)  # a catalog.Dataset
    failed = Signal(str)

    def __init__(self, experiment: Experiment, personal=None, parent=None):
        super().__init__(parent)
        self.setObjectName("dataLoader")
        self.experiment, self.personal = experiment, _snapshot(personal)
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def _progress(self, done, total):
        if self.cancelled:
            raise DownloadCancelled()
        self.progress.emit(min(done, 2**31 - 1), min(total, 2**31 - 1))

    def run(self) -> None:
        try:
            self.loaded.emit(self.experiment.load_data(progress=self._progress, personal=self.personal))
        except DownloadCancelled:
            self.failed.emit("")
        except (OSError, ValueError) as error:  # DatasetError is a ValueError: a bad file, said plainly
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - a bug of ours must still reach the window, not kill the thread
            logging.getLogger(__name__).error("loading the data failed", exc_info=error)
            self.failed.emit(f"{type(error).__name__}: {error}")
