"""The architecture as a picture: neurons and links coloured by weight for small nets, blocks for big ones.

It draws the network the session's weights probe describes (the kernels' own shapes), never the panels'
idea of it, and nothing it draws may raise out of paintEvent.
"""

import logging

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnplayground.app import theme
from nnplayground.session.probes import kernels

MAX_DRAWN_NEURONS = 16  # per layer; above this a layer is drawn as a block
_COLOURS = [QColor(*map(int, rgb[:3])) for rgb in theme.DIVERGING.getLookupTable(nPts=101, mode="byte")]


def _link_pens(kernel: np.ndarray) -> list[tuple[QPen, list[tuple[int, int]]]]:
    """The links of a small layer grouped by pen, to be drawn a group at a time: the colour of the weight on
    the diverging map (red positive, blue negative, grey if not finite) and a width growing with its size,
    to a quarter pixel. Thinnest first, so that the strongest links lie on top."""
    finite = np.isfinite(kernel)
    limit = float(np.max(np.abs(kernel), initial=0.0, where=finite)) or 1.0
    share = np.clip(np.where(finite, kernel, 0.0) / limit, -1.0, 1.0)
    colour = np.where(finite, np.rint(50 + 50 * share), -1).astype(int)  # -1: not finite, drawn muted
    quarters = np.where(finite, np.rint((0.5 + 3.0 * np.abs(share)) * 4), 2).astype(int)
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, j, c, q in zip(*np.indices(kernel.shape).reshape(2, -1), colour.ravel(), quarters.ravel(), strict=True):
        groups.setdefault((int(q), int(c)), []).append((int(i), int(j)))
    return [(QPen(_COLOURS[c] if c >= 0 else QColor(theme.MUTED), q / 4), pairs)
            for (q, c), pairs in sorted(groups.items())]


class NetworkDiagram(QWidget):
    neuron_clicked = Signal(int, int)  # column (0: the inputs, 1: the first hidden layer, ...), unit

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.setToolTip("The network: inputs on the left, outputs on the right. Links are coloured by their "
                        "weight (red positive, blue negative) once training starts.")
        self.setMinimumHeight(90)  # the splitter gives it 170 px; a 600 px screen needs it smaller
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.sizes: list[int] = []
        self.labels: list[str] = []
        self.kernels: list[np.ndarray] = []
        session.events.connect("probed", lambda name, result: self.show_weights(result) if name == "weights"
                               else None)
        session.events.connect("model_changed", lambda model: self.show_weights(None) if model is None else None)

    def show_weights(self, result: dict | None) -> None:
        """The network in a WeightsProbe result: its kernels give the sizes, its activations the captions."""
        found = kernels(result) if result else []
        self.kernels = found
        self.sizes = [found[0].shape[0], *(kernel.shape[1] for kernel in found)] if found else []
        self.labels = ["input", *(layer["activation"] or "" for layer in result["layers"]
                                  if "kernel" in layer["weights"])] if found else []
        self.update()

    def _drawing_rect(self) -> QRectF:
        """Where the neurons go: above the captions, which take one line or, when the columns are close,
        two (their height decides the space below, so no caption is cut off at the bottom)."""
        rect = QRectF(self.rect()).adjusted(40, 12, -40, -26)
        if self.sizes:
            lines = max(text.count("\n") + 1 for _, text, _ in self.captions(rect))
            rect.setBottom(rect.bottom() - (lines - 1) * QFontMetricsF(self.font()).lineSpacing())
        return rect

    def _positions(self, column: int, count: int, rect: QRectF) -> list[QPointF]:
        x = rect.left() + rect.width() * column / max(len(self.sizes) - 1, 1)
        shown = min(count, MAX_DRAWN_NEURONS)
        step = rect.height() / max(shown, 1)
        return [QPointF(x, rect.top() + step * (i + 0.5)) for i in range(shown)]

    def paintEvent(self, event):  # noqa: N802 - Qt's name
        painter = QPainter(self)
        try:
            self._paint(painter)
        except Exception:  # an exception escaping paintEvent with a painter active can crash the process
            logging.getLogger(__name__).exception("could not draw the network")
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        text_colour = self.palette().color(self.foregroundRole())
        rect = self._drawing_rect()
        if not self.sizes:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignCenter, self.tr("Pick data and layers to see the network"))
            return
        columns = [self._positions(i, n, rect) for i, n in enumerate(self.sizes)]
        for i in range(len(self.sizes) - 1):
            self._draw_links(painter, i, columns[i], columns[i + 1])
        radius = max(3.0, min(9.0, rect.height() / (2.5 * MAX_DRAWN_NEURONS)))
        for count, points in zip(self.sizes, columns, strict=True):
            x = points[0].x() if points else rect.left()
            if count > MAX_DRAWN_NEURONS:
                block = QRectF(x - 9, rect.top(), 18, rect.height())
                painter.setPen(QPen(text_colour, 1))
                painter.setBrush(QColor(theme.TRAIN).lighter(150))
                painter.drawRoundedRect(block, 4, 4)
            else:
                painter.setPen(QPen(text_colour, 1))
                painter.setBrush(self.palette().color(self.backgroundRole()).lighter(110))
                for point in points:
                    painter.drawEllipse(point, radius, radius)
        painter.setPen(text_colour)
        for box, text, font in self.captions(rect):
            painter.setFont(font)
            painter.drawText(box, Qt.AlignHCenter | Qt.AlignTop, text)

    def captions(self, rect: QRectF) -> list[tuple[QRectF, str, QFont]]:
        """Each column's caption (activation and units) as (box, text, font): on one line when the columns
        are far apart, on two when they are close, in a smaller font when even that does not fit (10+
        layers), shortened with "..." as a last resort, so that neighbours never overlap."""
        count = len(self.sizes)
        spacing = rect.width() / max(count - 1, 1) if count > 1 else 120.0
        width = min(120.0, spacing - 4)
        font = QFont(self.font())
        result = []
        for i, units in enumerate(self.sizes):
            x = rect.left() + rect.width() * i / max(count - 1, 1)
            label = self.labels[i] if i < len(self.labels) else ""
            one_line = f"{label} · {units}" if label else str(units)
            text = one_line if QFontMetricsF(font).horizontalAdvance(one_line) <= width else \
                f"{label}\n{units}" if label else one_line
            fitted = QFont(font)
            while max(QFontMetricsF(fitted).horizontalAdvance(line) for line in text.split("\n")) > width \
                    and fitted.pointSizeF() > 7:
                fitted.setPointSizeF(fitted.pointSizeF() - 0.5)
            metrics = QFontMetricsF(fitted)  # still too wide: the activation's name ends in "..."
            text = "\n".join(metrics.elidedText(line, Qt.ElideRight, width) for line in text.split("\n"))
            height = (text.count("\n") + 1) * metrics.lineSpacing() + 2
            result.append((QRectF(x - width / 2, rect.bottom() + 2, width, height), text, fitted))
        return result

    def _draw_links(self, painter, index, left, right):
        big = self.sizes[index] > MAX_DRAWN_NEURONS or self.sizes[index + 1] > MAX_DRAWN_NEURONS
        kernel = self.kernels[index] if index < len(self.kernels) else None
        if kernel is not None and kernel.shape != (self.sizes[index], self.sizes[index + 1]):
            kernel = None
        if big or kernel is None:
            painter.setPen(QPen(QColor(theme.MUTED), 0.6))
            painter.drawLines([QLineF(a, b) for a in left[:: max(1, len(left) // 8)]
                               for b in right[:: max(1, len(right) // 8)]])
            return
        for pen, pairs in _link_pens(kernel):
            painter.setPen(pen)
            painter.drawLines([QLineF(left[i], right[j]) for i, j in pairs])

    def neuron_at(self, position: QPointF) -> tuple[int, int] | None:
        """(column, unit) of the drawn neuron under `position`, or of the block's unit at that height."""
        if not self.sizes:
            return None
        rect = self._drawing_rect()
        for column, count in enumerate(self.sizes):
            points = self._positions(column, count, rect)
            if not points or abs(position.x() - points[0].x()) > 12:
                continue
            if count > MAX_DRAWN_NEURONS:
                share = (position.y() - rect.top()) / max(rect.height(), 1.0)
                return (column, int(share * count)) if 0.0 <= share < 1.0 else None
            nearest = min(range(len(points)), key=lambda i: abs(points[i].y() - position.y()))
            if abs(points[nearest].y() - position.y()) <= 12:
                return column, nearest
        return None

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        found = self.neuron_at(event.position()) if event.button() == Qt.LeftButton else None
        if found is not None:
            self.neuron_clicked.emit(*found)
        super().mousePressEvent(event)
