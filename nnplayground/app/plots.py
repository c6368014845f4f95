"""Live training curves: loss per batch (raw and smoothed) and per epoch, accuracy, gradient norms.

Curves are updated with setData on items made once. X is measured in epochs (fractional within an
epoch), so batch and epoch curves share one axis. Hovering shows the exact values under the mouse.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnplayground.app import theme

SMOOTHING = 0.9  # exponential moving average of the batch loss, as TensorBoard shows it


class _Series:
    """A growing (x, y) series kept in NumPy arrays with amortised appends."""

    def __init__(self):
        self.x, self.y, self.size = np.empty(1024), np.empty(1024), 0

    def extend(self, x, y):
        needed = self.size + len(x)
        if needed > len(self.x):
            capacity = max(needed, 2 * len(self.x))
            self.x, self.y = np.resize(self.x, capacity), np.resize(self.y, capacity)
        self.x[self.size:needed], self.y[self.size:needed] = x, y
        self.size = needed

    def data(self):
        return self.x[: self.size], self.y[: self.size]

    def clear(self):
        self.size = 0


def _plot(title, y_label, object_name, log=False):
    widget = pg.PlotWidget(title=title)
    widget.setObjectName(object_name)
    widget.setLabel("bottom", "epoch")
    widget.setLabel("left", y_label)
    widget.showGrid(x=True, y=True, alpha=0.2)
    widget.setLogMode(y=log)
    legend = widget.addLegend(offset=(-4, 4), labelTextSize="8pt", verSpacing=-6)
    legend.setBrush(pg.mkBrush(128, 128, 128, 40))
    widget.setMinimumHeight(170)
    return widget


class TrainingPlots(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = _plot("Loss", "loss", "lossPlot", log=True)
        self.loss_plot.setToolTip("How wrong the network is: lower is better. Faint: every batch; solid: smoothed; "
                                  "dots: whole epochs. Drag to pan, wheel to zoom, right-click for more.")
        self.accuracy_plot = _plot("Accuracy", "accuracy", "accuracyPlot")
        self.accuracy_plot.setToolTip("Share of samples classified correctly, on training and validation data.")
        self.accuracy_plot.setXLink(self.loss_plot)
        faint = pg.mkPen(theme.TRAIN, width=1)
        faint.setColor(pg.mkColor(theme.TRAIN).lighter(130))
        self.batch_curve = self.loss_plot.plot(pen=pg.mkPen((0, 114, 178, 70), width=1), name="batch")
        self.smooth_curve = self.loss_plot.plot(pen=pg.mkPen(theme.TRAIN, width=2), name="smoothed")
        self.epoch_loss = self.loss_plot.plot(pen=None, symbol="o", symbolSize=7, symbolBrush=theme.TRAIN,
                                              name="train (epoch)")
        self.val_loss = self.loss_plot.plot(pen=pg.mkPen(theme.VALIDATION, width=2), symbol="s", symbolSize=7,
                                            symbolBrush=theme.VALIDATION, name="validation")
        self.batch_accuracy = self.accuracy_plot.plot(pen=pg.mkPen(theme.TRAIN, width=2), name="train (smoothed)")
        self.epoch_accuracy = self.accuracy_plot.plot(pen=None, symbol="o", symbolSize=7, symbolBrush=theme.TRAIN,
                                                      name="train (epoch)")
        self.val_accuracy = self.accuracy_plot.plot(pen=pg.mkPen(theme.VALIDATION, width=2), symbol="s",
                                                    symbolSize=7, symbolBrush=theme.VALIDATION, name="validation")
        self.series = {name: _Series() for name in ("batch", "smooth", "accuracy", "epoch_loss", "val_loss",
                                                    "epoch_accuracy", "val_accuracy")}
        self._ema = self._ema_accuracy = None
        self.markers: list[pg.InfiniteLine] = []
        self.readout = QLabel(" ")
        self.readout.setObjectName("plotReadout")
        self.readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.log_scale = QCheckBox("log scale")
        self.log_scale.setObjectName("logScale")
        self.log_scale.setChecked(True)
        self.log_scale.setToolTip("Show the loss on a logarithmic axis, where small improvements stay visible.")
        self.log_scale.toggled.connect(lambda on: self.loss_plot.setLogMode(y=on))
        bar = QHBoxLayout()
        bar.addWidget(self.readout, 1)
        bar.addWidget(self.log_scale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.scene().sigMouseMoved.connect(lambda pos, plot=plot: self._hover(plot, pos))

    # ----- updates ------------------------------------------------------------------------------

    def add_batches(self, chunk: dict) -> None:
        x, loss, accuracy = chunk["epoch_position"], chunk["loss"], chunk["accuracy"]
        smooth, smooth_accuracy = np.empty_like(loss), np.empty_like(accuracy)
        for i, (value, correct) in enumerate(zip(loss, accuracy, strict=True)):
            if np.isfinite(value):
                self._ema = value if self._ema is None else SMOOTHING * self._ema + (1 - SMOOTHING) * value
            if np.isfinite(correct):
                self._ema_accuracy = correct if self._ema_accuracy is None else \
                    SMOOTHING * self._ema_accuracy + (1 - SMOOTHING) * correct
            smooth[i] = np.nan if self._ema is None else self._ema
            smooth_accuracy[i] = np.nan if self._ema_accuracy is None else self._ema_accuracy
        self.series["batch"].extend(x, loss)
        self.series["smooth"].extend(x, smooth)
        self.series["accuracy"].extend(x, smooth_accuracy)
        self._redraw(("batch", self.batch_curve), ("smooth", self.smooth_curve), ("accuracy", self.batch_accuracy))

    def add_epoch(self, epoch: int, logs: dict) -> None:
        x = np.array([epoch + 1.0])
        for key, name in (("loss", "epoch_loss"), ("val_loss", "val_loss"), ("accuracy", "epoch_accuracy"),
                          ("val_accuracy", "val_accuracy")):
            if key in logs:
                self.series[name].extend(x, np.array([logs[key]]))
        self._redraw(("epoch_loss", self.epoch_loss), ("val_loss", self.val_loss),
                     ("epoch_accuracy", self.epoch_accuracy), ("val_accuracy", self.val_accuracy))

    def _redraw(self, *pairs):
        for name, item in pairs:
            x, y = self.series[name].data()
            # Non-positive losses cannot sit on a log axis; they (and NaN) are gaps, never silently clipped.
            item.setData(x, y, connect="finite")

    def mark(self, epoch_position: float, text: str) -> None:
        """A vertical line where a setting changed during training."""
        for plot in (self.loss_plot,):
            line = pg.InfiniteLine(pos=epoch_position, angle=90, pen=pg.mkPen(theme.ACCENT, style=Qt.DashLine),
                                   label=text, labelOpts={"position": 0.9, "color": theme.ACCENT, "rotateAxis": (1, 0)})
            plot.addItem(line)
            self.markers.append(line)

    def clear(self) -> None:
        for series in self.series.values():
            series.clear()
        for item in (self.batch_curve, self.smooth_curve, self.epoch_loss, self.val_loss, self.batch_accuracy,
                     self.epoch_accuracy, self.val_accuracy):
            item.setData([], [])
        for line in self.markers:
            self.loss_plot.removeItem(line)
        self.markers.clear()
        self._ema = self._ema_accuracy = None

    def point_count(self) -> int:
        return self.series["batch"].size

    # ----- hover readout ------------------------------------------------------------------------

    def _hover(self, plot, scene_pos):
        if not plot.sceneBoundingRect().contains(scene_pos):
            return
        point = plot.getPlotItem().vb.mapSceneToView(scene_pos)
        names = ("batch", "smooth", "val_loss") if plot is self.loss_plot else ("accuracy", "val_accuracy")
        parts = [f"epoch {point.x():.2f}"]
        for name in names:
            x, y = self.series[name].data()
            if len(x):
                i = int(np.clip(np.searchsorted(x, point.x()), 0, len(x) - 1))
                parts.append(f"{name.replace('_', ' ')} {y[i]:.4g}")
        self.readout.setText("   ".join(parts))
