"""Input widgets that behave: number boxes that read what tutorials write, and a wheel that scrolls.

Two habits of stock Qt widgets edit a setting the user never meant to touch: the mouse wheel changes
whatever spin box, combo box or slider passes under the pointer while a panel scrolls, and a
QDoubleSpinBox reads "1e-3" as 1.0 (it drops what it cannot parse) and silently reverts "0".
"""

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QScrollBar,
)

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PART_OF_NUMBER = re.compile(r"[+-]?\d*\.?\d*([eE][+-]?\d*)?")
PROBLEM_STYLE = "border: 2px solid #d62728;"


def format_number(value: float) -> str:
    """0.001, 0.25, 3e-5: as short as the value allows, the way tutorials write learning rates."""
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e6:
        return f"{value:.6f}".rstrip("0").rstrip(".")
    mantissa, exponent = f"{value:.3g}".split("e")
    return f"{mantissa}e{int(exponent)}"


def parse_number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    return float(text) if _NUMBER.fullmatch(text) else None


class NumberBox(QDoubleSpinBox):
    """A number box for rates and penalties: reads 0.001, .001, 1e-3 and 1E-3 alike; an out-of-range or
    unfinished number stays in the box, framed in red, with the allowed range (`problem_changed`), and the
    setting keeps its last good value until the box holds a good one."""

    problem_changed = Signal(str)  # "" once the box holds a good number again

    def __init__(self, low: float, high: float, what: str, parent=None):
        super().__init__(parent)
        self.what = what
        self.setDecimals(12)  # the value is not rounded to what is shown: 3e-7 stays 3e-7
        self.setRange(low, high)
        self.setKeyboardTracking(False)
        self.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.problem = ""
        self._outside: float | None = None  # a value shown that the range does not allow (show_value)
        self.lineEdit().textEdited.connect(self._forget_outside)

    def _forget_outside(self, _text) -> None:
        self._outside = None

    # ----- Qt's text <-> value protocol ---------------------------------------------------------

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return format_number(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        value = parse_number(text)
        return self.value() if value is None else value

    def validate(self, text: str, position: int):
        stripped = text.strip().replace(",", ".")
        value = parse_number(stripped)
        if value is not None and self.minimum() <= value <= self.maximum():
            return QValidator.Acceptable, text, position
        if value is not None or _PART_OF_NUMBER.fullmatch(stripped):
            return QValidator.Intermediate, text, position
        return QValidator.Invalid, text, position

    def fixup(self, text: str) -> str:
        return text  # never complete or clip what was typed: say what is wrong instead

    # ----- a bad number stays in view -------------------------------------------------------------

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not self._accepts_text():
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event):  # noqa: N802 - Qt's name
        if not self._accepts_text():
            # QAbstractSpinBox would put the old value back and lose what was typed.
            self.lineEdit().deselect()
            QObject.event(self, event)
            self.update()
            return
        super().focusOutEvent(event)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt's name
        super().stepBy(steps)
        self._accepts_text()

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt's name
        super().setValue(value)
        self._outside = None
        self._set_problem("")

    def show_value(self, value: float) -> None:
        """Show a setting as it is, even outside the box's range (an opened file's learning rate of 1e6):
        a clamped 10 would hide what the network really trains with. The session flags the problem."""
        self.setValue(value)
        if not self.minimum() <= value <= self.maximum():
            self.lineEdit().setText(format_number(value))
            self._outside = value

    def setting(self) -> float:
        """What the box stands for: the value shown by `show_value` until the user edits it, else value()."""
        return self._outside if self._outside is not None else self.value()

    def _accepts_text(self) -> bool:
        text = self.cleanText()
        if self.validate(text, 0)[0] == QValidator.Acceptable:
            self._set_problem("")
            return True
        low, high = format_number(self.minimum()), format_number(self.maximum())
        self._set_problem(self.tr("{0}: \"{1}\" is not a number from {2} to {3}; it stays {4} until it is.")
                          .format(self.what, text.strip(), low, high, format_number(self.value())))
        return False

    def _set_problem(self, problem: str) -> None:
        if problem != self.problem:
            self.problem = problem
            self.setStyleSheet(PROBLEM_STYLE if problem else "")
            self.problem_changed.emit(problem)


# ----- the wheel scrolls the panel, not the control under the pointer ------------------------------


class _WheelGuard(QObject):
    """Wheel events reach a guarded control only when it has focus (the user clicked or tabbed into it);
    otherwise they scroll the nearest scroll area, as if the control were not there."""

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() != QEvent.Wheel or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not (isinstance(area, QAbstractScrollArea)
                                        and area.verticalScrollBar().isVisible()):
            area = area.parentWidget()  # the nearest area that can scroll: a short list inside does not
        if area is not None:  # a copy: the original is still travelling up from the control
            event = QWheelEvent(event.position(), event.globalPosition(), event.pixelDelta(), event.angleDelta(),
                                event.buttons(), event.modifiers(), event.phase(), event.inverted())
            QApplication.sendEvent(area.verticalScrollBar(), event)
        event.accept()
        return True


_guard: _WheelGuard | None = None
GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)


def guard_wheel(*widgets) -> None:
    """Spin boxes, combo boxes and sliders: focus by click or Tab only (not by the wheel), and the wheel
    edits them only once focused."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard(QApplication.instance())
    for widget in widgets:
        widget.setFocusPolicy(Qt.StrongFocus)
        widget.installEventFilter(_guard)


def guard_wheel_in(container) -> None:
    """Every spin box, combo box and slider inside `container` (scroll bars are sliders too: not them)."""
    guard_wheel(*(widget for kind in GUARDED for widget in container.findChildren(kind)
                  if not isinstance(widget, QScrollBar)))
