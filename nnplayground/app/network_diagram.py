"""The architecture as a picture: neurons and links coloured by weight for small nets, blocks for big ones.

It draws the network the session's weights probe describes (the kernels' own shapes), never the panels'
idea of it, and nothing it draws may raise out of paintEvent.
"""

import logging

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnplayground.app import theme
from nnplayground.session.probes import kernels

MAX_DRAWN_NEURONS = 16  # per layer; above this a layer is drawn as a block
_COLOURS = [QColor(*map(int, rgb[:3])) for rgb in theme.DIVERGING.getLookupTable(nPts=101, mode="byte")]


LINK_LEVELS = 10  # shades a side (positive, negative) that a link's colour and width take: 21 pens in all


def _link_pens(kernel: np.ndarray) -> list[tuple[QPen, list[tuple[int, int]]]]:
    """The links of a small layer grouped by pen, to be drawn a group at a time: the colour of the weight on
    the diverging map (red positive, blue negative, grey if not finite) and a width growing with its size,
    both in LINK_LEVELS steps a side. A 16 x 10 layer's 160 links then share at most 21 pens: at a pen each
    (101 colours, widths to a quarter pixel) they were 90 draw calls and 1 ms a paint. Thinnest first, so
    that the strongest links lie on top."""
    finite = np.isfinite(kernel)
    limit = float(np.max(np.abs(kernel), initial=0.0, where=finite)) or 1.0
    level = np.rint(np.clip(np.where(finite, kernel, 0.0) / limit, -1.0, 1.0) * LINK_LEVELS).astype(int)
    key = np.where(finite, level, LINK_LEVELS + 1)  # past the strongest: not finite, drawn thin and muted
    groups: dict[int, list[tuple[int, int]]] = {}
    for i, j, k in zip(*np.indices(kernel.shape).reshape(2, -1), key.ravel(), strict=True):
        groups.setdefault(int(k), []).append((int(i), int(j)))
    return [(_link_pen(k), pairs) for k, pairs in sorted(groups.items(), key=lambda group: _link_width(group[0]))]


def _link_width(key: int) -> float:
    return 0.5 if key > LINK_LEVELS else 0.5 + 3.0 * abs(key) / LINK_LEVELS


def _link_pen(key: int) -> QPen:
    colour = QColor(theme.MUTED) if key > LINK_LEVELS else _COLOURS[50 + round(50 * key / LINK_LEVELS)]
    return QPen(colour, _link_width(key))


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
        self._static_key = None
        self._static: tuple = ()
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
        if not self.sizes:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignCenter, self.tr("Pick data and layers to see the network"))
            return
        # What only the architecture, the size and the palette decide is drawn once into two pictures, under
        # and over the weights' links, which change with every snapshot (4 a second while training).
        under, over, rect = self._static_pictures()
        painter.drawPixmap(0, 0, under)
        painter.setRenderHint(QPainter.Antialiasing)
        columns = [self._positions(i, n, rect) for i, n in enumerate(self.sizes)]
        for i in range(len(self.sizes) - 1):
            kernel = self._kernel(i)
            if kernel is not None:
                for pen, pairs in _link_pens(kernel):
                    painter.setPen(pen)
                    painter.drawLines([QLineF(columns[i][a], columns[i + 1][b]) for a, b in pairs])
        painter.drawPixmap(0, 0, over)

    def _kernel(self, index: int) -> np.ndarray | None:
        """Layer `index`'s kernel if its links are drawn one by one (both sides small), else None (muted)."""
        if self.sizes[index] > MAX_DRAWN_NEURONS or self.sizes[index + 1] > MAX_DRAWN_NEURONS:
            return None
        kernel = self.kernels[index] if index < len(self.kernels) else None
        return kernel if kernel is not None and kernel.shape == (self.sizes[index], self.sizes[index + 1]) else None

    def _static_pictures(self) -> tuple[QPixmap, QPixmap, QRectF]:
        """(the muted links of big layers, the neurons and the captions, the drawing's rectangle), drawn
        again only when what they show changes."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, tuple(self.sizes), tuple(self.labels), self.font().key(),
               self.palette().cacheKey(), tuple(self._kernel(i) is None for i in range(len(self.sizes) - 1)))
        if self._static_key != key:
            self._static_key = key
            rect = self._drawing_rect()
            under, over = (self._picture(ratio, draw, rect) for draw in (self._draw_muted_links, self._draw_neurons))
            self._static = (under, over, rect)
        return self._static

    def _picture(self, ratio: float, draw, rect: QRectF) -> QPixmap:
        picture = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.transparent)
        painter = QPainter(picture)
        try:
            painter.setRenderHint(QPainter.Antialiasing)
            draw(painter, rect)
        finally:
            painter.end()
        return picture

    def _draw_muted_links(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QPen(QColor(theme.MUTED), 0.6))
        for i in range(len(self.sizes) - 1):
            if self._kernel(i) is None:  # a block, or no weights yet: a sketch of its links
                left, right = self._positions(i, self.sizes[i], rect), self._positions(i + 1, self.sizes[i + 1], rect)
                painter.drawLines([QLineF(a, b) for a in left[:: max(1, len(left) // 8)]
                                   for b in right[:: max(1, len(right) // 8)]])

    def _draw_neurons(self, painter: QPainter, rect: QRectF) -> None:
        text_colour = self.palette().color(self.foregroundRole())
        radius = max(3.0, min(9.0, rect.height() / (2.5 * MAX_DRAWN_NEURONS)))
        for column, count in enumerate(self.sizes):
            points = self._positions(column, count, rect)
            x = points[0].x() if points else rect.left()
            painter.setPen(QPen(text_colour, 1))
            if count > MAX_DRAWN_NEURONS:
                painter.setBrush(QColor(theme.TRAIN).lighter(150))
                painter.drawRoundedRect(QRectF(x - 9, rect.top(), 18, rect.height()), 4, 4)
            else:
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
