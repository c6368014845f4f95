"""Driving the window the way a person does: clicks on buttons, keys in boxes."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

from nnplayground.app import MainWindow


def open_window(qtbot, width=1280, height=800) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitUntil(lambda: window.session.dataset is not None, timeout=10_000)
    return window


def points(window) -> int:
    """Batches in the current run's log."""
    return len(window.session.run_log.batches)


def wait_until_parked(qtbot, window):
    """Until the paused job really waits and its last report has arrived."""
    session = window.session
    qtbot.waitUntil(lambda: session.control is not None and session.control.parked)
    qtbot.waitUntil(lambda: session.run_log.step == session.model.optimizer.iterations)


def click(qtbot, window, name):
    button = window.findChild(object, name)
    assert button is not None, name
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.LeftButton)


def type_into(qtbot, window_or_widget, name_or_widget, text):
    """Select what a spin box holds, type `text`, press Enter."""
    widget = window_or_widget.findChild(QAbstractSpinBox, name_or_widget) if isinstance(name_or_widget, str) \
        else name_or_widget
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key_Return)


def choose(qtbot, window, name, text):
    """Pick an entry of a combo box by typing its first letters, as keyboard users do."""
    combo = window.findChild(QComboBox, name)
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    return combo
