"""A canvas to draw a digit on: anti-aliased round strokes in white on black, undo, clear."""

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnplayground.session.data import STROKE_SHARE

CANVAS_SIZE = 280
# A digit drawn to fill about 70% of the canvas's height has MNIST's stroke with this pen.
DEFAULT_PEN = round(STROKE_SHARE * 0.7 * CANVAS_SIZE)


class DrawingCanvas(QWidget):
    """Emits `changed` after every stroke segment (so predictions follow the pen), and on undo and clear."""

    changed = Signal()

    def __init__(self, size: int = CANVAS_SIZE, parent=None):
        super().__init__(parent)
        self.setObjectName("drawingCanvas")
        self.setToolTip("Draw a digit with the mouse (or a pen). Esc clears, Ctrl+Z undoes the last stroke.")
        self.setFixedSize(size, size)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.setCursor(Qt.CrossCursor)
        self.setFocusPolicy(Qt.StrongFocus)
        self.image = QImage(size, size, QImage.Format_Grayscale8)
        self.image.fill(0)
        self.strokes: list[list[QPointF]] = []
        self.pen_width = DEFAULT_PEN
        self._drawing = False

    # ----- drawing ------------------------------------------------------------------------------

    def _pen(self) -> QPen:
        return QPen(QColor(255, 255, 255), self.pen_width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)

    def _paint_segment(self, a: QPointF, b: QPointF) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(self._pen())
        if a == b:
            painter.drawPoint(a)
        else:
            painter.drawLine(a, b)
        painter.end()

    def _render(self) -> None:
        """Draw every stroke anew (after undo)."""
        self.image.fill(0)
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(self._pen())
        for stroke in self.strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)
        painter.end()

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if event.button() != Qt.LeftButton:
            return
        point = event.position()
        self.strokes.append([point])
        self._drawing = True
        self._paint_segment(point, point)
        self.update()
        self.changed.emit()

    def mouseMoveEvent(self, event):  # noqa: N802
        if not self._drawing or not event.buttons() & Qt.LeftButton:
            return
        point = event.position()
        stroke = self.strokes[-1]
        self._paint_segment(stroke[-1], point)
        stroke.append(point)
        self.update()
        self.changed.emit()

    def mouseReleaseEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton:
            self._drawing = False

    def event(self, event):
        # Esc and Ctrl+Z are the canvas's own keys: the window's Esc (leave a field) must not take them.
        if event.type() == QEvent.ShortcutOverride and (event.key() == Qt.Key_Escape
                                                         or event.matches(QKeySequence.Undo)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self.clear()
        elif event.matches(QKeySequence.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self._render()
            self.update()
            self.changed.emit()

    def clear(self) -> None:
        self.strokes.clear()
        self.image.fill(0)
        self.update()
        self.changed.emit()

    def set_pen_width(self, width: int) -> None:
        self.pen_width = width
        self._render()
        self.update()
        self.changed.emit()

    def is_empty(self) -> bool:
        return not self.strokes

    def pixels(self) -> np.ndarray:
        """The drawing as a (height, width) uint8 array (a copy)."""
        width, height = self.image.width(), self.image.height()
        buffer = np.frombuffer(self.image.constBits(), np.uint8, count=self.image.sizeInBytes())
        return buffer.reshape(height, self.image.bytesPerLine())[:, :width].copy()

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if not self.strokes:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(self.rect(), Qt.AlignCenter, "draw a digit here")
