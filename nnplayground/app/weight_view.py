"""Live weights: a heatmap per layer with weights, the first layer's units as 28x28 tiles, gradient and
update norms. A view of the session's weights probe and run log: it draws the network it is given.

Colours are a diverging map centred on zero (blue negative, white zero, red positive) with fixed,
symmetric levels that only grow, so the picture does not flicker from one snapshot to the next.
"""

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from nnplayground.app import theme
from nnplayground.app.axes import steady_axes
from nnplayground.app.visibility import DrawWhenShown
from nnplayground.session.probes import kernels


def tile_grid(kernel: np.ndarray, side: int = 28, columns: int | None = None, gap: int = 1) -> np.ndarray:
    """The columns of a (side*side, units) kernel as side x side tiles in a grid, NaN in the gaps."""
    units = kernel.shape[1]
    columns = columns or math.ceil(math.sqrt(units * 2))
    rows = math.ceil(units / columns)
    grid = np.full((rows * (side + gap) - gap, columns * (side + gap) - gap), np.nan, np.float32)
    for unit in range(units):
        r, c = divmod(unit, columns)
        grid[r * (side + gap): r * (side + gap) + side, c * (side + gap): c * (side + gap) + side] = \
            kernel[:, unit].reshape(side, side)
    return grid


def index_ticks(count: int, names=None, most: int = 16) -> list[tuple[float, str]] | None:
    """Ticks at the centres of `count` rows or columns (each one pixel of the image): their `names`, or
    their whole numbers when there are at most `most` of them; None (pyqtgraph's own) for more."""
    if names is not None and len(names) == count:
        return [(i + 0.5, str(name)) for i, name in enumerate(names)]
    if count > most:
        return None
    return [(i + 0.5, str(i)) for i in range(count)]


ROUND_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def round_up(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 times a power of ten that is at least `value` (> 0)."""
    scale = 10.0 ** np.floor(np.log10(value))
    rounded = (float(f"{step * scale:.12g}") for step in ROUND_STEPS)  # 0.15, not 0.15000000000000002
    return next(limit for limit in rounded if limit >= value)


class _Heatmap(pg.GraphicsLayoutWidget):
    """One image with a colour bar; levels symmetric around zero, only ever widened. `square`: each pixel
    drawn square (28x28 tiles look like the digits they read)."""

    def __init__(self, title: str, square: bool = False):
        super().__init__()
        self.plot = self.addPlot()
        self.plot.setTitle(title, size="9pt")  # a narrow panel must not clip it
        self.plot.setAspectLocked(square)
        if square:
            steady_axes(self.plot)
        self.plot.invertY(True)
        self.image = pg.ImageItem()
        self.image.setColorMap(theme.DIVERGING)
        self.plot.addItem(self.image)
        # Horizontal, under the image: a vertical bar's labels would be clipped in a narrow panel.
        self.bar = pg.ColorBarItem(values=(-1, 1), colorMap=theme.DIVERGING, interactive=False, width=12,
                                   orientation="horizontal", label="weight")
        self.bar.setImageItem(self.image)
        for name in ("bottom", "top"):
            axis = self.bar.getAxis(name)
            if axis is not None:
                axis.enableAutoSIPrefix(False)  # "weight (x0.001)" under ticks of 100 misleads
        self.addItem(self.bar, row=1, col=0)
        self.limit = 0.0
        self.labels: tuple | None = None
        self.setMinimumHeight(140)

    def show_array(self, array: np.ndarray) -> None:
        finite = np.abs(array[np.isfinite(array)])
        peak = float(finite.max()) if finite.size else 0.0
        if peak > self.limit or self.limit == 0.0:
            # A round limit, widened in steps: the colour bar's ticks change a few times in a run, not with
            # every snapshot, and each change re-lays out the bar and both axes (3 ms of a 4 ms repaint).
            self.limit = round_up(max(peak, 1e-6))
            self.bar.setLevels((-self.limit, self.limit))
        self.image.setImage(array, autoLevels=False, levels=(-self.limit, self.limit))

    def set_labels(self, rows=None, columns=None) -> None:
        """Ticks naming the rows (left axis) and columns (bottom axis): lists of (centre, text), or None."""
        if (rows, columns) == self.labels:
            return  # new ticks make both axes lay out their labels again: most of a repaint
        self.labels = (rows, columns)
        self.plot.getAxis("left").setTicks([rows] if rows else None)
        self.plot.getAxis("bottom").setTicks([columns] if columns else None)

    def reset_levels(self):
        self.limit = 0.0


class WeightView(QWidget):
    """Tabs: heatmaps of every layer's kernel; first-layer tiles for images; gradient and update norms."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("weightView")
        self.setToolTip("The weights as they change: red pulls a unit up, blue pushes it down, white does nothing.")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("weightTabs")
        self.layer_picker = QComboBox()
        self.layer_picker.setObjectName("weightLayerPicker")
        self.layer_picker.setToolTip("Which layer's weights to show")
        self.layer_picker.currentIndexChanged.connect(self._show_current)
        self.heatmap = _Heatmap("kernel: inputs (rows) × units")
        self.hint = QLabel(self.tr("The network's weights appear here once there is data and a network."))
        self.hint.setObjectName("weightsHint")
        self.hint.setAlignment(Qt.AlignCenter)
        self.hint.setWordWrap(True)
        heat_page = QWidget()
        heat_layout = QVBoxLayout(heat_page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.layer_picker, 1)
        heat_layout.addLayout(row)
        heat_layout.addWidget(self.hint, 1)
        heat_layout.addWidget(self.heatmap, 1)
        self.tiles = _Heatmap("what each first-layer unit looks for", square=True)
        self.tiles.setToolTip("Each tile is one first-layer unit's 784 weights drawn as a 28x28 image: "
                              "red pixels excite the unit, blue ones inhibit it.")
        self.norms = pg.PlotWidget(title="Gradient and update size per layer")
        self.norms.setObjectName("normsPlot")
        self.norms.setLogMode(y=True)
        self.norms.setLabel("bottom", "step")
        self.norms.addLegend(offset=(-10, 10))
        self.norms.setToolTip("Solid: length of each layer's kernel gradient. Dashed: how far the last step moved "
                              "its weights. Vanishing or exploding gradients show up here first.")
        self.norms_hint = QLabel(self.tr("Each layer's gradient and step sizes appear here once training starts."))
        self.norms_hint.setObjectName("normsHint")
        self.norms_hint.setAlignment(Qt.AlignCenter)
        self.norms_hint.setWordWrap(True)
        norms_page = QWidget()
        norms_layout = QVBoxLayout(norms_page)
        norms_layout.setContentsMargins(0, 0, 0, 0)
        norms_layout.addWidget(self.norms_hint, 1)
        norms_layout.addWidget(self.norms, 1)
        self.tabs.addTab(heat_page, "Weights")
        self.tabs.addTab(self.tiles, "First-layer tiles")
        self.tabs.addTab(norms_page, "Gradients")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.setMinimumWidth(250)  # the heatmap's title and colour bar fit; the splitter squeezes the middle
        self.kernels: list[np.ndarray] = []
        self.image_side: int | None = None
        self.layer_names: list[str] = []
        self.norm_curves: list[tuple] = []
        self.snapshots_shown = 0
        # The tiles and the norms sit in tabs of their own: hidden, they draw only when opened.
        self._tiles_drawing = DrawWhenShown(self.tiles, self._show_tiles)
        self._norms_drawing = DrawWhenShown(norms_page, self._show_norms)
        self._show_hints()
        session.events.connect("probed", self._probed)
        session.events.connect("run_started", self._run_started)
        session.events.connect("model_changed", lambda model: self.clear() if model is None else None)

    def _run_started(self, _log) -> None:
        """A new run gets its own colour scale: the last run's largest weight would wash this one out."""
        self.heatmap.reset_levels()
        self.tiles.reset_levels()
        self._norms_drawing.request()
        self._show_hints()

    def clear(self) -> None:
        """No network (the settings have a problem): nothing of the last one may stay on show."""
        self.set_layers([], None)
        self.heatmap.image.clear()
        self.tiles.image.clear()
        self._show_hints()

    def _show_hints(self) -> None:
        """A one-line hint instead of empty axes: no network yet; no gradients before training."""
        self.hint.setVisible(not self.kernels)
        self.heatmap.setVisible(bool(self.kernels))
        log = self.session.run_log
        trained = log.norms is not None and len(log.norm_steps) > 0
        self.norms_hint.setVisible(not trained)
        self.norms.setVisible(trained)

    def _probed(self, name: str, result: dict) -> None:
        if name != "weights":
            return
        names = [f"{layer['name']} ({layer['weights']['kernel'].shape[1]} units)" for layer in result["layers"]
                 if "kernel" in layer["weights"]]
        if names != self.layer_names:
            self.set_layers(names, self._image_side(result))
        self.show_snapshot(result)

    @staticmethod
    def _image_side(result: dict) -> int | None:
        """The side of square images whose pixels feed the first kernel, if they do."""
        found = kernels(result)
        inputs = found[0].shape[0] if found else 0
        side = int(round(inputs ** 0.5))
        return side if side >= 8 and side * side == inputs else None

    def set_layers(self, names: list[str], image_side: int | None) -> None:
        """A new architecture: its kernel-holding layer names, and the input image's side (None: not images)."""
        self.layer_names = list(names)
        self.layer_picker.blockSignals(True)
        self.layer_picker.clear()
        self.layer_picker.addItems(names)
        self.layer_picker.blockSignals(False)
        self.image_side = image_side
        self.tabs.setTabEnabled(1, image_side is not None)
        self.kernels = []
        self.heatmap.reset_levels()
        self.tiles.reset_levels()
        self.norms.clear()
        palette = [theme.TRAIN, theme.VALIDATION, theme.ACCENT, "#009E73", "#D55E00", "#56B4E9", "#F0E442"]
        self.norm_curves = []
        for i, name in enumerate(names):
            colour = palette[i % len(palette)]
            gradient = self.norms.plot(pen=pg.mkPen(colour, width=2), name=f"{name} gradient")
            update = self.norms.plot(pen=pg.mkPen(colour, width=1, style=Qt.DashLine), name=f"{name} update")
            self.norm_curves.append((gradient, update))

    def show_snapshot(self, result: dict) -> None:
        self.kernels = kernels(result)
        self._show_current()
        self._tiles_drawing.request()
        self._norms_drawing.request()
        self._show_hints()
        self.snapshots_shown += 1

    def _show_tiles(self) -> None:
        if self.image_side and self.kernels and self.kernels[0].shape[0] == self.image_side ** 2:
            self.tiles.show_array(tile_grid(self.kernels[0], self.image_side))

    def _show_norms(self) -> None:
        """The run log's norm history, one solid (gradient) and one dashed (update) curve per layer."""
        log = self.session.run_log
        norms = log.norms if log.norms is not None and len(log.norm_steps) else None
        steps = log.norm_steps["step"] if norms is not None else np.zeros(0)
        for i, (gradient_curve, update_curve) in enumerate(self.norm_curves):
            if norms is None or i >= norms.width:
                gradient_curve.setData([], [])
                update_curve.setData([], [])
                continue
            gradients, updates = norms["gradient"][:, i], norms["update"][:, i]
            gradient_curve.setData(steps, np.where(gradients > 0, gradients, np.nan), connect="finite")
            update_curve.setData(steps, np.where(updates > 0, updates, np.nan), connect="finite")

    def _show_current(self):
        index = self.layer_picker.currentIndex()
        if 0 <= index < len(self.kernels):
            kernel = self.kernels[index]
            self.heatmap.show_array(kernel)
            rows = ["x1", "x2"] if kernel.shape[0] == 2 and index == 0 else None
            columns = self.class_labels(kernel.shape[1]) if index == len(self.kernels) - 1 else None
            self.heatmap.set_labels(index_ticks(kernel.shape[0], rows), index_ticks(kernel.shape[1], columns))

    def class_labels(self, outputs: int) -> list[str] | None:
        """The output columns' names: the data's class names (one sigmoid output: the class it says yes to)."""
        data = self.session.dataset
        names = [str(name) for name in data.class_names] if data is not None and data.class_names else None
        if names is None:
            return None
        if outputs == 1 and len(names) == 2:
            return [f"P({names[1]})"]
        return names if len(names) == outputs else None

