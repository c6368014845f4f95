"""Text that changes many times a second (figures in the status bar, the headline) without re-laying out
the window around it."""

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


class PaintedText(QWidget):
    """A line or a few of painted text. Unlike a QLabel, a new text never asks the layouts above it to look
    again: a QLabel whose text changes width posts a layout request, and its parent then repaints whole in
    a second pass. In a tab page QTabWidget repainted the page after every epoch (measured: the diagram
    beside the headline was painted once per report instead of four times a second); in the status bar,
    twice a report. `min_text`: the widest text it should show without growing (its minimum width)."""

    def __init__(self, alignment=Qt.AlignLeft | Qt.AlignVCenter, lines: int = 1, min_text: str = "",
                 parent=None):
        super().__init__(parent)
        self._text = ""
        self._alignment, self._lines, self._min_text = alignment, lines, min_text

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name
        if text != self._text:
            self._text = text
            self.setAccessibleName(text)
            self._show_whole_text_if_cut()
            self.update()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self):  # noqa: N802 - Qt's name
        width = max(200 if not self._min_text else 0, self.fontMetrics().horizontalAdvance(self._min_text) + 8)
        return QSize(width, self.fontMetrics().lineSpacing() * self._lines + 4)

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        width = self.fontMetrics().horizontalAdvance(self._min_text) + 8 if self._min_text else 60
        return QSize(width, self.fontMetrics().lineSpacing() + 2)

    def shown_text(self) -> str:
        """What fits: one line ends in "..." when it is too long (the full text is then its tooltip);
        more lines wrap."""
        if self._lines > 1:
            return self._text
        return self.fontMetrics().elidedText(self._text, Qt.ElideRight, max(0, self.width() - 2))

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        flags = Qt.TextWordWrap if self._lines > 1 else Qt.TextSingleLine
        painter.drawText(self.rect(), self._alignment | flags, self.shown_text())
        painter.end()

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._show_whole_text_if_cut()

    def _show_whole_text_if_cut(self) -> None:
        """The whole text as the tooltip while the line is cut short (set on a change, not at every paint:
        each setToolTip sends an event)."""
        tip = self._text if self.shown_text() != self._text else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
