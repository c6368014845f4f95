"""Recent files, Restore defaults, Help > About and the shortcuts list, with real files and clicks."""

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPlainTextEdit

from nnplayground.session import LayerSpec, State
from nnplayground.session.experiment import dataset_defaults
from tests.app.helpers import answer_message_box, click, open_window


def _recent(window) -> dict[str, list[QAction]]:
    menu = window.recent.menu
    menu.aboutToShow.emit()
    found: dict[str, list[QAction]] = {}
    for action in menu.actions():
        found.setdefault(action.objectName(), []).append(action)
    return found


def _weights_equal(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_recent_files_come_back_with_the_settings_and_open_with_a_click(qtbot, tmp_path):
    window = open_window(qtbot)
    window.session.load_data(dataset="moons")
    window.session.update(layers=[LayerSpec(3)], epochs=2)
    window.session.train()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    saved, data = tmp_path / "saved.npz", tmp_path / "digits.npz"
    window.save_model(str(saved))
    x = np.random.default_rng(0).integers(0, 255, (40, 4, 4)).astype(np.uint8)
    np.savez(data, x_train=x[:30], y_train=np.arange(30) % 3, x_test=x[30:], y_test=np.arange(10) % 3)
    window.open_data_path(str(data))
    qtbot.waitUntil(lambda: window.session.experiment.dataset == "file", timeout=10_000)
    window.experiment_files.save_experiment(str(tmp_path / "mine"))
    gone = tmp_path / "gone.npz"
    window.save_model(str(gone))
    window.close()
    gone.unlink()

    again = open_window(qtbot)  # the same settings, as at the next launch
    recent = _recent(again)
    models = [action.text() for action in recent["recent-model"]]
    assert models == [f"{gone} (missing)", str(saved)]
    assert [a.isEnabled() for a in recent["recent-model"]] == [False, True]
    assert [action.text() for action in recent["recent-data"]] == [str(data)]
    assert [action.text() for action in recent["recent-experiment"]] == [str(tmp_path / "mine.toml")]
    recent["recent-model"][1].trigger()
    qtbot.waitUntil(lambda: f"Opened {saved}" in again.banner.text(), timeout=10_000)  # read from the file
    recent["forgetMissingFiles"][0].trigger()
    assert [action.text() for action in _recent(again)["recent-model"]] == [str(saved)]


def test_restore_defaults_recovers_a_broken_setup_in_one_click(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="spiral", n_classes=3)
    window.session.update(optimizer="sgd", learning_rate=10.0, layers=[LayerSpec(4, "linear"), LayerSpec(4, "linear")])
    window.splitter.setSizes([600, 300, 200])
    window.centre_tabs.setCurrentIndex(3)
    trained_on = window.session.model
    window.findChild(QAction, "restoreDefaultsAction").trigger()  # idle: nothing is lost, nothing asked
    e = window.session.experiment
    defaults = dataset_defaults("spiral")
    assert (e.optimizer, e.learning_rate, e.layers) == ("adam", defaults["learning_rate"], defaults["layers"])
    assert (e.dataset, e.n_classes) == ("spiral", 3)  # the data stays
    assert window.session.model is not trained_on
    assert [spec.activation for spec in window.layer_stack.specs()] == ["relu", "relu"]  # the panels show it
    assert window.centre_tabs.currentIndex() == 0
    assert window.splitter.sizes()[0] < 600


def test_restore_defaults_mid_run_asks_first(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="spiral", n_classes=3)
    window.session.update(learning_rate=5.0, run_until_paused=True)
    click(qtbot, window, "trainButton")
    answers = []
    answer_message_box(QMessageBox.Cancel, answers)
    window.findChild(QAction, "restoreDefaultsAction").trigger()
    assert answers and "run is under way" in answers[0]
    assert window.session.experiment.learning_rate == 5.0 and window.session.state is State.RUNNING
    answer_message_box(QMessageBox.RestoreDefaults, answers)
    window.findChild(QAction, "restoreDefaultsAction").trigger()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=10_000)
    assert window.session.experiment.learning_rate == dataset_defaults("spiral")["learning_rate"]
    assert window.session.runs  # the stopped run's network stays in the Runs menu


def test_about_shows_the_version_the_licences_and_the_mnist_credit(qtbot):
    from importlib import metadata

    window = open_window(qtbot)
    window.findChild(QAction, "aboutAction").trigger()
    dialog = window.findChild(QDialog, "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    text = dialog.findChild(QLabel, "aboutText").text()
    assert f"nnplayground {metadata.version('nnplayground')}" in text
    for words in ("MIT", "LGPL-3.0", "NumPy", "BSD-3-Clause", "pyqtgraph", "Yann LeCun", "CC BY-SA 3.0"):
        assert words in text, words
    assert "Creative Commons" in dialog.findChild(QPlainTextEdit, "mnistNotice").toPlainText()


def test_the_shortcuts_list_names_every_menu_key(qtbot):
    window = open_window(qtbot)
    listed = " ".join(keys for _, keys in window.shortcuts())
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString()
            assert text in listed or text in ("Ctrl+Return",), f"{action.text()}: {text} is not listed"
