"""The mistakes, as views of the session's evaluation probe: the headline accuracy, the confusion matrix
with a gallery behind each cell, the most confident mistakes and the accuracy per class.

Each view draws only the probe's answer (or, for the headline, the epoch's validation figures); none keeps
run data beyond what it shows.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app import theme
from nnplayground.app.painted_text import PaintedText
from nnplayground.app.visibility import DrawWhenShown
from nnplayground.session import State
from nnplayground.session.evaluation import EvaluationProbe, cell_samples

NAME = EvaluationProbe.name
THUMBNAIL = 56  # pixels a side: a 28x28 digit at twice its size, pixels kept sharp
GALLERY_LIMIT = 400  # thumbnails drawn for one cell; the title says how many there are
MAX_WRITTEN_CLASSES = 10  # numbers in the confusion matrix's cells up to this many classes


def watch_evaluation(session, handler) -> None:
    """Subscribe `handler(result)` to the evaluation probe's answers, registering the probe once for all
    the views that share it, and hand it the answer there already is."""
    session.events.connect("probed", lambda name, result: handler(result) if name == NAME else None)
    if NAME in session.probes:
        handler(session.probe_results.get(NAME))
    else:
        session.add_probe(EvaluationProbe())  # answers at once when idle, through the event above


def thumbnail(image: np.ndarray, side: int = THUMBNAIL) -> QPixmap:
    """A greyscale image (uint8 0..255, or floats scaled by their own maximum) as a square pixmap."""
    if image.dtype != np.uint8:
        peak = float(np.nanmax(image)) if image.size else 0.0
        image = np.clip(np.nan_to_num(image) * (255.0 / peak if peak > 0 else 0.0), 0, 255).astype(np.uint8)
    image = np.ascontiguousarray(image)
    picture = QImage(image.data, image.shape[1], image.shape[0], image.strides[0], QImage.Format_Grayscale8)
    return QPixmap.fromImage(picture.copy()).scaled(side, side, Qt.KeepAspectRatio, Qt.FastTransformation)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignCenter)
    label.setWordWrap(True)
    label.setObjectName("hint")
    return label


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%" if np.isfinite(value) else "-"


class HeadlineAccuracy(QWidget):
    """The validation accuracy and loss in large type: the epoch's figures while a run trains, the probe's
    (on its subset, at the current weights) when idle and newer than the last epoch."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("headlineAccuracy")
        self.setToolTip(self.tr("How the network does on data it does not train on: the share of validation "
                                "samples it classifies right, and its loss on them."))
        self.accuracy: float | None = None
        self.loss: float | None = None
        self.epoch_step = -1  # the step of the epoch figures shown, -1: none in this run
        self.value = PaintedText(Qt.AlignCenter)
        self.value.setObjectName("headlineValue")
        font = self.value.font()
        font.setPointSize(font.pointSize() * 2 + 6)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = PaintedText(Qt.AlignHCenter | Qt.AlignTop, lines=3)
        self.detail.setObjectName("headlineDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self.setMinimumSize(180, 70)
        self.setMaximumWidth(240)  # beside the diagram, which needs the width more
        self._latest: tuple[dict, int] | None = None  # the newest epoch's figures, not shown yet
        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self._show_latest)
        self.clear()
        session.events.connect("run_started", self._run_started)
        session.events.connect("epochs_ended", lambda ended: self._epoch_ended(ended[-1]))
        session.events.connect("progress", self._show_latest)  # a report's last event
        session.events.connect("state_changed", self._state_changed)
        session.events.connect("model_changed", lambda model: self.clear() if model is None else None)
        watch_evaluation(session, self._probed)

    def sizeHint(self):  # noqa: N802 - Qt's name
        """The same whatever the figures say: a new text must not move the diagram beside it, which would
        repaint the whole tab after every epoch (measured: 2.5 ms of a 48 ms report cycle)."""
        return QSize(220, 90)

    def clear(self) -> None:
        self.accuracy = self.loss = None
        self.epoch_step = -1
        self._latest = None
        self.value.setText("")
        self.value.hide()
        self.detail.setText(self.tr("Validation accuracy appears here once there is a network and data."))

    def _run_started(self, log) -> None:
        self.epoch_step = -1
        if log.epochs:  # an earlier run brought back: its last epoch
            self._epoch_ended(log.epochs[-1])
            self._show_latest()

    def _epoch_ended(self, logs: dict) -> None:
        """Small data ends dozens of epochs per report: the last one is shown once the report is handled."""
        if "val_accuracy" not in logs:
            return
        self.epoch_step = self.session.run_log.step
        self._latest = (logs, self.session.run_log.complete_epochs)
        if not self._pending.isActive():
            self._pending.start()

    def _show_latest(self, _progress=None) -> None:
        self._pending.stop()
        if self._latest is None:
            return
        (logs, epoch), self._latest = self._latest, None
        loss = logs.get("val_loss", float("nan"))
        self.show_figures(logs["val_accuracy"], loss,
                          self.tr("validation accuracy after epoch {0} · loss {1:.4g}").format(epoch, loss))

    def _probed(self, result: dict | None) -> None:
        if result is None:
            if self.epoch_step < 0:
                self.clear()
            return
        if self.epoch_step < 0 or (self.session.state is State.IDLE and result["step"] != self.epoch_step):
            self.show_figures(result["accuracy"], result["loss"],
                              self.tr("validation accuracy on {0:,} samples at step {1:,} · loss {2:.4g}").format(
                                  result["n"], result["step"], result["loss"]))

    def _state_changed(self, state) -> None:
        if state is State.IDLE:  # a run stopped mid-epoch: the probe's answer is newer than the epoch's
            self._probed(self.session.probe_results.get(NAME))

    def show_figures(self, accuracy: float, loss: float, detail: str) -> None:
        self.accuracy, self.loss = float(accuracy), float(loss)
        self.value.setText(_percent(self.accuracy))
        self.value.show()
        self.detail.setText(detail)


class _CellImage(pg.ImageItem):
    """The matrix's image; a click says which cell (row, column) was under it. A signal, not a callback
    kept on the item: an item holding its view would, when the scene deletes it, delete that view (and
    its scene) from inside the scene's own destructor."""

    cell_clicked = Signal(int, int)

    def mouseClickEvent(self, event):  # noqa: N802 - pyqtgraph's name
        if event.button() != Qt.LeftButton or self.image is None:
            return
        position = event.pos()
        row, column = int(position.y()), int(position.x())
        if 0 <= row < self.image.shape[0] and 0 <= column < self.image.shape[1]:
            event.accept()
            self.cell_clicked.emit(row, column)


class ConfusionMatrixView(QWidget):
    """Rows: the true class; columns: what the network said. Cells coloured by their share of the row,
    written as counts or row shares; a click opens a gallery of that cell's samples."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("confusionMatrixView")
        self.setToolTip(self.tr("Each row is a true class, each column what the network said. The diagonal "
                                "holds the right answers. Click a cell to see its samples."))
        self.result: dict | None = None
        self.confusion: np.ndarray | None = None
        self.shares: np.ndarray | None = None
        self.texts: list[pg.TextItem] = []
        self.gallery: ConfusionGallery | None = None
        self.row_shares = QCheckBox(self.tr("Row shares"))
        self.row_shares.setObjectName("confusionRowShares")
        self.row_shares.setToolTip(self.tr("Write each cell as its share of the row (of that true class) "
                                           "instead of a count"))
        self.row_shares.toggled.connect(self._write_cells)
        self.caption = QLabel()
        self.caption.setObjectName("confusionCaption")
        self.caption.setWordWrap(True)  # a narrow page wraps it rather than cutting it under the box
        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot = self.plot_widget.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setLabel("left", self.tr("true class"))
        self.plot.setLabel("bottom", self.tr("predicted class"))
        self.image = _CellImage()
        self.image.cell_clicked.connect(self.open_gallery)
        self.plot.addItem(self.image)
        self.hint = _hint(self.tr("The confusion matrix appears once the network has validation data to "
                                  "classify."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.plot_widget)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.row_shares)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.setMinimumSize(240, 240)
        self._drawing = DrawWhenShown(self, self._draw)
        session.events.connect("model_changed", self._model_changed)
        watch_evaluation(session, self.show_result)

    def _model_changed(self, model) -> None:
        if self.gallery is not None:
            self.gallery.hide()  # its samples were the last network's answers
        if model is None:
            self.show_result(None)

    def show_result(self, result: dict | None) -> None:
        """The counts and shares now; the drawing now if the view is on screen, else when it is shown."""
        self.result = result
        if result is None:
            self.confusion = self.shares = None
        else:
            self.confusion = result["confusion"]
            self.shares = self.confusion / np.maximum(self.confusion.sum(axis=1, keepdims=True), 1)
        self._drawing.request()

    def _draw(self) -> None:
        result = self.result
        if result is None:
            self.caption.setText("")
            self._write_cells()
            self.stack.setCurrentWidget(self.hint)
            return
        k = len(self.confusion)
        names = result["class_names"]
        ticks = [[(i + 0.5, str(name)) for i, name in enumerate(names)]]
        self.plot.getAxis("left").setTicks(ticks)
        self.plot.getAxis("bottom").setTicks(ticks)
        self.image.setColorMap(self._colour_map())
        self.image.setImage(self.shares.astype(np.float32), autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(0, 0, k, k)
        self.plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)
        self.caption.setText(self.tr("{0:,} of {1:,} right ({2})").format(
            result["correct"], result["n"], _percent(result["accuracy"])))
        self._write_cells()
        self.stack.setCurrentWidget(self.plot_widget)

    def _colour_map(self) -> pg.ColorMap:
        """From the plot's background (no samples) to the theme's strong blue (the whole row)."""
        base = self.palette().color(QPalette.Base)
        return pg.ColorMap([0.0, 1.0], [base, QColor(theme.TRAIN)])

    def _write_cells(self) -> None:
        k = 0 if self.confusion is None or len(self.confusion) > MAX_WRITTEN_CLASSES else len(self.confusion)
        while len(self.texts) > k * k:
            self.plot.removeItem(self.texts.pop())
        while len(self.texts) < k * k:
            text = pg.TextItem(anchor=(0.5, 0.5))
            self.plot.addItem(text)
            self.texts.append(text)
        if not k:
            return
        dark_text, light_text = QColor("#111111"), QColor("#f5f5f5")
        base_is_dark = self.palette().color(QPalette.Base).lightness() < 128
        for index, text in enumerate(self.texts):
            row, column = divmod(index, k)
            share = self.shares[row, column]
            written = _percent(share) if self.row_shares.isChecked() else str(int(self.confusion[row, column]))
            on_dark = share > 0.45 or base_is_dark
            text.setText(written, color=light_text if on_dark else dark_text)
            text.setPos(column + 0.5, row + 0.5)

    def open_gallery(self, true_class: int, predicted_class: int) -> None:
        """The samples of one cell, with the network's probabilities, in a window beside the main one."""
        if self.result is None:
            return
        if self.gallery is None:
            self.gallery = ConfusionGallery(self)
        self.gallery.show_cell(self.result, true_class, predicted_class)
        self.gallery.show()
        self.gallery.raise_()

    def changeEvent(self, event):  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and self.result is not None:
            self.show_result(self.result)  # the cells' colours follow the theme


def _probabilities_text(probabilities: np.ndarray, names) -> str:
    return "  ".join(f"{name}: {_percent(p)}" for name, p in zip(names, probabilities, strict=True))


class ConfusionGallery(QDialog):
    """The samples of one confusion-matrix cell as the probe saw them: thumbnails for images, coordinates
    for points, each with the network's probabilities. A snapshot: click the cell again to refresh."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("confusionGallery")
        self.setModal(False)
        self.positions = np.zeros(0, np.int64)
        self.indices = np.zeros(0, np.int64)
        self.cell: tuple[int, int] | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setObjectName("galleryTitle")
        self.thumbnails = _thumbnail_list("galleryThumbnails")
        self.table = _table("galleryTable")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.thumbnails, 1)
        layout.addWidget(self.table, 1)
        self.resize(560, 420)

    def show_cell(self, result: dict, true_class: int, predicted_class: int) -> None:
        names = result["class_names"]
        self.cell = (true_class, predicted_class)
        self.positions = cell_samples(result, true_class, predicted_class)
        self.indices = result["indices"][self.positions]
        shown = self.positions[:GALLERY_LIMIT]
        what = self.tr("right") if true_class == predicted_class else self.tr("mistaken")
        self.setWindowTitle(self.tr("True {0}, predicted {1}").format(names[true_class], names[predicted_class]))
        more = self.tr(" (the first {0:,} shown)").format(len(shown)) if len(shown) < len(self.positions) else ""
        self.title.setText(self.tr("True class {0}, the network said {1}: {2:,} samples {3} at step {4:,}{5}.")
                           .format(names[true_class], names[predicted_class], len(self.positions), what,
                                   result["step"], more))
        probabilities = result["probabilities"]
        if result["is_image"]:
            self.table.hide()
            self.thumbnails.show()
            _fill_thumbnails(self.thumbnails, [
                (result["inputs"][i], f"{_percent(probabilities[i, predicted_class])}",
                 self.tr("Sample {0} of the validation set\n{1}").format(
                     int(result["indices"][i]), _probabilities_text(probabilities[i], names)))
                for i in shown])
        else:
            self.thumbnails.hide()
            self.table.show()
            _fill_points(self.table, result, shown, [self.tr("sample")], names)


class _Thumbnails(QAbstractListModel):
    """Read-only (picture, caption, tooltip) entries for a list view in icon mode: a new answer is one model
    reset, not an item object per thumbnail."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[tuple[QPixmap, str, str]] = []

    def set_entries(self, entries) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent=None):  # noqa: N802 - Qt's name
        return 0 if parent is not None and parent.isValid() else len(self.entries)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or index.row() >= len(self.entries):
            return None
        picture, caption, tip = self.entries[index.row()]
        return {Qt.DecorationRole: picture, Qt.DisplayRole: caption, Qt.ToolTipRole: tip,
                Qt.TextAlignmentRole: int(Qt.AlignHCenter)}.get(role)


class _Rows(QAbstractTableModel):
    """Read-only rows of text under headers."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []

    def set_rows(self, headers: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.headers, self.rows = list(headers), rows
        self.endResetModel()

    def rowCount(self, parent=None):  # noqa: N802 - Qt's name
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent=None):  # noqa: N802 - Qt's name
        return 0 if parent is not None and parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and index.isValid() and index.row() < len(self.rows):
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt's name
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and section < len(self.headers):
            return self.headers[section]
        return None


def _thumbnail_list(name: str) -> QListView:
    view = QListView()
    view.setObjectName(name)
    view.setModel(_Thumbnails(view))
    view.setViewMode(QListView.IconMode)
    view.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
    view.setResizeMode(QListView.Adjust)
    view.setMovement(QListView.Static)
    view.setUniformItemSizes(True)
    view.setSpacing(2)
    view.setSelectionMode(QAbstractItemView.NoSelection)
    return view


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(_Rows(view))
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


def _fill_thumbnails(view: QListView, entries) -> None:
    """(image, caption, tooltip) entries as the view's pictures, replacing what it showed."""
    entries = [(thumbnail(image), caption, tip) for image, caption, tip in entries]
    width = max((view.fontMetrics().horizontalAdvance(caption) + 8 for _, caption, _ in entries), default=0)
    view.setGridSize(QSize(max(THUMBNAIL + 8, width), THUMBNAIL + 2 * view.fontMetrics().height() + 6))
    view.model().set_entries(entries)


def _fill_points(table: QTableView, result: dict, positions, first_columns: list[str], names,
                 extra=None) -> None:
    """One row per sample: its index, any `extra(position)` cells, its coordinates, its probabilities."""
    inputs = result["inputs"]
    coordinates = inputs.reshape(len(inputs), -1).shape[1]
    headers = [*first_columns, *(f"x{j + 1}" for j in range(coordinates)), *(f"p({name})" for name in names)]
    rows = [[str(int(result["indices"][position])), *(extra(position) if extra else ()),
             *(f"{value:.3f}" for value in inputs[position].reshape(-1)),
             *(_percent(p) for p in result["probabilities"][position])] for position in positions]
    table.model().set_rows(headers, rows)
    metrics = table.fontMetrics()  # widths from the strings: resizeColumnsToContents asks the model cell by cell
    for column, header in enumerate(headers):
        texts = [header, *(row[column] for row in rows)]
        table.setColumnWidth(column, max(metrics.horizontalAdvance(text) for text in texts) + 14)


class MistakesView(QWidget):
    """The most confident mistakes (thumbnails with "true 3, said 5 (97%)", or a table of points) above
    the accuracy per class as a bar chart (`perClassAccuracy`, in this widget)."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("mistakesView")
        self.setToolTip(self.tr("The validation samples the network gets wrong while most sure of itself, and "
                                "how often it is right for each class."))
        self.result: dict | None = None
        self.mistakes: list[dict] = []
        self.accuracies = np.zeros(0)
        self.caption = QLabel()
        self.caption.setObjectName("mistakesCaption")
        self.caption.setWordWrap(True)
        self.thumbnails = _thumbnail_list("mistakeThumbnails")
        self.thumbnails.setToolTip(self.tr("The validation samples the network got wrong with the most "
                                           "confidence: what it said, and how sure it was"))
        self.table = _table("mistakeTable")
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setObjectName("perClassAccuracy")
        self.bars_plot.setMenuEnabled(False)
        self.bars_plot.setMouseEnabled(False, False)
        self.bars_plot.hideButtons()
        self.bars_plot.setYRange(0, 1, padding=0.02)
        self.bars_plot.setLabel("left", self.tr("accuracy"))
        self.bars_plot.setLabel("bottom", self.tr("true class"))
        self.bars_plot.setMinimumHeight(110)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=theme.TRAIN, pen=None)
        self.bars_plot.addItem(self.bars)
        mistakes_page = QWidget()
        mistakes_layout = QVBoxLayout(mistakes_page)
        mistakes_layout.setContentsMargins(0, 0, 0, 0)
        mistakes_layout.addWidget(self.caption)
        mistakes_layout.addWidget(self.thumbnails, 1)
        mistakes_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(mistakes_page)
        self.splitter.addWidget(self.bars_plot)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 150])
        self.hint = _hint(self.tr("The network's most confident mistakes and its accuracy per class appear once "
                                  "it has validation data to classify."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setMinimumSize(240, 280)
        self._drawing = DrawWhenShown(self, self._draw)
        session.events.connect("model_changed", lambda model: self.show_result(None) if model is None else None)
        watch_evaluation(session, self.show_result)

    def show_result(self, result: dict | None) -> None:
        """The mistakes and accuracies now; the drawing now if the view is on screen, else when it is shown."""
        self.result = result
        self.mistakes = result["mistakes"] if result is not None else []
        self.accuracies = result["per_class_accuracy"] if result is not None else np.zeros(0)
        self._drawing.request()

    def _draw(self) -> None:
        result = self.result
        if result is None:
            self.stack.setCurrentWidget(self.hint)
            return
        names = result["class_names"]
        wrong = result["n"] - result["correct"]
        self.caption.setText(self.tr("{0:,} of {1:,} validation samples wrong; the {2} most confident mistakes:")
                             .format(wrong, result["n"], len(self.mistakes)) if self.mistakes else
                             self.tr("No mistakes on {0:,} validation samples.").format(result["n"]))
        if result["is_image"]:
            self.table.hide()
            self.thumbnails.show()
            _fill_thumbnails(self.thumbnails, [
                (result["inputs"][m["position"]], self.caption_of(m, names),
                 self.tr("Sample {0} of the validation set\n{1}").format(
                     m["index"], _probabilities_text(m["probabilities"], names)))
                for m in self.mistakes])
        else:
            self.thumbnails.hide()
            self.table.show()
            _fill_points(self.table, result, [m["position"] for m in self.mistakes],
                         [self.tr("sample"), self.tr("true"), self.tr("said")], names,
                         extra=lambda position: (names[int(result["y_true"][position])],
                                                 names[int(result["y_pred"][position])]))
        k = len(names)
        self.bars.setOpts(x=np.arange(k), height=np.nan_to_num(self.accuracies), width=0.7, brush=theme.TRAIN,
                           pen=None)
        self.bars_plot.getAxis("bottom").setTicks([[(i, str(name)) for i, name in enumerate(names)]])
        self.bars_plot.setXRange(-0.6, k - 0.4, padding=0)
        self.stack.setCurrentWidget(self.splitter)

    def caption_of(self, mistake: dict, names) -> str:
        return self.tr("true {0}, said {1} ({2})").format(names[mistake["true"]], names[mistake["predicted"]],
                                                         f"{100 * mistake['confidence']:.0f}%")
