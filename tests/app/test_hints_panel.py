"""The hints panel in the window: after a real run it shows the hint with its evidence; a click on a fix
changes what the settings panel shows (through the session); Dismiss hides it for the run."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QPushButton

from nnplayground.session import LayerSpec, State
from tests.app.helpers import click, open_window


def _train_moons(qtbot, window, **settings):
    """Moons on 200 points, a tiny network with `settings`, trained with the Train button to the end."""
    session = window.session
    session.load_data(dataset="moons", n_samples=200)
    session.update(**{"layers": [LayerSpec(8), LayerSpec(8)], "batch_size": 10, **settings})
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: session.run_log.finish_reason is not None and session.state is State.IDLE,
                    timeout=20_000)


def _card(qtbot, window, hint_id) -> QFrame:
    qtbot.waitUntil(window.hints_panel.isVisible)
    card = window.hints_panel.findChild(QFrame, f"hint_{hint_id}")
    assert card is not None and card.isVisible(), window.hints_panel.hint_ids()
    return card


def test_a_flat_run_shows_its_hint_and_its_fix_sets_the_rate_in_the_settings_panel(qtbot):
    window = open_window(qtbot)
    assert not window.hints_panel.isVisible()  # nothing to say before a run
    _train_moons(qtbot, window, optimizer="sgd", epochs=20, learning_rate=1e-5)
    card = _card(qtbot, window, "loss_flat")
    assert "too low" in card.text.text() and "learning rate 1e-05" in card.evidence.text()
    qtbot.mouseClick(card.findChild(QPushButton, "hintFix0"), Qt.LeftButton)
    assert window.settings_panel.learning_rate.value() == 1e-4
    assert window.session.model.optimizer.learning_rate == 1e-4
    qtbot.waitUntil(lambda: not window.hints_panel.isVisible())  # fixed: quiet for this run


def test_a_diverged_run_is_a_hint_not_a_banner_and_a_tenth_of_the_rate_restarts_from_the_same_start(qtbot):
    window = open_window(qtbot)
    session = window.session
    session.load_data(dataset="moons", n_samples=200)
    session.update(layers=[LayerSpec(8, "linear"), LayerSpec(8, "linear")], optimizer="momentum", epochs=1000,
                   batch_size=10, learning_rate=10.0)
    click(qtbot, window, "trainButton")
    card = _card(qtbot, window, "rate_too_high")
    assert session.state is State.PAUSED and not window.banner.isVisible()
    assert "diverged" in card.text.text() and "non-finite loss at step" in card.evidence.text()
    start = session.initial_weights
    button = card.findChild(QPushButton, "hintFix0")
    assert button.text() == "Rate 1, same start"
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: session.state is State.IDLE and session.run_log.step == 0)
    assert window.settings_panel.learning_rate.value() == 1.0
    assert all(np.array_equal(a, b) for a, b in zip(session.model.get_weights(), start, strict=True))
    assert not window.hints_panel.isVisible()


def test_dismiss_hides_a_hint_for_the_rest_of_the_run_and_it_is_seen_from_every_tab(qtbot):
    window = open_window(qtbot)
    _train_moons(qtbot, window, epochs=8, learning_rate=0.003)
    card = _card(qtbot, window, "still_improving")
    window.centre_tabs.setCurrentWidget(window.decision_view)
    assert window.hints_panel.isVisible()  # under the tabs, not on one of them
    qtbot.mouseClick(card.findChild(QPushButton, "hintDismiss"), Qt.LeftButton)
    assert not window.hints_panel.isVisible()
    window.session.update(l2=0.0001)  # a change checks the hints again: it stays quiet
    assert not window.hints_panel.isVisible() and window.hints_panel.hint_ids() == []


def test_the_panel_follows_the_dark_theme(qtbot):
    window = open_window(qtbot)
    _train_moons(qtbot, window, epochs=8, learning_rate=0.003)
    card = _card(qtbot, window, "still_improving")
    def lightness():
        return QColor(card.grab().toImage().pixel(4, 4)).lightness()

    window.set_theme("light")  # whatever an earlier test left
    assert lightness() > 180
    window.set_theme("dark")
    dark = lightness()
    window.set_theme("light")
    assert dark < 90 and lightness() > 180


def test_a_hint_never_pushes_the_window_off_a_1024x600_screen(qtbot):
    """The panel takes only the room the tabs above it can spare: the status bar and the plots stay on a
    small screen, and the hint scrolls instead."""
    window = open_window(qtbot, 1024, 600 - 40)
    _train_moons(qtbot, window, epochs=8, learning_rate=0.003)
    _card(qtbot, window, "still_improving")
    qtbot.waitUntil(lambda: window.hints_panel.height() > 0)
    assert window.minimumSizeHint().height() <= 560 and window.height() == 560
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() < window.height()
    for name in ("lossPlot", "accuracyPlot"):
        assert window.findChild(object, name).height() >= 90, name
    assert window.hints_panel.height() >= 60  # its first line and buttons, the rest scrolls
