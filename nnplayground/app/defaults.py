"""Restore defaults: the layers and training settings back to what the data in use starts with, and the
window's layout back to its first-launch shape, in one click. The data stays; a run under way is asked
about first (it stops; its network stays in the Runs menu)."""

from PySide6.QtWidgets import QApplication, QMessageBox

from nnplayground.session import State
from nnplayground.session.experiment import experiment_for_dataset
from nnplayground.session.session import DATA_FIELDS

SPLITTER_SIZES = [390, 520, 370]  # controls, centre, weights
CENTRE_SIZES = [170, 630]  # diagram, curves


def restore_defaults(window, ask: bool = True) -> bool:
    """Restore the defaults (see the module); False if the user kept the run going."""
    session = window.session
    if ask and session.state is not State.IDLE:
        box = QMessageBox(QMessageBox.Question, window.tr("Restore defaults"),
                          window.tr("A run is under way. Restoring the defaults stops it; its network stays in the "
                                    "Runs menu. Restore the defaults?"),
                          QMessageBox.RestoreDefaults | QMessageBox.Cancel, window)
        box.setObjectName("restoreDefaultsDialog")
        if box.exec() != QMessageBox.RestoreDefaults:
            return False
    e = session.experiment
    data = {key: getattr(e, key) for key in DATA_FIELDS if key != "dataset"}
    window.use_experiment(experiment_for_dataset(e.dataset, **data))
    restore_layout(window)
    return True


def restore_layout(window) -> None:
    """The panels' sizes, the pages shown and the window's place as at the first launch."""
    from nnplayground.app.main_window import window_placement  # the window module imports this one

    window.splitter.setSizes(SPLITTER_SIZES)
    window._training_sizes = None
    window.centre_tabs.setCurrentIndex(0)
    window.centre_tabs.widget(0).setSizes(CENTRE_SIZES)
    window.weight_view.tabs.setCurrentIndex(0)
    window.showNormal()
    available = (window.screen() or QApplication.primaryScreen()).availableGeometry()
    rect, maximized = window_placement(None, available)
    window.setGeometry(rect)
    if maximized:
        window.showMaximized()
