"""Live training curves: loss per batch (raw and smoothed) and per epoch, accuracy.

A view of the session's run log: it holds no run data, so a restored run shows its curves and a reset
shows an empty plot. Curves are updated with setData on items made once. X is measured in epochs
(fractional within an epoch), so batch and epoch curves share one axis. Hovering shows the exact values.
"""

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app import file_dialogs, theme
from nnplayground.app.curve_layer import CurveLayer
from nnplayground.app.thinning import MAX_DRAWN_POINTS, BucketThinner, decimate, visible
from nnplayground.session.files import atomic_write

MAX_EPOCH_SYMBOLS = 60  # beyond this 7-pixel symbols touch on a normal plot: lines read better, draw faster
ACCURACY_EVERY = 4  # the accuracy plot redraws on every 4th report: it changes slowly, drawing costs GIL time
LABEL_PITCH = 18  # pixels a tick label needs up a vertical axis, with room between two
# Past MAX_EPOCH_SYMBOLS the epoch curves are 2-pixel lines, and a wide antialiased line costs a stroker
# pass per segment: 1,500 points took 5 ms a redraw, 300 about 1 ms. They are smooth at that scale.
MAX_EPOCH_LINE_POINTS = 300
EPOCH_CURVES = ("epoch_loss", "val_loss", "epoch_accuracy", "val_accuracy")


class _Extent:
    """The lowest and highest finite (and positive) value of growing series, read incrementally: the axis
    range is checked on every report, and the series grow to hundreds of thousands of points."""

    def __init__(self):
        self.seen: dict[str, int] = {}
        self.finite: tuple[float, float] | None = None
        self.positive: tuple[float, float] | None = None

    def take(self, name: str, values: np.ndarray) -> None:
        new = values[self.seen.get(name, 0):]
        self.seen[name] = len(values)
        new = new[np.isfinite(new)]
        self.finite = _widen(self.finite, new)
        self.positive = _widen(self.positive, new[new > 0])


def _appended_from(old_x: np.ndarray, new_x: np.ndarray) -> float:
    """Where a series drawn point for point changed, if it only grew: from its last old point on (the line
    into the first new one), inf if it did not change, -inf if it is another series."""
    if len(new_x) == len(old_x) and (not len(old_x) or new_x[-1] == old_x[-1]):
        return math.inf
    if not len(old_x) or len(new_x) < len(old_x) or new_x[len(old_x) - 1] != old_x[-1]:
        return -math.inf
    return float(old_x[-1])


def _widen(extent, values):
    if not len(values):
        return extent
    low, high = float(values.min()), float(values.max())
    return (low, high) if extent is None else (min(extent[0], low), max(extent[1], high))


def plain_number(value: float) -> str:
    """A tick label as a person writes it: 0.001, 0.25, 1, 300, 10000; beyond that 1e5, 2e18, 1e-7."""
    if value == 0 or not np.isfinite(value):
        return "0" if value == 0 else ""
    if 1e-4 <= abs(value) < 1e5:
        return np.format_float_positional(value, precision=3, unique=True, fractional=False, trim="-")
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def log_ticks(low: float, high: float, length: float = 200) -> tuple[list[float], list[float]]:
    """Ticks for a log axis showing log10 values low..high over `length` pixels: (labelled, unlabelled),
    both as log10 values. Over many decades: every decade (or every 2nd, 5th, ... so that labels do not
    crowd); over one to three decades also 2 and 5 unlabelled between them; within one decade, round
    numbers (0.2, 0.3, 0.5 or 0.32, 0.34) so that some labels always show."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return [], []
    most = max(2, int(length // 28))  # labels that fit, one line of text each with room between
    span = high - low
    if span >= 1:
        step = next(s for s in (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000) if span / s < most or s == 1000)
        decades = [float(k) for k in range(int(np.ceil(low)), int(np.floor(high)) + 1) if k % step == 0]
        minor = [] if span > 3 else [float(np.log10(m * 10.0**k)) for k in range(int(np.floor(low)),
                                                                                 int(np.ceil(high)) + 1)
                                     for m in (2, 5) if low <= np.log10(m * 10.0**k) <= high]
        if len(decades) >= 2:
            return decades, minor
        return sorted(decades + minor), []  # between 1 and 2 decades with one power of ten: label 2 and 5 too
    a, b = 10.0**low, 10.0**high
    step = _nice_step((b - a) / min(most, 6))
    values = np.arange(np.ceil(a / step) * step, b + step * 1e-9, step)
    return [float(np.log10(v)) for v in values if v > 0], []


def _nice_step(rough: float) -> float:
    """The 1, 2 or 5 times a power of ten at or above `rough`."""
    power = 10.0 ** np.floor(np.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough * (1 - 1e-9))


class LossAxis(pg.AxisItem):
    """A y axis that, in log mode, labels its ticks with plain numbers (0.01, 0.1, 1, 10; 0.3, 0.5 within a
    decade; 1e18 after a divergence), never "10²" on a loss of 0.5 nor a "(x0.001)" factor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)  # "loss (x0.001)" over ticks of 5·10² reads as nonsense
        self._labelled: set[float] = set()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph's names
        if not self.logMode:
            return self._linear_ticks(minVal, maxVal, size)
        labelled, minor = log_ticks(min(minVal, maxVal), max(minVal, maxVal), size)
        self._labelled = {round(v, 9) for v in labelled}
        return [(1.0, labelled), (0.1, minor)] if minor else [(1.0, labelled)]

    def _linear_ticks(self, low, high, size):
        """pyqtgraph's ticks, but up a short vertical axis (a plot squeezed by a small screen) no more labels
        than fit one above the other: six of them on 60 pixels overlapped into a smear."""
        levels = super().tickValues(low, high, size)
        most = max(2, int(size // LABEL_PITCH))
        if self.orientation not in ("left", "right") or not levels or len(levels[0][1]) <= most or high <= low:
            return levels
        step = float(_nice_step((high - low) / most))
        return [(step, [float(v) + 0.0 for v in np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [plain_number(float(10.0**v)) if round(v, 9) in self._labelled else "" for v in values]


class _FramedAxis(LossAxis):
    """An axis beside a framed view: the view box draws the line along the data, the axis its ticks and
    labels, a few pixels away (AXIS_GAP). Qt repaints every item within a pixel of a changed area, so an
    axis touching the data was redrawn with every new point, at 0.3 ms a time."""

    def generateDrawSpecs(self, p):  # noqa: N802 - pyqtgraph's name
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        (_pen, start, end), ticks, texts = specs
        return (pg.mkPen(None), start, end), ticks, texts


AXIS_GAP = 3  # pixels between the data's frame and the axes beside it


def _plot(title, y_label, object_name, log=False):
    """A plot whose legend is a row above it (outside the data: it can never hide the newest points) and
    whose title is the y axis label."""
    widget = pg.PlotWidget(axisItems={"left": _FramedAxis(orientation="left"),
                                      "bottom": _FramedAxis(orientation="bottom")})
    widget.setObjectName(object_name)
    widget.setLabel("bottom", "epoch")
    widget.setLabel("left", title)
    widget.setLogMode(y=log)
    widget.getAxis("bottom").enableAutoSIPrefix(False)
    for side in ("left", "bottom"):
        widget.getAxis(side).setStyle(tickLength=5)  # outside the data (see _FramedAxis)
    # A few pixels between the axes and the data: the axes then stay out of what a new point repaints.
    widget.getPlotItem().layout.setColumnSpacing(0, AXIS_GAP)  # after the left axis
    widget.getPlotItem().layout.setRowSpacing(2, AXIS_GAP)  # after the data, above the bottom axis
    widget.getPlotItem().vb.setBorder(theme.plot_colours()[1])
    item = widget.getPlotItem()
    legend = pg.LegendItem(labelTextSize="8pt", verSpacing=-6, colCount=4)
    legend.setObjectName(object_name + "Legend")
    item.layout.removeItem(item.titleLabel)
    item.titleLabel.hide()
    item.layout.addItem(legend, 0, 1, alignment=Qt.AlignLeft)
    item.legend = legend  # plot(name=...) adds each curve to it
    widget.setMinimumHeight(110)  # both plots and the diagram fit a 1024x600 screen
    widget.hideButtons()  # our "fit" button replaces pyqtgraph's "A": it knows the whole run's extent
    widget.setMenuEnabled(False)  # pyqtgraph's developer menu: ours offers what a user wants (see _clicked)
    widget.scene().contextMenu = []  # ... and its scene's "Export..." entry
    widget.getPlotItem().vb.disableAutoRange()
    return widget


class TrainingPlots(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.loss_plot = _plot("loss", "loss", "lossPlot", log=True)
        self.loss_plot.setToolTip("How wrong the network is: lower is better. Faint: every batch; solid: smoothed; "
                                  "dots: whole epochs. Drag to pan, wheel to zoom, right-click for more.")
        self.accuracy_plot = _plot("accuracy", "accuracy", "accuracyPlot")
        self.accuracy_plot.setToolTip("Share of samples classified correctly, on training and validation data.")
        self.accuracy_plot.setXLink(self.loss_plot)
        # Every curve of a plot is drawn by one CurveLayer: pyqtgraph's own items cost 2 ms a report.
        # The raw batch curve has thousands of jagged points: antialiasing it costs most of a redraw. The
        # smoothed ones are one pixel wide: a wider antialiased line costs a stroker pass per segment.
        self.loss_layer, self.accuracy_layer = CurveLayer(), CurveLayer()
        self.layers = {}  # curve name -> the CurveLayer drawing it
        self.batch_curve = self._curve("batch", self.loss_layer, "batch", pen=None, antialias=False)
        self.smooth_curve = self._curve("smooth", self.loss_layer, "smoothed", pen=None)
        self.epoch_loss = self._curve("epoch_loss", self.loss_layer, "train (epoch)", pen=None, symbol="o",
                                      symbolSize=7, symbolBrush=theme.TRAIN)
        self.val_loss = self._curve("val_loss", self.loss_layer, "validation", pen=pg.mkPen(theme.VALIDATION, width=2),
                                    symbol="s", symbolSize=7, symbolBrush=theme.VALIDATION)
        self.batch_accuracy = self._curve("accuracy", self.accuracy_layer, "train (smoothed)", pen=None)
        self.epoch_accuracy = self._curve("epoch_accuracy", self.accuracy_layer, "train (epoch)", pen=None,
                                          symbol="o", symbolSize=7, symbolBrush=theme.TRAIN)
        self.val_accuracy = self._curve("val_accuracy", self.accuracy_layer, "validation",
                                        pen=pg.mkPen(theme.VALIDATION, width=2), symbol="s", symbolSize=7,
                                        symbolBrush=theme.VALIDATION)
        for plot, layer in ((self.loss_plot, self.loss_layer), (self.accuracy_plot, self.accuracy_layer)):
            plot.addItem(layer, ignoreBounds=True)  # the axes follow the run log's extent (see _follow)
            plot.getPlotItem().legend.sigSampleClicked.connect(lambda _item, layer=layer: layer.update())
        self._colour_symbol_samples()
        self.restyle()
        self.markers: list[pg.InfiniteLine] = []
        self.readout = QLabel(" ")
        self.readout.setObjectName("plotReadout")
        self.readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # Its text changes with every mouse move: it must never widen the column (and squeeze the weights).
        self.readout.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.log_scale = QCheckBox("log scale")
        self.log_scale.setObjectName("logScale")
        self.log_scale.setChecked(True)
        self.log_scale.setToolTip("Show the loss on a logarithmic axis, where small improvements stay visible.")
        self.log_scale.toggled.connect(self._set_log)
        self.fit_button = QPushButton("fit")
        self.fit_button.setObjectName("fitViewButton")
        self.fit_button.setToolTip("Show every point again after zooming or panning (the view then follows "
                                   "the training as it goes).")
        self.fit_button.clicked.connect(self.fit_views)
        self.hint = QLabel(self.tr("The loss and accuracy curves appear here once training starts: press Train."))
        self.hint.setObjectName("plotsHint")
        self.hint.setAlignment(Qt.AlignCenter)
        self.hint.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.log_scale)
        bar.addWidget(self.fit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        # Its own line under the options: a long readout never runs under the check box.
        layout.addWidget(self.readout)
        layout.addWidget(self.hint, 1)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        self.menu: QMenu | None = None
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.scene().sigMouseMoved.connect(lambda pos, plot=plot: self._hover(plot, pos))
            plot.scene().sigMouseClicked.connect(lambda event, plot=plot: self._clicked(plot, event))
            plot.getPlotItem().vb.sigRangeChangedManually.connect(self._stop_following)
        self._rethin = QTimer(self, singleShot=True, interval=0)  # once, after a zoom, pan or resize
        self._rethin.timeout.connect(self._redraw_all)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.getPlotItem().vb.sigXRangeChanged.connect(lambda *_: None if self.following else self._rethin.start())
            plot.getPlotItem().vb.sigResized.connect(self._rethin.start)
        self.following = True  # the views track the data until the user zooms or pans
        self.planned_epochs = 1.0
        self._reports = 0
        self._ranges: dict = {}
        self._extent = _Extent()
        self._thinners: dict[str, BucketThinner] = {}  # while following: each curve thinned as it grows
        self._accuracy_stale = False  # epochs ended that the accuracy plot does not show yet
        self._epochs_pending = QTimer(self, singleShot=True, interval=0)
        self._epochs_pending.timeout.connect(self._draw_epochs)
        for event, handler in (("batches", self.add_batches), ("epochs_ended", self.add_epochs),
                               ("marker", self.mark), ("run_started", self.show_run),
                               ("progress", self._report_handled), ("run_finished", self._run_finished)):
            session.events.connect(event, handler)
        self._empty: bool | None = None
        self._show_hint(True)
        self.fit_views()

    def _curve(self, name: str, layer: CurveLayer, title: str, **style) -> pg.PlotDataItem:
        """A curve of `layer`, styled (and shown in its plot's legend) by a PlotDataItem that holds no data."""
        item = pg.PlotDataItem(name=title, **style)
        layer.add(name, item)
        self.layers[name] = layer
        plot = self.loss_plot if layer is self.loss_layer else self.accuracy_plot
        plot.getPlotItem().legend.addItem(item, title)
        return item

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A curve's points as drawn (y as log10 on the log loss axis)."""
        return self.layers[name].data(name)

    def _colour_symbol_samples(self) -> None:
        """The legend draws a symbol from its scatter's default brush, which pyqtgraph sets only once points
        arrive; and a plot repaints only what changed, so a legend drawn before that stayed grey."""
        for item in (self.epoch_loss, self.val_loss, self.epoch_accuracy, self.val_accuracy):
            item.scatter.setBrush(item.opts["symbolBrush"], update=False)
        self._legends_changed()

    def _legends_changed(self) -> None:
        for plot, layer in ((self.loss_plot, self.loss_layer), (self.accuracy_plot, self.accuracy_layer)):
            plot.getPlotItem().legend.update()
            layer.update()

    def restyle(self) -> None:
        """The noisy batch curve and its moving average in the current theme's colours (theme.trend_colours)."""
        raw, smoothed = theme.trend_colours()
        self.batch_curve.setPen(pg.mkPen(raw, width=1))
        self.smooth_curve.setPen(pg.mkPen(smoothed, width=1))
        self.batch_accuracy.setPen(pg.mkPen(smoothed, width=1))
        self._legends_changed()

    # ----- the run log's series --------------------------------------------------------------------

    @property
    def log(self):
        return self.session.run_log

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of a curve: batch, smooth, accuracy from the batches; epoch_loss, val_loss, epoch_accuracy,
        val_accuracy from the whole epochs, each drawn where its epoch ended."""
        batches = self.log.batches
        columns = {"batch": "loss", "smooth": "smooth_loss", "accuracy": "smooth_accuracy"}
        if name in columns:
            return batches["position"], batches[columns[name]]
        return self.log.epoch_series({"epoch_loss": "loss", "epoch_accuracy": "accuracy"}.get(name, name))

    # ----- updates ------------------------------------------------------------------------------

    def _show_hint(self, empty: bool) -> None:
        """Before the first batch a one-line hint, not empty axes."""
        if self._empty is not empty:
            self._empty = empty
            self.hint.setVisible(empty)
            self.loss_plot.setVisible(not empty)
            self.accuracy_plot.setVisible(not empty)
            self.readout.setVisible(not empty)

    def add_batches(self, _chunk=None) -> None:
        self._show_hint(not len(self.log.batches))
        self._reports += 1
        self._redraw(("batch", self.batch_curve), ("smooth", self.smooth_curve))
        if self._reports % ACCURACY_EVERY == 1:
            self._redraw(("accuracy", self.batch_accuracy))
        self._follow()

    def add_epochs(self, _ended=None) -> None:
        """Epochs ended: they are drawn once the report has been handled, in the same pass as its batches."""
        if not self._epochs_pending.isActive():
            self._epochs_pending.start()

    def _report_handled(self, progress: dict) -> None:
        """The last event of a report: epochs it ended are drawn now, in the same pass as its batches, so
        that the plots are painted once per report, not twice."""
        self.set_planned_epochs(progress["end_position"])
        accuracy_turn = self._reports % ACCURACY_EVERY == 1
        if self._epochs_pending.isActive() or (accuracy_turn and self._accuracy_stale):
            self._draw_epochs(accuracy=accuracy_turn)

    def _draw_epochs(self, accuracy: bool = True) -> None:
        """The epochs' curves; the accuracy plot's only when `accuracy` (see ACCURACY_EVERY)."""
        self._epochs_pending.stop()
        items = [("epoch_loss", self.epoch_loss), ("val_loss", self.val_loss)]
        if accuracy:
            items += [("epoch_accuracy", self.epoch_accuracy), ("val_accuracy", self.val_accuracy)]
        self._accuracy_stale = not accuracy
        if self.log.complete_epochs > MAX_EPOCH_SYMBOLS:
            for name, item in items:
                if item.opts["symbol"] is not None:
                    item.setSymbol(None)
                    item.setPen(pg.mkPen(theme.TRAIN if "epoch" in name else theme.VALIDATION, width=2))
                    self._legends_changed()
        self._redraw(*items, *([("accuracy", self.batch_accuracy)] if accuracy else []))
        self._follow()

    def _run_finished(self, _reason=None) -> None:
        if self._accuracy_stale:
            self._draw_epochs()

    def show_run(self, _log=None) -> None:
        """Draw the run log afresh: a new run (empty) or one brought back (all its curves and markers)."""
        self.clear()
        if len(self.log.batches):
            self.set_planned_epochs(self.log.position)
            self.add_batches()
            self._draw_epochs()
            for marker in self.log.markers:
                self.mark(marker)

    # ----- view ranges --------------------------------------------------------------------------

    def set_planned_epochs(self, epochs: float) -> None:
        """The x axis spans the whole planned run, so it does not shift (and redraw) with every report."""
        if epochs != self.planned_epochs:
            self.planned_epochs = max(1.0, float(epochs))
            self._follow()

    def _stop_following(self, *_):
        self.following = False
        self._rethin.start()  # the zoomed range in detail

    def fit_views(self) -> None:
        if not self.following:
            self._rethin.start()  # the whole run again
        self.following = True
        self._ranges.clear()
        self._follow()

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._ranges.clear()
        self._follow()

    def _loss_extent(self) -> tuple[float, float] | None:
        """Lowest and highest finite loss (log10 of them on a log axis); None before any point."""
        for name in ("batch", "epoch_loss", "val_loss"):
            self._extent.take(name, self.series(name)[1])
        extent = self._extent.positive if self.log_scale.isChecked() else self._extent.finite
        if extent is None:
            return None
        return (float(np.log10(extent[0])), float(np.log10(extent[1]))) if self.log_scale.isChecked() else extent

    def _loss_y_range(self, current) -> tuple[float, float]:
        """The data's extent with 15% headroom, changed only when a point breaks out of the range or the
        data shrinks to a third of it: the axis stays still, and no point is ever outside it."""
        extent = self._loss_extent()
        if extent is None:
            return (-1.0, 1.0) if self.log_scale.isChecked() else (0.0, 1.0)
        low, high = extent
        span = max(high - low, 0.1 if self.log_scale.isChecked() else 0.01)
        if current is not None and current[0] <= low and high <= current[1] and current[1] - current[0] < 3 * span:
            return current
        return low - 0.15 * span, high + 0.15 * span

    def _follow(self):
        if not self.following:
            return
        x_end = max(self.planned_epochs, self.log.position)
        previous = self._ranges.get(self.loss_plot)
        loss_y = self._loss_y_range(previous[2:] if previous else None)
        for plot, y_range, padding in ((self.loss_plot, loss_y, 0.0), (self.accuracy_plot, (0.0, 1.0), 0.02)):
            wanted = (0.0, x_end, *y_range)
            if self._ranges.get(plot) != wanted:  # only a real change moves the axes
                self._ranges[plot] = wanted
                plot.getPlotItem().vb.setRange(xRange=wanted[:2], yRange=wanted[2:], padding=padding)

    def _redraw(self, *pairs):
        """Each curve's points within the plot's x range, thinned to what its width in pixels can show: two
        a pixel (lowest and highest) for the noisy batches, one for the smooth lines. Zooming in brings
        the detail back. While the view follows the run, a curve is thinned as it grows and the plot
        repaints only from where it changed."""
        for name, item in pairs:
            layer = self.layers[name]
            view = layer.getViewBox()
            pixels = max(100, int(view.width()))
            lines = name in EPOCH_CURVES and item.opts["symbol"] is None
            peaks = name == "batch" or lines
            limit = min(MAX_DRAWN_POINTS, 2 * pixels if peaks else pixels)
            # Thinned epoch lines keep each bucket's lowest and highest epoch: a validation spike stays.
            limit = min(limit, MAX_EPOCH_LINE_POINTS) if lines else limit
            x, y = self.series(name)
            if not self.following:  # zoomed or panned by the user; else the view spans the whole run
                x, y = visible(x, y, *view.viewRange()[0])
                layer.set_data(name, *decimate(x, y, peaks=peaks, limit=limit))
            elif item.opts["symbol"] is not None:  # a few dozen epochs, each drawn
                layer.set_data(name, x, y, changed_from=_appended_from(layer.data(name)[0], x))
            else:
                thinner = self._thinners.get(name) or self._thinners.setdefault(name, BucketThinner(peaks))
                buckets = limit // 2 if peaks else limit
                # The x range _follow gives the view (and the series' own end, should it lie beyond).
                # A point at the range's very end starts a bucket of its own: buckets - 1 widths span it.
                width = max(self.planned_epochs, self.log.position, float(x[-1]) if len(x) else 0.0) / (buckets - 1)
                layer.set_data(name, *thinner.thin(x, y, width))

    def _redraw_all(self) -> None:
        self._redraw(*((name, layer.styles[name]) for name, layer in self.layers.items()))

    def mark(self, marker: dict) -> None:
        """A vertical line where a setting changed during training."""
        text = marker["text"]
        line = pg.InfiniteLine(pos=marker["position"], angle=90, pen=pg.mkPen(theme.ACCENT, style=Qt.DashLine),
                               label=text, labelOpts={"position": 0.9, "color": theme.ACCENT, "rotateAxis": (1, 0)})
        self.loss_plot.addItem(line)
        self.markers.append(line)

    def clear(self) -> None:
        for item, colour in ((self.epoch_loss, theme.TRAIN), (self.epoch_accuracy, theme.TRAIN)):
            item.setSymbol("o")
            item.setSymbolBrush(colour)
            item.setPen(None)
        for item in (self.val_loss, self.val_accuracy):
            item.setSymbol("s")
        self._colour_symbol_samples()
        for name, layer in self.layers.items():
            layer.set_data(name, np.zeros(0), np.zeros(0))
        for line in self.markers:
            self.loss_plot.removeItem(line)
        self.markers.clear()
        self._reports = 0
        self._extent = _Extent()
        self._thinners.clear()
        self._epochs_pending.stop()
        self.planned_epochs = 1.0
        self.readout.setText(" ")
        self._show_hint(True)
        self.fit_views()

    # ----- the right-click menu -----------------------------------------------------------------

    def _clicked(self, plot, event) -> None:
        if event.button() == Qt.RightButton:
            event.accept()
            self.show_menu(plot, event.screenPos().toPoint())

    def show_menu(self, plot, at) -> QMenu:
        """What a user wants from a plot: fit it, switch the log axis, save it as a picture or as data."""
        menu = QMenu(self)
        menu.setObjectName("plotMenu")
        menu.addAction(self.tr("Fit the view to the whole run"), self.fit_views).setObjectName("fitViewAction")
        if plot is self.loss_plot:
            log = menu.addAction(self.tr("Logarithmic loss axis"), self.log_scale.toggle)
            log.setObjectName("logScaleAction")
            log.setCheckable(True)
            log.setChecked(self.log_scale.isChecked())
        menu.addSeparator()
        menu.addAction(self.tr("Save as picture (PNG)..."), lambda: self._ask_and_save(plot, "png")) \
            .setObjectName("savePictureAction")
        menu.addAction(self.tr("Save the run's numbers (CSV)..."), lambda: self._ask_and_save(plot, "csv")) \
            .setObjectName("saveNumbersAction")
        self.menu = menu
        menu.popup(at)
        return menu

    def _ask_and_save(self, plot, kind: str) -> None:
        title = self.tr("Save the plot as a picture") if kind == "png" else self.tr("Save the run's numbers")
        path = file_dialogs.ask_save_path(self, title, f"{self.log.name.replace(' ', '-')}.{kind}",
                                          [file_dialogs.PNG if kind == "png" else file_dialogs.CSV])
        if path:
            self.save(plot, path, kind)

    def save(self, plot, path: str, kind: str) -> bool:
        """Write the plot's picture or the run log's numbers to `path` (atomically); False and a message on
        the session if it could not."""
        if kind == "png":
            buffer = QBuffer()
            buffer.open(QIODevice.WriteOnly)
            plot.grab().save(buffer, "PNG")
            data = bytes(buffer.data())
        else:
            data = self.log.to_csv().encode()
        try:
            atomic_write(path, lambda file: file.write(data))
        except OSError as error:
            self.session.events.emit("message", self.tr("Could not save {0}: {1}").format(path, error.strerror
                                                                                             or error))
            return False
        self.session.events.emit("message", self.tr("Saved {0}").format(path))
        return True

    # ----- hover readout ------------------------------------------------------------------------

    def _hover(self, plot, scene_pos):
        if not plot.sceneBoundingRect().contains(scene_pos):
            return
        point = plot.getPlotItem().vb.mapSceneToView(scene_pos)
        names = ("batch", "smooth", "val_loss") if plot is self.loss_plot else ("accuracy", "val_accuracy")
        parts = [f"epoch {point.x():.2f}"]
        for name in names:
            x, y = self.series(name)
            if len(x):
                i = int(np.clip(np.searchsorted(x, point.x()), 0, len(x) - 1))
                parts.append(f"{name.replace('_', ' ')} {y[i]:.4g}")
        self.readout.setText("   ".join(parts))
