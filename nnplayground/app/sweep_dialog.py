"""Compare...: the dialog that trains the experiment over several values of one or two settings (a sweep,
nnplayground.session.sweep) in worker processes, with a progress bar and Cancel. Its runs go into the run
history, and the Runs view overlays them when the sweep is over.

The GUI thread never waits for a run: the pool is started on a task thread (a first pool starts its
worker server, which takes a second), and a timer asks which runs are over, ten times a second.
"""

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from nnplayground.app.background import Tasks
from nnplayground.session.sweep import SETTINGS, Sweep, grid, parse_values, point_name
from nnplayground.session.threads import cores

POLL_MS = 100


class SweepDialog(QDialog):
    recorded = Signal(list)  # the ids of the runs recorded, once the sweep is over (or cancelled)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("sweepDialog")
        self.setWindowTitle(self.tr("Compare settings"))
        self.session = session
        self.sweep: Sweep | None = None
        self.files = Tasks(self)
        self.cancelling = False
        self.problems: list[str] = []  # runs that failed, said when the sweep is over
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._build()
        self._setting_changed(0)
        self._setting_changed(1)
        self._update_summary()

    # ----- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(self.tr("Train this experiment once for every value (for two settings: every pair of "
                               "values), side by side, and overlay the runs in the Runs tab."))
        intro.setWordWrap(True)
        grid_layout = QGridLayout()
        self.setting_boxes, self.value_edits = [], []
        for row in range(2):
            box = QComboBox()
            box.setObjectName(f"sweepSetting{row + 1}")
            if row:
                box.addItem(self.tr("(nothing else)"), None)
            for setting in SETTINGS.values():
                box.addItem(self.tr(setting.label), setting.name)
            box.setCurrentIndex(0)
            edit = QLineEdit()
            edit.setObjectName(f"sweepValues{row + 1}")
            edit.setToolTip(self.tr("Values separated by commas; layer sizes as 32-16"))
            box.currentIndexChanged.connect(lambda _index, row=row: self._setting_changed(row))
            edit.textChanged.connect(self._update_summary)
            grid_layout.addWidget(QLabel(self.tr("Vary") if not row else self.tr("and")), row, 0)
            grid_layout.addWidget(box, row, 1)
            grid_layout.addWidget(edit, row, 2)
            self.setting_boxes.append(box)
            self.value_edits.append(edit)
        grid_layout.setColumnStretch(2, 1)
        self.epochs = QSpinBox()
        self.epochs.setObjectName("sweepEpochs")
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(self.session.experiment.epochs)
        self.epochs.valueChanged.connect(self._update_summary)
        grid_layout.addWidget(QLabel(self.tr("Epochs")), 2, 0)
        grid_layout.addWidget(self.epochs, 2, 1)
        self.summary = QLabel()
        self.summary.setObjectName("sweepSummary")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("sweepProgress")
        self.progress.hide()
        self.run_button = QPushButton(self.tr("Run"))
        self.run_button.setObjectName("sweepRunButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("sweepCancelButton")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid_layout)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    def _setting_changed(self, row: int) -> None:
        """A setting chosen: its values box offers values worth comparing, around the experiment's own."""
        name = self.setting_boxes[row].currentData()
        edit = self.value_edits[row]
        edit.setEnabled(name is not None)
        if name is None:
            edit.clear()
        else:
            setting = SETTINGS[name]
            edit.setText(", ".join(setting.show(value) for value in setting.suggest(self.session.experiment)))
        self._update_summary()

    # ----- reading the choice ---------------------------------------------------------------------

    def vary(self) -> dict[str, list]:
        """{setting: values} as chosen; ValueError saying what is wrong."""
        vary = {}
        for box, edit in zip(self.setting_boxes, self.value_edits, strict=True):
            name = box.currentData()
            if name is None:
                continue
            if name in vary:
                raise ValueError(self.tr("choose two different settings"))
            vary[name] = parse_values(name, edit.text())
        return vary

    def _update_summary(self) -> None:
        if self.sweep is not None:
            return
        try:
            vary = self.vary()
        except ValueError as error:
            self._show_problem(str(error))
            return
        if self.session.dataset is None:
            self._show_problem(self.tr("The data is still loading."))
            return
        count = len(grid(vary))
        at_once = min(count, cores())
        self.summary.setStyleSheet("")
        self.summary.setText(self.tr("{0} runs of {1} epochs each on {2}, {3} at a time.").format(
            count, self.epochs.value(), self.session.experiment.dataset, at_once))
        self.run_button.setEnabled(True)

    def _show_problem(self, text: str) -> None:
        self.summary.setStyleSheet("color: #c0392b")
        self.summary.setText(text)
        self.run_button.setEnabled(False)

    # ----- the sweep ------------------------------------------------------------------------------

    def run(self) -> None:
        """Start the sweep: the settings as chosen, the session's experiment and data, every core."""
        session = self.session
        try:
            experiment = session.experiment.replaced(epochs=self.epochs.value(), run_until_paused=False)
            sweep = Sweep(experiment, self.vary(), session.dataset, history=session.history)
            data = session.dataset
            for point, e in zip(sweep.points, sweep.experiments, strict=True):
                problem = e.estimate(data.input_shape, data.n_classes, len(data.x_train)).problem()
                if problem:
                    raise ValueError(f"{point_name(point)}: {problem}")
        except (ValueError, AttributeError) as error:  # AttributeError: no data yet
            self._show_problem(str(error))
            return
        self.sweep = sweep
        for widget in (*self.setting_boxes, *self.value_edits, self.epochs, self.run_button):
            widget.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the workers run
        self.progress.show()
        self.summary.setStyleSheet("")
        self.summary.setText(self.tr("Starting {0} worker processes...").format(min(sweep.workers, sweep.total)))
        self.files.start(sweep.start, lambda _none: self._started(), self._failed)

    def _started(self) -> None:
        if self.cancelling:
            self.sweep.cancel()
        self.progress.setRange(0, self.sweep.total)
        self.progress.setValue(0)
        self.timer.start()
        self._poll()

    def _failed(self, error: Exception) -> None:
        self.sweep = None
        self._show_problem(self.tr("The sweep could not start: {0}").format(error))
        self.progress.hide()
        for widget in (*self.setting_boxes, *self.value_edits, self.epochs):
            widget.setEnabled(True)

    def _poll(self) -> None:
        sweep = self.sweep
        for result in sweep.take_finished():
            if result.error:
                self.problems.append(f"{point_name(result.settings)}: {result.error}")
        over = sum(result is not None for result in sweep.results)
        self.progress.setValue(over)
        running = max(0, min(sweep.workers, sweep.total - over)) if not self.cancelling else 0
        self.summary.setText(self.tr("{0} of {1} runs done, {2} training.").format(over, sweep.total, running)
                             if not self.cancelling else self.tr("Cancelling: the runs in progress stop..."))
        if sweep.done:
            self._over()

    def _over(self) -> None:
        self.timer.stop()
        sweep = self.sweep
        kept = [result.record.id for result in sweep.results
                if result is not None and result.record is not None and not result.cancelled and not result.error]
        if self.problems:
            self.session.events.emit("message", self.tr("Some runs of the comparison failed: {0}").format(
                "; ".join(self.problems)))
        self.recorded.emit(kept)
        self.accept()

    def reject(self) -> None:
        """Cancel (or Esc, or closing): before Run, close; while the sweep runs, cancel it and close once the
        runs in progress have stopped (the finished ones stay recorded)."""
        if self.sweep is None:
            super().reject()
            return
        if not self.cancelling:
            self.cancelling = True
            self.cancel_button.setEnabled(False)
            if self.sweep.futures:
                self.sweep.cancel()
            self.summary.setText(self.tr("Cancelling: the runs in progress stop..."))

    def shut_down(self, timeout_ms: int) -> None:
        """The window closes: cancel whatever runs, and let the starting task go."""
        self.timer.stop()
        if self.sweep is not None:
            self.cancelling = True
            self.sweep.close()
        self.files.finish_all(timeout_ms)
