"""The learning-rate finder in the window: its button opens the range test, which runs on the worker
thread with progress; "Use this rate" puts the suggestion in the settings panel; Cancel stops it; the
button is off while a run trains."""

from PySide6.QtCore import Qt

from nnplayground.session import State
from tests.app.helpers import click, open_window


def test_use_this_rate_puts_the_suggestion_in_the_settings_panel(qtbot):
    window = open_window(qtbot)
    session = window.session
    session.load_data(dataset="moons", n_samples=200)
    session.update(batch_size=10)
    weights = session.model.flat_weights.copy()
    click(qtbot, window, "lrFinderButton")
    dialog = window.lr_finder
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.use_button.isEnabled(), timeout=20_000)
    suggestion = dialog.suggestion
    assert 1e-4 < suggestion < 1 and dialog.marker.isVisible()
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "Suggested learning rate" in dialog.status.text() and f"{suggestion:g}" in dialog.status.text()
    assert len(dialog.curve.getData()[0]) == len(dialog.job.result.rates) > 20
    qtbot.mouseClick(dialog.use_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert window.settings_panel.learning_rate.value() == suggestion == session.experiment.learning_rate
    assert (session.model.flat_weights == weights).all()  # the network itself was never trained


def test_cancel_stops_the_test_and_closes(qtbot):
    window = open_window(qtbot)  # the MNIST sample: a test that takes a while
    click(qtbot, window, "lrFinderButton")
    dialog = window.lr_finder
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.session.side_control is None, timeout=10_000)
    result = dialog.job.result
    assert result.ended == "cancelled" and len(result.rates) < result.planned
    assert window.settings_panel.learning_rate.value() == 0.001  # nothing changed
    click(qtbot, window, "trainButton")  # and training works again
    assert window.session.state is State.RUNNING
    click(qtbot, window, "stopButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=10_000)


def test_the_button_is_off_while_a_run_trains(qtbot):
    window = open_window(qtbot)
    button = window.settings_panel.find_rate
    assert button.isEnabled()
    click(qtbot, window, "trainButton")
    assert not button.isEnabled()
    click(qtbot, window, "pauseButton")
    assert not button.isEnabled()  # a paused run is a run: its network is not at rest
    click(qtbot, window, "stopButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=10_000)
    assert button.isEnabled()
