"""The embedding: a hidden layer's outputs on up to 1,000 validation samples, flattened to a plane by PCA,
one colour per class; hovering a point shows its sample (the digit, or the 2-D point). It follows
training live: a layer that learns pulls the classes apart.

A view of the session's embedding probe: the chooser tells the probe which layer to flatten.
"""

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnplayground.app import theme
from nnplayground.app.axes import release_axes, settle, steady_axes
from nnplayground.app.visibility import DrawWhenShown, ProbeWhileVisible
from nnplayground.session.embedding import EmbeddingProbe
from nnplayground.session.probes import validation_of

HOVER_PIXELS = 8  # how near (in screen pixels) the mouse must be to a point to show its sample


class EmbeddingView(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("embeddingView")
        self.setToolTip(self.tr("Where a hidden layer puts the validation samples, flattened to a plane by PCA: "
                                "a layer that has learned the task puts each class in a region of its own."))
        self.setMinimumSize(320, 320)
        self.probe = EmbeddingProbe()
        self.result: dict | None = None  # the probe's latest answer: what is drawn
        self.choices: list[tuple[int, str, int]] = []
        self.hovered: int | None = None  # the sample shown, as its index in the validation data
        self._labelled: tuple | None = None  # (layer, one unit) the axes were last labelled for

        self.hint = QLabel(self.tr("Pick data and layers to see where a hidden layer puts the samples."))
        self.hint.setObjectName("embeddingHint")
        self.hint.setWordWrap(True)
        self.layer_picker = QComboBox()
        self.layer_picker.setObjectName("embeddingLayerPicker")
        self.layer_picker.setToolTip(self.tr("Which layer's outputs to flatten onto the plane"))
        self.layer_picker.currentIndexChanged.connect(self._layer_chosen)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setObjectName("embeddingPlot")
        self.plot = self.canvas.addPlot(row=0, col=0)
        self.plot.setAspectLocked(True)
        steady_axes(self.plot)
        for name in ("bottom", "left"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        # The legend on a line of its own above the plot: it hides no point, and its dots sit by their names.
        self.legend = QLabel()
        self.legend.setObjectName("embeddingLegend")
        self.legend.setWordWrap(True)
        self.scatters: list[pg.ScatterPlotItem] = []  # one per class
        self.class_names: tuple[str, ...] = ()
        self.sample_text = QLabel(self.tr("Hover over a point to see its sample."))
        self.sample_text.setObjectName("embeddingSample")
        self.sample_text.setWordWrap(True)
        self.sample_image = pg.GraphicsLayoutWidget()
        self.sample_image.setFixedSize(72, 72)
        image_box = self.sample_image.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        image_box.addItem(self.image)
        self.sample_image.hide()

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Layer")))
        row.addWidget(self.layer_picker, 1)
        layout.addLayout(row)
        layout.addWidget(self.legend)
        layout.addWidget(self.canvas, 1)
        below = QHBoxLayout()
        below.addWidget(self.sample_image)
        below.addWidget(self.sample_text, 1)
        layout.addLayout(below)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hint)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.canvas.scene().sigMouseMoved.connect(self._mouse_moved)
        # An answer another view's probe asked for (two windows on one session) is drawn here once seen.
        self._drawing = DrawWhenShown(self, self._draw)
        session.events.connect("probed", self._probed)
        session.events.connect("model_changed", self._model_changed)
        session.add_probe(self.probe)
        self.visibility = ProbeWhileVisible(self, session, self.probe.name)  # a hidden tab costs nothing

    def _model_changed(self, model) -> None:
        """Another network: its default layer, unless the chosen one is still there (checked by the probe)."""
        if model is None:
            self.result = None
            self.pages.setCurrentWidget(self.hint)

    def _layer_chosen(self, position: int) -> None:
        if 0 <= position < len(self.choices):
            self.probe.layer = self.choices[position][0]
            self.session.add_probe(self.probe)  # answers at once when idle; else within a second

    def _probed(self, name: str, result: dict) -> None:
        if name != self.probe.name or result["requested"] != self.probe.layer:
            return  # an answer for the layer chosen before
        self.show_result(result)

    def show_result(self, result: dict) -> None:
        self.result = result
        if result["layers"] != self.choices:
            self._set_choices(result["layers"])
        if result["layer"] is None:
            self.hint.setText(self.tr("No validation data this network can read yet."))
            self.pages.setCurrentWidget(self.hint)
            return
        self.pages.setCurrentIndex(1)
        position = next(i for i, choice in enumerate(self.choices) if choice[0] == result["layer"])
        if position != self.layer_picker.currentIndex():
            self.layer_picker.blockSignals(True)
            self.layer_picker.setCurrentIndex(position)
            self.layer_picker.blockSignals(False)
        self._drawing.request()

    def _set_choices(self, choices: list) -> None:
        self.choices = [tuple(choice) for choice in choices]
        self.layer_picker.blockSignals(True)
        self.layer_picker.clear()
        last = len(self.choices) - 1
        for i, (_, name, units) in enumerate(self.choices):
            self.layer_picker.addItem(self.tr("{name} ({units} units{output})").format(
                name=name, units=units, output=self.tr(", output") if i == last else ""))
        self.layer_picker.blockSignals(False)

    def _names(self, count: int) -> tuple[str, ...]:
        dataset = self.session.dataset
        names = tuple(dataset.class_names) if dataset is not None else ()
        return names if len(names) >= count else tuple(str(k) for k in range(count))

    def _drawn_coordinates(self) -> np.ndarray:
        """Where the points go: the PCA plane, or for a one-unit layer its output across and the classes
        in rows (each point a little off its row, so that a thousand equal outputs still show as many)."""
        result = self.result
        if result.get("units") != 1:
            return result["coordinates"]
        spread = (result["indices"] * 0.618034) % 1.0 - 0.5
        return np.column_stack([result["coordinates"][:, 0], result["labels"] + 0.6 * spread])

    def _draw(self) -> None:
        result = self.result
        if result is None:  # the network went while this waited to be shown
            return
        coordinates, labels = self._drawn_coordinates(), result["labels"]
        count = int(labels.max()) + 1 if len(labels) else 0
        names = self._names(count)
        if names != self.class_names or len(self.scatters) < count:
            self._set_classes(names)
        for k, scatter in enumerate(self.scatters):
            chosen = labels == k
            scatter.setData(coordinates[chosen, 0], coordinates[chosen, 1])
        self._label_axes(result, names)
        self.plot.setTitle(self.tr("{layer}: {n} validation samples").format(
            layer=self.layer_picker.currentText(), n=len(labels)), size="9pt")
        if self.hovered is not None:
            self.show_sample(self.hovered)
        settle(self.canvas)

    def _label_axes(self, result: dict, names: tuple[str, ...]) -> None:
        left = self.plot.getAxis("left")
        drawn = (result["layer"], result.get("units") == 1)
        if drawn != self._labelled:  # another layer: its own labels, not the last one's margin
            self._labelled = drawn
            release_axes(self.plot)
        if result.get("units") == 1:
            self.plot.setAspectLocked(False)
            self.plot.setLabel("bottom", self.tr("the layer's one output"))
            self.plot.setLabel("left", self.tr("class"))
            left.setTicks([[(k, name) for k, name in enumerate(names)]])
            return
        self.plot.setAspectLocked(True)
        left.setTicks(None)
        first, second = result["explained"]
        self.plot.setLabel("bottom", self.tr("PC 1 ({share:.0%} of variance)").format(share=first))
        self.plot.setLabel("left", self.tr("PC 2 ({share:.0%})").format(share=second))

    def _set_classes(self, names: tuple[str, ...]) -> None:
        self.class_names = names
        for scatter in self.scatters:
            self.plot.removeItem(scatter)
        self.scatters = []
        for k in range(len(names)):
            colour = theme.class_colour(k)
            scatter = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(colour))
            self.plot.addItem(scatter)
            self.scatters.append(scatter)
        self.legend.setText("&nbsp;&nbsp;".join(self._dot(k) + html.escape(name) for k, name in enumerate(names)))

    def sample_near(self, x: float, y: float) -> int | None:
        """The validation index of the drawn point nearest (x, y) (plot coordinates), if within HOVER_PIXELS."""
        result = self.result
        if result is None or not len(result["coordinates"]):
            return None
        width, height = self.plot.vb.viewPixelSize()
        offsets = (self._drawn_coordinates() - [x, y]) / [width or 1.0, height or 1.0]
        distances = np.hypot(offsets[:, 0], offsets[:, 1])
        nearest = int(np.argmin(distances))
        return int(result["indices"][nearest]) if distances[nearest] <= HOVER_PIXELS else None

    def _mouse_moved(self, scene_position) -> None:
        if self.result is None or not self.plot.sceneBoundingRect().contains(scene_position):
            return
        point = self.plot.vb.mapSceneToView(scene_position)
        index = self.sample_near(point.x(), point.y())
        if index is not None and index != self.hovered:
            self.show_sample(index)

    def show_sample(self, index: int) -> None:
        """Validation sample `index`: its class, its place, and the image itself for image data."""
        self.hovered = index
        dataset = self.session.dataset
        found = validation_of(dataset, self.session.experiment.validation_split)
        if found is None or index >= len(found[0]):
            return
        x, y = found
        label = int(np.ravel(y[index])[0])
        name = self.class_names[label] if label < len(self.class_names) else str(label)
        if dataset.is_image:
            self.image.setImage(np.asarray(x[index], np.float32), autoLevels=True)
            self.sample_image.show()
            self.sample_text.setText(self._dot(label) + self.tr("Validation sample {index}: {name}").format(
                index=index, name=name))
        else:
            self.sample_image.hide()
            point = ", ".join(f"{value:.2f}" for value in np.ravel(x[index]))
            self.sample_text.setText(self._dot(label) + self.tr("Validation sample {index}: point ({point}), "
                                                                "class {name}").format(index=index, point=point,
                                                                                       name=name))

    @staticmethod
    def _dot(label: int) -> str:
        return f'<span style="color:{theme.class_colour(label)}">\u25cf</span> '
