"""Driving the window the way a person does: clicks on buttons, keys in boxes."""

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
)

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


def tick(qtbot, check_box):
    """Click a check box on its box (its middle may be empty space right of the text)."""
    qtbot.mouseClick(check_box, Qt.LeftButton, pos=QPoint(8, check_box.height() // 2))


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


def wheel(widget, notches: int = -1) -> None:
    """Turn the mouse wheel over the middle of `widget` (negative: towards the user, scrolling down).

    Qt propagates a wheel event from the innermost widget under the pointer to its parents until one
    accepts it, but only for events from the window system; so the walk up is done here, as Qt does it.
    """
    centre = widget.rect().center()
    target = widget.childAt(centre) or widget
    position = target.mapFrom(widget, centre) if target is not widget else centre
    while target is not None:
        event = QWheelEvent(QPointF(position), QPointF(target.mapToGlobal(position)), QPoint(0, 0),
                            QPoint(0, 120 * notches), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        event.ignore()
        QApplication.sendEvent(target, event)
        if event.isAccepted() or target.isWindow():
            return
        position = target.mapToParent(position)
        target = target.parentWidget()


def settle(qtbot, *owners, timeout=20_000):
    """Until every file the window (or a panel) is reading off the GUI thread has been handled."""
    qtbot.waitUntil(lambda: not any(owner.files.running for owner in owners), timeout=timeout)


def answer_save_dialog(qtbot, path: str, seen: list | None = None) -> None:
    """Once a save dialog is up: write `path` in its name box and click Save, as a person does (`seen`
    collects the dialog's filters)."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        if seen is not None:
            seen.append(dialog.nameFilters())
        dialog.findChild(QLineEdit, "fileNameEdit").setText(path)  # typed letters would open the completer
        buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
        qtbot.mouseClick(buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    QTimer.singleShot(0, answer)


def answer_message_box(button, seen: list) -> None:
    """Once a message box is up: click its `button` (a QMessageBox.StandardButton); `seen` collects its
    text."""
    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(button).click()
    QTimer.singleShot(0, answer)


class Paints(QObject):
    """Counts the paint events `widget` receives (reset `count` to start again)."""

    def __init__(self, widget):
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        self.count += event.type() == QEvent.Paint
        return False
