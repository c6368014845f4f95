"""Draw a digit and see what the network thinks, layer by layer; teach it your handwriting.

The panel predicts with the session's mirror (the GUI thread's copy of the network, kept current from
the weights probe), so drawing never touches the network being trained; the digits you save are the
session's too.
"""

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app import theme
from nnplayground.app.background import Tasks
from nnplayground.app.canvas import DrawingCanvas
from nnplayground.app.pictures import PictureError, read_picture
from nnplayground.session.data import (
    DrawingError,
    PersonalDigits,
    drawing_problem,
    photo_to_drawing,
    preprocess_drawing,
)

TOP_UNITS = 6
GALLERY_SIZE = 120  # the newest saved digits shown; older ones stay in the file


def _grey_image(array: np.ndarray, size: int) -> QImage:
    """A [0, 1] array as a greyscale QImage scaled up without smoothing (the pixels stay visible)."""
    data = np.ascontiguousarray(np.clip(array * 255, 0, 255).astype(np.uint8))
    image = QImage(data.data, data.shape[1], data.shape[0], data.shape[1], QImage.Format_Grayscale8).copy()
    return image.scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)


class DrawPanel(QWidget):
    def __init__(self, session, personal_problem: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("drawPanel")
        self.session, self.mirror = session, session.mirror
        self.digit: np.ndarray | None = None
        self.probabilities: np.ndarray | None = None
        self.predictions = 0
        self._startup_problem = personal_problem
        self.files = Tasks(self)  # pictures being read off the GUI thread
        self.canvas = DrawingCanvas()
        self.canvas.changed.connect(self.predict)
        self._build()
        session.events.connect("mirror_changed", lambda _mirror: self.model_changed())
        session.events.connect("probed", lambda name, _result: self._weights_changed() if name == "weights" else None)
        session.events.connect("personal_changed", lambda _digits: self._update_personal())
        session.events.connect("run_finished", lambda _reason: self._update_personal())
        self.model_changed()

    @property
    def personal(self) -> PersonalDigits | None:
        return self.session.personal

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.mirror.class_names or tuple(map(str, range(10)))

    # ----- layout -------------------------------------------------------------------------------

    def _button(self, text, name, tip, slot):
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build(self):
        self.clear_button = self._button("Clear", "clearCanvasButton", "Wipe the canvas (Esc)", self.canvas.clear)
        self.undo_button = self._button("Undo", "undoStrokeButton", "Take back the last stroke (Ctrl+Z)",
                                        self.canvas.undo)
        self.open_button = self._button("Open image...", "openImageButton",
                                        "Test a PNG or JPEG of a handwritten digit; a photo of dark ink on paper "
                                        "works too", self.ask_for_image)
        self.pen = QSlider(Qt.Horizontal)
        self.pen.setObjectName("penWidth")
        self.pen.setRange(4, 48)
        self.pen.setValue(self.canvas.pen_width)
        self.pen.setToolTip("Pen thickness. The digit's strokes are brought to MNIST's thickness anyway.")
        self.pen.valueChanged.connect(self.canvas.set_pen_width)
        tools = QHBoxLayout()
        for widget in (self.clear_button, self.undo_button, self.open_button):
            tools.addWidget(widget)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel("Pen"))
        pen_row.addWidget(self.pen, 1)
        self.label_buttons = []
        labels = QGridLayout()
        labels.addWidget(QLabel("This is a:"), 0, 0, 1, 5)  # above the keys: the column stays narrow
        for digit in range(10):
            button = self._button(str(digit), f"labelButton{digit}", f"Save this drawing as a {digit} in your own "
                                  "set of digits (or press the key)", lambda _=False, d=digit: self.label(d))
            button.setMaximumWidth(40)
            labels.addWidget(button, 1 + digit // 5, digit % 5)
            self.label_buttons.append(button)
        self.undo_label_button = self._button("Undo save", "undoLabelButton",
                                              "Remove the digit you saved last (a wrong label)", self.undo_label)
        self.personal_label = QLabel()
        self.personal_label.setObjectName("personalSummary")
        self.personal_label.setWordWrap(True)
        self.personal_label.setMaximumWidth(200)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 0, Qt.AlignHCenter)
        left.addLayout(tools)
        left.addLayout(pen_row)
        left.addLayout(labels)
        row = QHBoxLayout()
        row.addWidget(self.undo_label_button)
        row.addWidget(self.personal_label, 1)
        left.addLayout(row)
        self.gallery = QListWidget()
        self.gallery.setObjectName("personalDigits")
        self.gallery.setToolTip("Your saved digits, newest first. Select one and press Delete to remove it, or a "
                                "digit key to give it another label.")
        self.gallery.setViewMode(QListWidget.IconMode)
        self.gallery.setIconSize(pg.QtCore.QSize(36, 36))
        self.gallery.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.gallery.setMovement(QListWidget.Static)
        self.gallery.setMaximumHeight(150)
        self.gallery.installEventFilter(self)
        self.delete_button = self._button("Delete", "deleteDigitButton", "Remove the selected saved digits",
                                          self.delete_selected)
        gallery_row = QHBoxLayout()
        gallery_row.addWidget(self.gallery, 1)
        gallery_row.addWidget(self.delete_button, 0, Qt.AlignTop)
        left.addLayout(gallery_row)
        left.addStretch(1)

        self.preview = QLabel()
        self.preview.setObjectName("networkInputPreview")
        self.preview.setFixedSize(112, 112)
        self.preview.setToolTip("The 28x28 image the network sees: cropped, scaled and centred as MNIST was.")
        self.guess = QLabel()
        self.guess.setObjectName("topGuess")
        self.guess.setWordWrap(True)
        font = self.guess.font()
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        self.guess.setFont(font)
        self.bars = pg.PlotWidget()
        self.bars.setObjectName("probabilityBars")
        self.bars.setToolTip("How likely the network finds each class for this drawing.")
        self.bars.setYRange(0, 1, padding=0)
        self.bars.setMouseEnabled(False, False)
        self.bars.hideButtons()
        self.bars.setMaximumHeight(150)
        self.bars.setMinimumHeight(110)
        self.bars.setMinimumWidth(200)
        self.bar_item = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, brush=theme.TRAIN)
        self.bars.addItem(self.bar_item)
        self.bars.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        self.activations = pg.GraphicsLayoutWidget()
        self.activations.setObjectName("layerActivations")
        self.activations.setToolTip("How strongly each hidden unit responds to this drawing, layer by layer.")
        self.activations.setMinimumHeight(100)
        # pyqtgraph asks for room for every plot's axes; here the plots share whatever height is left.
        self.activations.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Ignored)
        self.unit_tiles = QLabel()
        self.unit_tiles.setObjectName("topUnitTiles")
        # A strip of tiles is as wide as it is long: it must not widen the panel (a scroll bar, a clipped
        # top guess); what does not fit is cut at the right.
        self.unit_tiles.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.unit_tiles.setToolTip("The first-layer units that fire most for this drawing, and their weights "
                                   "(red: ink there excites the unit, blue: inhibits it).")
        top = QHBoxLayout()
        top.addWidget(self.preview)
        top.addWidget(self.guess, 1)
        right = QVBoxLayout()
        right.addLayout(top)
        right.addWidget(self.bars)
        right.addWidget(QLabel("Hidden layers"))
        right.addWidget(self.activations, 1)
        units_title = QLabel("First-layer units that fire most, and what they look for")
        units_title.setWordWrap(True)  # a long title must not set the panel's width
        right.addWidget(units_title)
        right.addWidget(self.unit_tiles)
        # The left column's width is fixed: when the first prediction fills the right one, the grid would
        # otherwise take room from it, and the canvas would slide away under the pen.
        left_column = QWidget()
        left_column.setObjectName("drawLeftColumn")
        left_column.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        left_column.setFixedWidth(left_column.sizeHint().width())
        layout = QGridLayout(self)
        layout.addWidget(left_column, 0, 0)
        layout.addLayout(right, 0, 1)
        layout.setColumnStretch(1, 1)
        self._update_personal()

    # ----- the model ----------------------------------------------------------------------------

    def model_changed(self) -> None:
        """The mirror holds another network (or none): new activation plots, a new prediction."""
        self._rebuild_activation_plots()
        self.predict()

    def _weights_changed(self) -> None:
        if self.isVisible():  # a hidden panel predicts when it is shown
            self.predict()

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.predict()

    def model_problem(self) -> str | None:
        if self.mirror.model is None:
            return "Train a network on MNIST (or open one) to see what it makes of your drawing."
        if not self.mirror.reads_digits():
            shape = "x".join(map(str, self.mirror.input_shape))
            return (f"This network takes inputs of shape {shape}, not 28x28 digits: pick the MNIST sample or "
                    "MNIST as data and train, then draw.")
        return None

    def _rebuild_activation_plots(self):
        self.activations.clear()
        self.activation_items = []
        if self.model_problem():
            return
        hidden = [layer for layer in self.mirror.model.layers if "kernel" in layer.variable_names][:-1]
        for i, layer in enumerate(hidden):
            plot = self.activations.addPlot(row=i, col=0)
            plot.setMinimumHeight(40)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.hideAxis("left")
            plot.setLabel("bottom", f"layer {i + 1}: {layer.units} units ({layer.activation.name})")
            item = pg.BarGraphItem(x=np.arange(layer.units), height=np.zeros(layer.units), width=0.8,
                                   brush=theme.VALIDATION)
            plot.addItem(item)
            self.activation_items.append((layer, item, plot))

    # ----- predicting ---------------------------------------------------------------------------

    def predict(self) -> None:
        """Preprocess the canvas and run the network on it (called on every stroke segment)."""
        pixels = self.canvas.pixels()
        problem = None if self.canvas.is_empty() else drawing_problem(pixels)
        self.digit, self.probabilities = None, None
        if self.canvas.is_empty() or problem:
            self._show(problem or "Draw a digit.")
            return
        try:
            self.digit = preprocess_drawing(pixels)
        except DrawingError as error:
            self._show(str(error))
            return
        self.preview.setPixmap(pg.QtGui.QPixmap.fromImage(_grey_image(self.digit, 112)))
        problem = self.model_problem()
        if problem:
            self._show(problem, keep_preview=True)
            return
        self._run_network()

    def _run_network(self):
        probabilities, layer_outputs = self.mirror.layer_outputs(self.mirror.as_input(self.digit[None]))
        outputs = {layer: values[0] for layer, values in layer_outputs}
        probabilities = probabilities[0]
        self.probabilities = probabilities
        self.predictions += 1
        best = int(np.argmax(probabilities))
        name = self.class_names[best] if best < len(self.class_names) else str(best)
        self.guess.setText(f"{name}  ({probabilities[best]:.0%} sure)")
        self.bar_item.setOpts(x=np.arange(len(probabilities)), height=probabilities,
                              brushes=[theme.ACCENT if i == best else theme.TRAIN for i in range(len(probabilities))])
        for layer, item, plot in self.activation_items:
            values = outputs[layer]
            item.setOpts(height=values)
            plot.setYRange(min(0.0, float(values.min())), max(1e-6, float(values.max())), padding=0.05)
        self._show_top_units(outputs)

    def _show_top_units(self, outputs):
        first = next(iter(outputs))
        if first.kernel.shape[0] != 784 or first not in outputs:
            self.unit_tiles.clear()
            return
        top = np.argsort(outputs[first])[::-1][:TOP_UNITS]
        tiles = [first.kernel[:, unit].reshape(28, 28) for unit in top]
        limit = max(float(np.abs(np.stack(tiles)).max()), 1e-6)
        strip = np.concatenate([np.pad((tile / limit + 1) / 2, ((0, 0), (0, 2)), constant_values=0.5)
                                for tile in tiles], axis=1)
        rgb = theme.DIVERGING.map(np.clip(strip, 0, 1).ravel(), mode="byte")[:, :3].reshape(*strip.shape, 3)
        rgb = np.ascontiguousarray(rgb.astype(np.uint8))
        image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.shape[1] * 3, QImage.Format_RGB888).copy()
        self.unit_tiles.setPixmap(pg.QtGui.QPixmap.fromImage(image.scaledToHeight(56, Qt.FastTransformation)))
        self.unit_tiles.setToolTip("Units " + ", ".join(str(u) for u in top) + ": the first-layer units that fire "
                                   "most for this drawing, and their weights (red excites, blue inhibits).")

    def _show(self, message: str, keep_preview: bool = False) -> None:
        self.guess.setText(message)
        self.bar_item.setOpts(height=np.zeros(len(self.bar_item.opts["height"])))
        if not keep_preview:
            self.preview.clear()
        for _, item, _ in getattr(self, "activation_items", []):
            item.setOpts(height=np.zeros(len(item.opts["height"])))

    # ----- images and your own digits -----------------------------------------------------------

    def ask_for_image(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open a picture of a digit", "",
                                              "Images (*.png *.jpg *.jpeg *.bmp);;All files (*)")
        if path:
            self.open_image(path)

    def open_image(self, path: str) -> None:
        """Show a picture of a digit on the canvas and predict it (read off the GUI thread); a message if
        it cannot be read."""
        self.files.start(lambda: read_picture(path), self._show_picture, self._could_not_read_picture)

    def _could_not_read_picture(self, error: Exception) -> None:
        if not isinstance(error, PictureError):
            logging.getLogger(__name__).error("reading a picture failed", exc_info=error)
        self._show(str(error))

    def _show_picture(self, pixels: np.ndarray) -> None:
        drawing = np.ascontiguousarray(photo_to_drawing(pixels))
        side = self.canvas.width()
        scaled = QImage(drawing.data, drawing.shape[1], drawing.shape[0], drawing.shape[1],
                        QImage.Format_Grayscale8).scaled(side, side, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.canvas.strokes = [[]]  # not empty, but nothing to redraw: the picture is the drawing
        self.canvas.image.fill(0)
        painter = QPainter(self.canvas.image)
        painter.drawImage((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
        painter.end()
        self.canvas.update()
        self.predict()

    def personal_problem_solved(self) -> None:
        """The damaged digits file is gone: the set the session now holds is shown."""
        self._startup_problem = None
        self._update_personal()

    def label(self, digit: int) -> None:
        """Save the current drawing as `digit` in the personal set, then clear the canvas for the next."""
        if self.digit is None or self.personal is None:
            return
        if self.session.add_personal_digit(self.digit, digit):
            self.canvas.clear()
            self._update_personal(f"Saved as {digit}.")

    def undo_label(self) -> None:
        if self.personal is not None and len(self.personal) and \
                self.session.remove_personal_digits([len(self.personal) - 1]):
            self._update_personal("Removed the last saved digit.")

    def _selected_indices(self) -> list[int]:
        return sorted((item.data(Qt.UserRole) for item in self.gallery.selectedItems()), reverse=True)

    def delete_selected(self) -> None:
        indices = self._selected_indices()
        if indices and self.session.remove_personal_digits(indices):
            self._update_personal(f"Deleted {len(indices)} digit{'s' if len(indices) > 1 else ''}.")

    def relabel_selected(self, digit: int) -> None:
        indices = self._selected_indices()
        if indices and self.session.relabel_personal_digits(indices, digit):
            self._update_personal(f"Relabelled as {digit}.")

    def _refresh_gallery(self) -> None:
        self.gallery.clear()
        if self.personal is None:
            self.delete_button.setEnabled(False)
            return
        newest = range(len(self.personal) - 1, max(-1, len(self.personal) - 1 - GALLERY_SIZE), -1)
        for index in newest:
            item = QListWidgetItem(pg.QtGui.QIcon(pg.QtGui.QPixmap.fromImage(
                _grey_image(self.personal.x[index] / 255.0, 36))), str(self.personal.y[index]))
            item.setData(Qt.UserRole, index)
            self.gallery.addItem(item)
        self.delete_button.setEnabled(len(self.personal) > 0)

    def personal_accuracy(self) -> float | None:
        if self.model_problem() or self.personal is None or not len(self.personal):
            return None
        probabilities = self.mirror.probabilities(self.mirror.as_input(self.personal.x / 255.0))
        if probabilities.shape[1] != 10:
            return None
        return float(np.mean(probabilities.argmax(axis=1) == self.personal.y))

    def _update_personal(self, prefix: str = "") -> None:
        if self._startup_problem or self.personal is None:
            self.personal_label.setText(self._startup_problem or "")
            return
        accuracy = self.personal_accuracy()
        text = f"Your digits: {len(self.personal)}"
        if accuracy is not None:
            text += f", the network reads {accuracy:.0%} of them right"
        self.personal_label.setText(f"{prefix} {text}".strip())
        self.undo_label_button.setEnabled(len(self.personal) > 0)
        if hasattr(self, "gallery"):
            self._refresh_gallery()

    @staticmethod
    def _digit_key(event) -> int | None:
        if Qt.Key_0 <= event.key() <= Qt.Key_9 and event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier):
            return event.key() - Qt.Key_0
        return None

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        """Digit keys save the drawing with that label."""
        digit = self._digit_key(event)
        if digit is not None:
            self.label(digit)
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        """In the gallery, a digit key relabels the selected digits and Delete removes them (before the
        list's own keyboard search takes the key)."""
        if watched is self.gallery and event.type() == QEvent.KeyPress:
            digit = self._digit_key(event)
            if digit is not None:
                self.relabel_selected(digit)
                return True
            if event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
                self.delete_selected()
                return True
        return super().eventFilter(watched, event)
