"""The decision over the plane (2-D sets): the predicted class as colour, its confidence as strength, the
training and test points on top, and a small picture of every hidden neuron's output beside it.

A view of the session's decision probe: it draws the newest answer while it is visible and holds nothing
else. Clicking a neuron's picture (or a neuron in the network diagram) shows that neuron over the plane.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app import theme
from nnplayground.app.axes import release_axes, steady_axes
from nnplayground.app.visibility import ProbeWhileVisible
from nnplayground.session.decision import DecisionProbe

THUMBNAIL = 40  # pixels per neuron picture
THUMBNAIL_COLUMNS = 3
STRONGEST = 0.8  # the share of class colour where the network is certain (the points must stay visible)
_LUT = theme.DIVERGING.getLookupTable(nPts=256, mode="byte")[:, :3]


def _rgb(colour) -> np.ndarray:
    c = QColor(colour)
    return np.array([c.red(), c.green(), c.blue()], np.float32)


def decision_image(classes: np.ndarray, confidence: np.ndarray, n_classes: int, background,
                   discrete: bool = False) -> np.ndarray:
    """(rows, columns, 3) uint8: each cell the colour of its class, mixed into the background by how sure
    the network is there (from 1/n_classes, a guess, to 1), or at full strength when `discrete`."""
    palette = np.stack([_rgb(theme.class_colour(k)) for k in range(max(n_classes, 1))])
    if discrete:
        share = np.full(confidence.shape, STRONGEST * 0.75, np.float32)
    else:
        floor = 1.0 / max(n_classes, 2)
        share = STRONGEST * np.clip((confidence - floor) / (1.0 - floor), 0.0, 1.0)
    share = share[..., None]
    image = _rgb(background) * (1.0 - share) + palette[np.clip(classes, 0, len(palette) - 1)] * share
    return np.clip(image, 0, 255).astype(np.uint8)


def neuron_image(values: np.ndarray) -> np.ndarray:
    """(rows, columns, 3) uint8 in the diverging map, centred on zero and scaled to the largest |value|."""
    return neuron_images(values[..., None])[0]


def neuron_images(values: np.ndarray) -> np.ndarray:
    """(units, rows, columns, 3) uint8 from (rows, columns, units): each unit's picture as neuron_image
    draws it, on its own scale, all in one pass (the thumbnails redraw ten times a second)."""
    finite = np.isfinite(values)
    magnitudes = np.where(finite, np.abs(values), 0.0)
    limits = np.maximum(magnitudes.max(axis=(0, 1)), 1e-6)
    scaled = np.clip(np.where(np.isnan(values), 0.0, values) / limits, -1.0, 1.0)  # NaN: the middle
    index = ((scaled + 1.0) * 127.5).astype(int)  # an infinity: the end of its sign
    return _LUT[np.moveaxis(index, -1, 0)]


def _pixmap(rgb: np.ndarray, size: int) -> QPixmap:
    flipped = np.ascontiguousarray(rgb[::-1])  # row 0 is the bottom of the plane, the top of an image
    image = QImage(flipped.data, flipped.shape[1], flipped.shape[0], flipped.strides[0], QImage.Format_RGB888)
    return QPixmap.fromImage(image.copy()).scaled(size, size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)


class _Thumbnail(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if event.button() == Qt.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class DecisionBoundaryView(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("decisionBoundaryView")
        self.session = session
        self.probe = DecisionProbe()
        self.result: dict | None = None
        self.shown: tuple[int, int] | None = None  # the neuron drawn over the plane instead of the decision
        self.redraws = 0

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("decisionPlot")
        self.plot.setAspectLocked(True)
        steady_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#202020", width=0.8))
        self.test_points = pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("#ffffff", width=1.2))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        self.hint = QLabel(self.tr("The decision over the plane is drawn for 2-D data: pick circle, xor, "
                                   "gaussians, spiral or moons."))
        self.hint.setObjectName("decisionHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignCenter)

        self.show_test = QCheckBox(self.tr("Show test data"))
        self.show_test.setObjectName("showTestData")
        self.show_test.setChecked(True)
        self.show_test.setToolTip(self.tr("Draw the test points (triangles) too; training points are circles"))
        self.show_test.toggled.connect(self.test_points.setVisible)
        self.discretize = QCheckBox(self.tr("Discretize output"))
        self.discretize.setObjectName("discretizeOutput")
        self.discretize.setToolTip(self.tr("One flat colour per class, without the network's confidence"))
        self.discretize.toggled.connect(lambda _on: self._draw())
        self.caption = QLabel()
        self.caption.setObjectName("decisionCaption")
        self.caption.setWordWrap(True)
        self.back = QPushButton(self.tr("Show the decision"))
        self.back.setObjectName("showDecision")
        self.back.setToolTip(self.tr("Back from one neuron's output to the network's decision"))
        self.back.clicked.connect(lambda: self.show_neuron(None))
        self.back.hide()
        options = QHBoxLayout()
        for widget in (self.show_test, self.discretize):
            options.addWidget(widget)
        options.addStretch(1)
        options.addWidget(self.back)

        self.neuron_grid = QGridLayout()
        self.neuron_grid.setSpacing(3)
        neurons = QWidget()
        neurons.setLayout(self.neuron_grid)
        self.neuron_scroll = QScrollArea()
        self.neuron_scroll.setObjectName("neuronPictures")
        self.neuron_scroll.setWidget(neurons)
        self.neuron_scroll.setWidgetResizable(True)
        self.neuron_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.neuron_scroll.setFixedWidth(THUMBNAIL_COLUMNS * (THUMBNAIL + 3) + 24)
        self.thumbnails: dict[tuple[int, int], _Thumbnail] = {}

        picture = QVBoxLayout()
        picture.addWidget(self.plot, 1)
        picture.addWidget(self.caption)
        body = QHBoxLayout()
        body.addLayout(picture, 1)
        body.addWidget(self.neuron_scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(options)
        layout.addLayout(body, 1)
        layout.addWidget(self.hint, 1)
        self.setMinimumSize(320, 260)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

        session.add_probe(self.probe)
        self.visibility = ProbeWhileVisible(self, session, self.probe.name)  # a hidden tab costs nothing
        session.events.connect("probed", self._probed)
        session.events.connect("data_changed", lambda _data: (release_axes(self.plot), self._show_points()))
        session.events.connect("model_changed", lambda _model: self._model_changed())
        self._show_points()

    # ----- what the session says ------------------------------------------------------------------

    def _probed(self, name: str, result) -> None:
        if name != "decision":
            return
        self.result = result
        if self.isVisible():  # a hidden view draws when it is shown again
            self._draw()

    def _model_changed(self) -> None:
        self.show_neuron(None)

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._show_points()
        self._draw()

    # ----- drawing --------------------------------------------------------------------------------

    def _show_points(self) -> None:
        data = self.session.dataset
        plane = data is not None and tuple(data.x_train.shape[1:]) == (2,)
        for widget in (self.plot, self.show_test, self.discretize, self.caption):
            widget.setVisible(plane)
        self.neuron_scroll.setVisible(plane and bool(self.thumbnails))
        self.hint.setVisible(not plane)
        if not plane:
            self.train_points.clear()
            self.test_points.clear()
            return
        for item, x, y in ((self.train_points, data.x_train, data.y_train),
                           (self.test_points, data.x_test, data.y_test)):
            brushes = [pg.mkBrush(theme.class_colour(int(label))) for label in y]
            item.setData(x[:, 0], x[:, 1], brush=brushes)

    def _draw(self) -> None:
        result = self.result
        if result is None:
            self.image.clear()
            self._set_thumbnails({})
            return
        x_min, x_max, y_min, y_max = result["extent"]
        if self.shown is not None and self.shown[0] in result["neurons"]:
            layer, unit = self.shown
            rgb = neuron_image(result["neurons"][layer][:, :, unit])
            self.caption.setText(self.tr("Neuron {0} of {1}").format(unit + 1, result["layer_names"][layer]))
        else:
            background, _text = theme.plot_colours()
            rgb = decision_image(result["classes"], result["confidence"], result["n_classes"], background,
                                 self.discretize.isChecked())
            self.caption.setText(self.tr("Colour: the class the network predicts. Strength: how sure it is. "
                                         "Circles: training points; triangles: test points."))
        self.image.setImage(rgb, autoLevels=False)
        self.image.setRect(QRectF(x_min, y_min, x_max - x_min, y_max - y_min))
        self._set_thumbnails(result["neurons"], result["layer_names"])
        self.redraws += 1

    def _set_thumbnails(self, neurons: dict, names: dict | None = None) -> None:
        wanted = [(layer, unit) for layer, values in sorted(neurons.items())
                  for unit in range(values.shape[2]) if np.isfinite(values[0, 0, unit])]
        if list(self.thumbnails) != wanted:
            self._build_thumbnails(wanted, names or {})
        # Every other cell of the grid: a 40-pixel picture shows no more, and it costs a quarter.
        pictures = {layer: neuron_images(values[::2, ::2]) for layer, values in neurons.items()}
        for (layer, unit), thumbnail in self.thumbnails.items():
            thumbnail.setPixmap(_pixmap(pictures[layer][unit], THUMBNAIL))
            framed = (layer, unit) == self.shown
            if thumbnail.property("framed") != framed:  # a style sheet set again is parsed again
                thumbnail.setProperty("framed", framed)
                thumbnail.setStyleSheet(f"border: 2px solid {theme.ACCENT};" if framed else "")

    def _build_thumbnails(self, wanted: list[tuple[int, int]], names: dict) -> None:
        """A heading per layer, then its neurons' pictures, THUMBNAIL_COLUMNS to a row."""
        while self.neuron_grid.count():
            self.neuron_grid.takeAt(0).widget().deleteLater()
        self.thumbnails = {}
        row = 0
        for layer in sorted({key[0] for key in wanted}):
            heading = QLabel(names.get(layer, ""))
            heading.setObjectName("neuronLayerHeading")
            self.neuron_grid.addWidget(heading, row, 0, 1, THUMBNAIL_COLUMNS)
            row += 1
            for position, key in enumerate(key for key in wanted if key[0] == layer):
                thumbnail = _Thumbnail()
                thumbnail.setFixedSize(THUMBNAIL, THUMBNAIL)
                thumbnail.setObjectName(f"neuron_{key[0]}_{key[1]}")
                thumbnail.setToolTip(self.tr("Neuron {0} of {1}: click to see it over the plane")
                                     .format(key[1] + 1, names.get(layer, "")))
                thumbnail.clicked.connect(lambda key=key: self.show_neuron(key))
                self.neuron_grid.addWidget(thumbnail, row + position // THUMBNAIL_COLUMNS,
                                           position % THUMBNAIL_COLUMNS)
                self.thumbnails[key] = thumbnail
            row += -(-sum(1 for key in wanted if key[0] == layer) // THUMBNAIL_COLUMNS)
        for earlier in range(self.neuron_grid.rowCount()):
            self.neuron_grid.setRowStretch(earlier, 0)
        self.neuron_grid.setRowStretch(row, 1)  # the pictures stay together at the top
        self.neuron_scroll.setVisible(bool(wanted))

    def show_neuron(self, key: tuple[int, int] | None) -> None:
        """Draw neuron `key` = (model layer index, unit) over the plane, or the decision again (None)."""
        self.shown = key
        self.probe.selected = key
        self.back.setVisible(key is not None)
        if key is not None and self.session.control is None:
            self.session.probe_now()  # idle: the neuron of a big layer is computed now
        self._draw()

    def select_hidden(self, column: int, unit: int) -> None:
        """A neuron clicked in the network diagram: `column` counts the hidden layers from 1."""
        model = self.session.model
        if model is None:
            return
        hidden = [i for i, layer in enumerate(model.layers) if getattr(layer, "units", None)][:-1]
        if 1 <= column <= len(hidden) and 0 <= unit < model.layers[hidden[column - 1]].units:
            self.show_neuron((hidden[column - 1], unit))
