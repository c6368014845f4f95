"""The Runs view: every recorded run in a sortable table; the selected runs' curves overlaid in distinct
colours, with what differs between their experiments in words; a run brought back with one click; a run
renamed by editing its name, and runs deleted (Delete, with Undo).

A view of the session's run history (`session.history`): its rows are the history's index, and the curves
it draws are read from the selected runs' records when the selection changes.
"""

import time

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QPalette,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app import theme
from nnplayground.app.background import Tasks
from nnplayground.app.plots import LossAxis
from nnplayground.app.sweep_dialog import SweepDialog
from nnplayground.session.differences import differences
from nnplayground.session.history import RunRecordError, duration

SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
MAX_OVERLAID = len(theme.CLASS_COLOURS)  # distinct colours; more runs selected are listed, not drawn
SIDE_BY_SIDE = 1100  # the view's width from which the curves stand beside the table, not under it


def run_colour(index: int) -> str:
    return theme.CLASS_COLOURS[index % len(theme.CLASS_COLOURS)]


def _started(seconds: float) -> str:
    """Today's runs by their time, older ones by their date too."""
    when = time.localtime(seconds)
    same_day = time.strftime("%Y%m%d", when) == time.strftime("%Y%m%d")
    return time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M", when)


def _layers_key(layers: str) -> str:
    """32-16 sorts after 8-8 and before 8-8-8: by depth, then by each layer's size."""
    units = [part.zfill(5) for part in layers.split("-")] if layers != "none" else []
    return f"{len(units)}:{'-'.join(units)}"


def _cells(summary: dict) -> list[tuple[str, object]]:
    """(text, sort key) for each column, from a record's summary."""
    rate, best = summary["learning_rate"], summary["best_val_accuracy"]
    rate_ok = isinstance(rate, int | float)
    return [(summary["name"], summary["name"].lower()), (str(summary["dataset"]), str(summary["dataset"])),
            (summary["layers"], _layers_key(summary["layers"])),
            (str(summary["optimizer"]), str(summary["optimizer"])),
            (f"{rate:g}" if rate_ok else "?", float(rate) if rate_ok else -1.0),
            (f"{best:.1%}" if best is not None else "-", float(best) if best is not None else -1.0),
            (str(summary["epochs"]), int(summary["epochs"])), (duration(summary["seconds"]), float(summary["seconds"])),
            (_started(summary["started"]), float(summary["started"]))]


class _Overlay(QWidget):
    """Validation (solid) and training (dashed) loss and accuracy per epoch of up to MAX_OVERLAID runs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolTip(self.tr("Solid: validation; dashed: training. Each colour is one selected run."))
        self.loss_plot = pg.PlotWidget(axisItems={"left": LossAxis(orientation="left")})
        self.loss_plot.setObjectName("runsLossPlot")
        self.loss_plot.setLogMode(y=True)
        self.accuracy_plot = pg.PlotWidget()
        self.accuracy_plot.setObjectName("runsAccuracyPlot")
        self.accuracy_plot.setXLink(self.loss_plot)
        for plot, label in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy")):
            plot.setLabel("left", label)
            plot.setLabel("bottom", "epoch")
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            plot.setMenuEnabled(False)
            plot.setMinimumHeight(110)
        self.curves: list[dict] = []  # per slot: {"val_loss", "loss", "val_accuracy", "accuracy"} items
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)

    def _slot(self, index: int) -> dict:
        while len(self.curves) <= index:
            colour = run_colour(len(self.curves))
            solid, dashed = pg.mkPen(colour, width=2), pg.mkPen(colour, width=1.2, style=Qt.DashLine)
            self.curves.append({"val_loss": self.loss_plot.plot(pen=solid), "loss": self.loss_plot.plot(pen=dashed),
                                "val_accuracy": self.accuracy_plot.plot(pen=solid),
                                "accuracy": self.accuracy_plot.plot(pen=dashed)})
        return self.curves[index]

    def show_runs(self, records: list) -> None:
        """Draw `records` (with curves), slot i in colour i (the differences line above names them in their
        colours: a legend would lie over the curves); empty slots are cleared."""
        for index, record in enumerate(records):
            slot, curves = self._slot(index), record.epoch_curves
            x = curves.get("position")
            for key, item in slot.items():
                y = curves.get(key)
                if x is None or y is None:
                    item.setData([], [])
                    continue
                keep = y > 0 if "loss" in key else y == y  # a log axis takes no zero; NaN is a gap anyway
                item.setData(x[keep], y[keep])
        for slot in self.curves[len(records):]:
            for item in slot.values():
                item.setData([], [])
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.enableAutoRange()

    def drawn(self) -> int:
        """Runs with a curve on the plot now."""
        def points(item) -> int:
            x = item.getData()[0]
            return 0 if x is None else len(x)
        return sum(points(slot["val_loss"]) + points(slot["loss"]) > 0 for slot in self.curves)


class RunsView(QWidget):
    """The table of recorded runs beside the overlaid curves of the selected ones (see the module)."""

    show_requested = Signal()  # a comparison has finished: the window shows this view
    _write_failed = Signal(str)  # from the history's writer thread

    def __init__(self, session, use_experiment=None, parent=None):
        """`use_experiment(experiment)`: how a run's experiment is brought back (the window's, which loads
        downloaded data off the GUI thread); default: the session's."""
        super().__init__(parent)
        self.setObjectName("runsView")
        self.session, self.history = session, session.history
        self.use_experiment = use_experiment
        self.files = Tasks(self)
        self.deleted: list = []  # the last deletion, for Undo
        self.sweep_dialog: SweepDialog | None = None
        self._rows: dict[str, list[QStandardItem]] = {}
        self._syncing = False
        self._shown: tuple | None = None  # what the differences line says: (records, selected, unreadable)
        self._build()
        session.events.connect("history_changed", lambda _history: self.sync())
        if self.history is not None:
            self._write_failed.connect(self._say, Qt.QueuedConnection)  # said on the GUI thread
            self.history.on_write_failure = self._write_failed.emit
        if self.history is not None and not self.history.loaded:
            self.status.setText(self.tr("Reading your runs..."))
            self.files.start(self.history.scan, self._scanned, self._scan_failed)
        self.sync()

    # ----- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.model = QStandardItemModel(0, 9, self)
        self.model.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Data"), self.tr("Layers"), self.tr("Optimizer"), self.tr("Learning rate"),
            self.tr("Best accuracy"), self.tr("Epochs"), self.tr("Time"), self.tr("Started")])
        tips = {4: self.tr("The learning rate the run started with"),
                5: self.tr("The best validation accuracy of any of its epochs"),
                7: self.tr("Training time, pauses left out"), 8: self.tr("When training began")}
        for column, tip in tips.items():
            self.model.horizontalHeaderItem(column).setToolTip(tip)
        self.model.itemChanged.connect(self._item_changed)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("runsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(8, Qt.DescendingOrder)  # the newest run on top
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Interactive)
        self.table.setColumnWidth(0, 200)
        self.table.setToolTip(self.tr("Every run you trained. Click a column's title to sort; select several runs "
                                      "(Ctrl+click, Shift+click) to overlay their curves; double-click a name "
                                      "to rename; Delete removes the selected runs."))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        delete = QShortcut(QKeySequence.Delete, self.table, self.delete_selected, context=Qt.WidgetShortcut)
        delete.setObjectName("deleteRunsShortcut")
        self.overlay = _Overlay()
        self.differences = QLabel()
        self.differences.setObjectName("runsDifferences")
        self.differences.setWordWrap(True)
        self.differences.setTextFormat(Qt.RichText)
        self.differences.setTextInteractionFlags(Qt.TextSelectableByMouse)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.differences)
        right_layout.addWidget(self.overlay, 1)
        splitter = self.splitter = QSplitter(Qt.Horizontal)
        splitter.setObjectName("runsSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([2000, 3000])  # scaled to the room there is
        self.restore_button = self._button(self.tr("Bring back"), "restoreRunButton",
                                           self.tr("Use the selected run's settings again (and its network, while "
                                                   "this window still holds it); the panels follow"), self.restore)
        self.delete_button = self._button(self.tr("Delete"), "deleteRunsButton",
                                          self.tr("Delete the selected runs' records (Delete key; Undo brings "
                                                  "them back)"), self.delete_selected)
        self.undo_button = self._button(self.tr("Undo"), "undoDeleteButton", self.tr("Bring the deleted runs back"),
                                        self.undo_delete)
        self.undo_button.hide()
        self.status = QLabel()
        self.status.setObjectName("runsStatus")
        bar = QHBoxLayout()
        for widget in (self.restore_button, self.delete_button, self.status):
            bar.addWidget(widget)
        bar.addWidget(self.undo_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        """The curves beside the table where there is room, under it on a narrow screen."""
        wanted = Qt.Horizontal if event.size().width() >= SIDE_BY_SIDE else Qt.Vertical
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
        super().resizeEvent(event)

    def _button(self, text, name, tip, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # ----- the table ------------------------------------------------------------------------------

    def sync(self) -> None:
        """The table shows the history's index: rows added, changed and removed in place (the selection
        and the sort order stay)."""
        records = self.history.records if self.history is not None else {}
        self._syncing = True
        sorting = self.table.isSortingEnabled()
        self.table.setSortingEnabled(False)  # rows added one by one would each be sorted in
        try:
            for record_id in [key for key in self._rows if key not in records]:
                self.model.removeRow(self._rows.pop(record_id)[0].row())
            for record_id, record in records.items():
                summary = record.summary()
                row = self._rows.get(record_id)
                if row is None:
                    row = self._rows[record_id] = [QStandardItem() for _ in range(9)]
                    for item in row[1:]:
                        item.setEditable(False)
                    row[0].setData(record_id, ID_ROLE)
                    self.model.appendRow(row)
                for item, (text, key) in zip(row, _cells(summary), strict=True):
                    if item.text() != text:
                        item.setText(text)
                    item.setData(key, SORT_ROLE)
                row[0].setToolTip(self.tr("{0}: {1}").format(summary["name"], summary["finish_reason"] or
                                                               self.tr("training")))
        finally:
            self.table.setSortingEnabled(sorting)
            self._syncing = False
        self._selection_changed()

    def selected_ids(self) -> list[str]:
        """The selected runs, top to bottom as the table shows them."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.proxy.index(row, 0).data(ID_ROLE) for row in rows]

    def select_runs(self, record_ids) -> None:
        """Select these runs (and only them), as a click would."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for record_id in record_ids:
            row = self._rows.get(record_id)
            if row is not None:
                index = self.proxy.mapFromSource(row[0].index())
                selection.select(index, QItemSelectionModel.Select | QItemSelectionModel.Rows)

    def _item_changed(self, item: QStandardItem) -> None:
        """A name edited in the table: renamed in the history (and the run in memory), or put back."""
        if self._syncing or item.column() != 0:
            return
        record_id = item.data(ID_ROLE)
        try:
            self.history.rename(record_id, item.text())
        except (ValueError, OSError) as error:  # RunRecordError is a ValueError
            self.session.events.emit("message", self.tr("Could not rename the run: {0}").format(error))
            self.sync_name(record_id)

    def sync_name(self, record_id: str) -> None:
        self._syncing = True
        try:
            self._rows[record_id][0].setText(self.history.records[record_id].name)
        finally:
            self._syncing = False

    # ----- the selection: curves and differences -----------------------------------------------------

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        self.restore_button.setEnabled(len(ids) == 1)
        self.delete_button.setEnabled(bool(ids))
        records, unreadable = [], []
        for record_id in ids[:MAX_OVERLAID]:
            try:
                records.append(self.history.read(record_id))
            except RunRecordError as error:
                unreadable.append(str(error))
        self.overlay.show_runs(records)
        self._shown = (records, len(ids), unreadable)
        self.differences.setText(self._differences_text(*self._shown))

    def changeEvent(self, event):  # noqa: N802 - Qt's name
        """A new theme: the run colours in the differences line are lightened or darkened to match."""
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and self._shown is not None:
            self.differences.setText(self._differences_text(*self._shown))
        super().changeEvent(event)

    def _differences_text(self, records: list, selected: int, unreadable: list[str]) -> str:
        if self.history is None:
            return self.tr("Runs are not recorded in this session.")
        if not self.history.records:
            return self.tr("No runs recorded yet: every run you train appears here, and Compare... trains "
                           "several side by side.")
        if len(records) < 2:
            text = self.tr("Select two or more runs (Ctrl+click) to overlay their curves and see how their "
                           "settings differ.")
        else:
            found = differences([record.experiment for record in records])
            names = " · ".join(self._coloured(i, record.name) for i, record in enumerate(records))
            if not found:
                text = names + ": " + self.tr("the same settings (the difference is chance: shuffling, dropout)")
            else:
                text = names + "<br>" + "<br>".join(
                    f"<b>{label}</b> " + " vs ".join(self._coloured(i, value) for i, value in enumerate(values))
                    for label, values in found)
        if selected > MAX_OVERLAID:
            text += "<br>" + self.tr("The first {0} of the {1} selected runs are drawn.").format(MAX_OVERLAID,
                                                                                              selected)
        for problem in unreadable:
            text += "<br>" + self.tr("Cannot draw a run: {0}").format(problem)
        return text

    def _coloured(self, index: int, text: str) -> str:
        """`text` in run `index`'s colour, lightened on a dark background (dark blue text does not read)."""
        colour = QColor(run_colour(index))
        if self.palette().color(QPalette.Base).lightness() < 128:
            colour = colour.lighter(150)
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        return f"<span style='color:{colour.name()}'>{escaped}</span>"

    def differences_text(self) -> str:
        """What the differences line says, as plain text (for tests and screen readers)."""
        document = QTextDocument()
        document.setHtml(self.differences.text())
        return document.toPlainText()

    # ----- actions --------------------------------------------------------------------------------

    def restore(self) -> None:
        """Bring the selected run back through the session: its settings (the panels follow), and its network
        while the session still holds it."""
        ids = self.selected_ids()
        if len(ids) == 1:
            self.history.restore(ids[0], self.use_experiment)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.deleted = self.history.delete(ids)
        count = len(ids)
        self.status.setText(self.tr("Deleted {0} runs.").format(count) if count > 1 else self.tr("Deleted 1 run."))
        self.undo_button.setVisible(bool(self.deleted))

    def undo_delete(self) -> None:
        deleted, self.deleted = self.deleted, []
        self.history.undelete(deleted)
        self.select_runs([record.id for record in deleted])
        self.status.clear()
        self.undo_button.hide()

    def _say(self, message: str) -> None:
        self.session.events.emit("message", message)

    def compare(self) -> SweepDialog:
        """Compare...: the sweep dialog (one at a time); its runs are selected here once it is over."""
        if self.sweep_dialog is not None:
            self.sweep_dialog.raise_()
            return self.sweep_dialog
        dialog = self.sweep_dialog = SweepDialog(self.session, self.window())
        dialog.recorded.connect(self._compared)
        dialog.finished.connect(lambda _result: self._dialog_gone(dialog))
        dialog.open()
        return dialog

    def _dialog_gone(self, dialog) -> None:
        if self.sweep_dialog is dialog:
            self.sweep_dialog = None
        dialog.deleteLater()

    def _compared(self, record_ids: list) -> None:
        self.sync()
        self.select_runs(record_ids)
        self.show_requested.emit()

    def shut_down(self, timeout_ms: int) -> None:
        """The window closes: a comparison still running is cancelled, a folder still being read let go."""
        if self.sweep_dialog is not None:
            self.sweep_dialog.shut_down(timeout_ms)
        self.files.finish_all(timeout_ms)

    # ----- reading the folder ---------------------------------------------------------------------

    def _scanned(self, scanned) -> None:
        self.status.clear()
        self.history.adopt(scanned)

    def _scan_failed(self, error: Exception) -> None:
        self.status.setText(self.tr("Could not read your runs: {0}").format(error))
