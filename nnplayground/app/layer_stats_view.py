"""Inside the layers: one layer's outputs on a validation batch as a histogram, its dead or saturated
units in words, and its weights and gradients over time as offset histograms, one per epoch (as
TensorBoard draws them: the oldest at the back, the newest in front).

A view of the session's layer-stats probe; the per-epoch history lives in a `HistogramHistory`
(Qt-free) that a new run clears.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnplayground.app import theme
from nnplayground.app.axes import settle
from nnplayground.app.visibility import DrawWhenShown
from nnplayground.session.layer_stats import SATURATED_SAMPLES, SATURATION, HistogramHistory, LayerStatsProbe

RIDGE_HEIGHT = 1.6  # a histogram's peak, in rows: neighbouring epochs overlap a little, as in TensorBoard


def _blend(old: QColor, new: QColor, t: float, alpha: int) -> QColor:
    colour = QColor(*(round(a + (b - a) * t) for a, b in zip(old.getRgb()[:3], new.getRgb()[:3], strict=True)))
    colour.setAlpha(alpha)
    return colour


class _Ridges(pg.GraphicsObject):
    """Every epoch's histogram as a filled ridge over its bins, raised by its row, all drawn by this one
    item in one paint, the newest in front. A PlotCurveItem each cost 3.5 ms a redraw for two plots of
    21 epochs, once a second while a run trains (the job waits for the GUI to draw each report)."""

    def __init__(self):
        super().__init__()
        self._points: list[tuple[np.ndarray, np.ndarray]] = []  # each ridge's (x, y), oldest first
        self._drawn: list[tuple[QPainterPath, QPainterPath, QPen, QColor]] = []  # fill, line, pen, brush
        self._bounds = QRectF()

    def set_ridges(self, ridges: list[tuple[np.ndarray, np.ndarray, float]], colours: list[tuple[QColor, QColor]]):
        """[(x, y, base)] oldest first, and each one's (line, fill) colours."""
        self.prepareGeometryChange()
        self._points = [(x, y) for x, y, _ in ridges]
        self._drawn = []
        bounds = QRectF()
        for (x, y, base), (line_colour, fill_colour) in zip(ridges, colours, strict=True):
            if not len(x):  # no bins: nothing to draw
                continue
            line = pg.arrayToQPath(x, y)
            fill = QPainterPath(line)
            fill.lineTo(float(x[-1]), base)
            fill.lineTo(float(x[0]), base)
            fill.closeSubpath()
            pen = QPen(line_colour, 1)
            pen.setCosmetic(True)
            self._drawn.append((fill, line, pen, fill_colour))
            bounds = bounds.united(fill.boundingRect())
        self._bounds = bounds
        self.informViewBoundsChanged()  # the view box follows the ridges' x extent
        self.update()

    def points(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Ridge `index`'s points (oldest first) as drawn: y is its row plus its height."""
        return self._points[index]

    @property
    def count(self) -> int:
        return len(self._points)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def paint(self, painter: QPainter, *_args) -> None:
        for fill, line, pen, brush in self._drawn:
            painter.fillPath(fill, brush)
            painter.strokePath(line, pen)


class _OffsetHistograms(pg.PlotWidget):
    """Histograms stacked by epoch: each a filled curve over its own bins, raised by its row."""

    def __init__(self, title: str):
        super().__init__()
        self.setTitle(title, size="9pt")
        self.getAxis("bottom").enableAutoSIPrefix(False)
        self.getAxis("left").setLabel("epoch")
        self.setMouseEnabled(x=True, y=False)
        self.ridges = _Ridges()
        self.addItem(self.ridges)
        self.epochs: list[int] = []  # drawn, oldest first
        self.setMinimumHeight(120)

    def show_series(self, series: list[tuple[int, dict]]) -> None:
        """[(epoch, histogram)] oldest first: the oldest on the top row, the newest on the bottom one."""
        old, new = QColor(theme.MUTED), QColor(theme.TRAIN)
        rows = len(series)
        ridges, colours = [], []
        for i, (_, found) in enumerate(series):
            edges, counts = found["edges"], found["counts"].astype(float)
            base = float(rows - 1 - i)
            peak = counts.max() or 1.0
            ridges.append(((edges[:-1] + edges[1:]) / 2, base + RIDGE_HEIGHT * counts / peak, base))
            t = i / max(rows - 1, 1)
            colours.append((_blend(old, new, t, 255), _blend(old, new, t, 90)))
        self.ridges.set_ridges(ridges, colours)
        self.epochs = [epoch for epoch, _ in series]
        step = max(1, rows // 8)
        self.getAxis("left").setTicks([[(rows - 1 - i, str(epoch)) for i, epoch in enumerate(self.epochs)
                                        if (rows - 1 - i) % step == 0]])
        if rows:
            self.setYRange(-0.2, rows - 1 + RIDGE_HEIGHT, padding=0)


class LayerStatsView(QWidget):
    """A layer chooser; that layer's activation histogram with its dead/saturated share in words; its
    kernel's weights and gradients over time."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("layerStatsView")
        self.setToolTip(self.tr("Inside one layer: what its units output on validation samples, and how its "
                                "weights and gradients spread out as the epochs go by."))
        self.setMinimumSize(320, 380)
        self.probe = LayerStatsProbe()
        self.history = HistogramHistory()
        self.result: dict | None = None  # the probe's latest answer: what is drawn
        self._run_log = None
        self.layer_names: list[str] = []

        self.hint = QLabel(self.tr("Pick data and layers to look inside them."))
        self.hint.setObjectName("layerStatsHint")
        self.hint.setWordWrap(True)
        self.layer_picker = QComboBox()
        self.layer_picker.setObjectName("layerStatsLayerPicker")
        self.layer_picker.setToolTip(self.tr("Which layer to look inside"))
        self.layer_picker.currentIndexChanged.connect(lambda _index: self._draw())
        self._drawing = DrawWhenShown(self, self._draw)  # a hidden tab draws its latest answer when opened
        self.summary = QLabel()
        self.summary.setObjectName("layerStatsSummary")
        self.summary.setWordWrap(True)
        self.activations = pg.PlotWidget()
        self.activations.setObjectName("layerStatsActivations")
        self.activations.setTitle(self.tr("outputs on validation samples"), size="9pt")
        self.activations.setLabel("left", self.tr("count"))
        self.activations.setMouseEnabled(x=False, y=False)
        self.activations.getAxis("bottom").enableAutoSIPrefix(False)
        self.activations.getAxis("left").enableAutoSIPrefix(False)
        self.activations.setMinimumHeight(110)
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush=theme.TRAIN, pen=None)
        self.activations.addItem(self.bars)
        self.weights = _OffsetHistograms(self.tr("weights (kernel) by epoch"))
        self.weights.setObjectName("layerStatsWeights")
        self.gradients = _OffsetHistograms(self.tr("gradients (kernel) by epoch"))
        self.gradients.setObjectName("layerStatsGradients")
        self.gradients.setToolTip(self.tr("The last batch's gradient of each kept epoch: a spread shrinking "
                                          "to a spike at 0 means the layer has stopped learning."))

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Layer")))
        row.addWidget(self.layer_picker, 1)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.activations, 1)
        over_time = QHBoxLayout()
        over_time.addWidget(self.weights)
        over_time.addWidget(self.gradients)
        layout.addLayout(over_time, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hint)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        session.events.connect("probed", self._probed)
        session.events.connect("run_started", self._run_started)
        session.events.connect("model_changed", lambda model: self.clear() if model is None else None)
        self._run_started(session.run_log)
        session.add_probe(self.probe)

    def _run_started(self, log) -> None:
        """A new run starts a new history (a resumed one keeps its own)."""
        if log is not self._run_log:
            self._run_log = log
            self.history.clear()

    def clear(self) -> None:
        self.result = None
        self.history.clear()
        self.set_layers([])
        self.pages.setCurrentWidget(self.hint)

    def _probed(self, name: str, result: dict) -> None:
        if name != self.probe.name:
            return
        self.history.add(self.session.run_log.complete_epochs, result)
        self.show_result(result)

    def show_result(self, result: dict) -> None:
        self.result = result
        names = [layer["name"] for layer in result["layers"]]
        if names != self.layer_names:
            self.set_layers(result["layers"])
        self.pages.setCurrentIndex(1 if names else 0)
        self._drawing.request()

    def set_layers(self, layers: list[dict]) -> None:
        """A new architecture: its layers in the chooser, the first hidden one chosen."""
        current = self.layer_picker.currentText()
        self.layer_names = [layer["name"] for layer in layers]
        self.layer_picker.blockSignals(True)
        self.layer_picker.clear()
        for layer in layers:
            self.layer_picker.addItem(self._caption(layer))
        kept = self.layer_picker.findText(current)
        self.layer_picker.setCurrentIndex(kept if kept >= 0 else 0)
        self.layer_picker.blockSignals(False)

    def _caption(self, layer: dict) -> str:
        return self.tr("{name} ({units} units, {activation})").format(
            name=layer["name"], units=layer["units"], activation=layer["activation"] or self.tr("linear"))

    def current_layer(self) -> dict | None:
        index = self.layer_picker.currentIndex()
        if self.result is None or not 0 <= index < len(self.result["layers"]):
            return None
        return self.result["layers"][index]

    def _draw(self) -> None:
        layer = self.current_layer()
        if layer is None:
            self.bars.setOpts(x0=[], x1=[], height=[])
            self.summary.setText("")
            self.weights.show_series([])
            self.gradients.show_series([])
            return
        found = layer["activations"]
        if found is None:
            self.bars.setOpts(x0=[], x1=[], height=[])
        else:
            edges = found["edges"]
            self.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=found["counts"])
            self.activations.setRange(xRange=(edges[0], edges[-1]), yRange=(0, max(found["counts"].max(), 1)))
        self.summary.setText(self.in_words(layer, self.result["samples"]))
        self.weights.show_series(self.history.series(layer["name"], "weights"))
        self.gradients.show_series(self.history.series(layer["name"], "gradients"))
        settle(self.activations, self.weights, self.gradients)

    def in_words(self, layer: dict, samples: int) -> str:
        """The layer's dead or saturated units as a sentence with the numbers."""
        units = layer["units"]
        if layer["activations"] is None:
            return self.tr("No validation data this network can read: weights and gradients only.")
        if layer["dead_share"] is not None:
            count = round(layer["dead_share"] * units)
            return self.tr("{count} of {units} ReLU units dead ({share:.0%}): they output 0 for all {samples} "
                           "validation samples, so no gradient reaches them.").format(
                count=count, units=units, share=layer["dead_share"], samples=samples)
        if layer["saturated_share"] is not None:
            count = round(layer["saturated_share"] * units)
            bound = (f"|tanh| > {SATURATION:g}" if layer["activation"] == "tanh"
                     else f"sigmoid < {1 - SATURATION:.2f} or > {SATURATION:g}")
            return self.tr("{count} of {units} {activation} units saturated ({share:.0%}): {bound} for at least "
                           "{most:.0%} of {samples} validation samples, where they learn slowly.").format(
                count=count, units=units, activation=layer["activation"], share=layer["saturated_share"],
                bound=bound, most=SATURATED_SAMPLES, samples=samples)
        return self.tr("{activation} outputs of {units} units on {samples} validation samples; dead and "
                       "saturated units are counted for ReLU, sigmoid and tanh layers.").format(
            activation=layer["activation"] or self.tr("linear"), units=units, samples=samples)
