"""Training settings: optimizer, learning rate (log slider and box), schedule, batch, epochs, L1/L2, ..."""

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from nnplayground.app.inputs import PROBLEM_STYLE, NumberBox, guard_wheel_in
from nnplayground.session.experiment import Experiment

OPTIMIZER_TITLES = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "SGD + Nesterov momentum",
                    "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
SCHEDULE_TITLES = {"constant": "constant", "exponential": "exponential decay", "step": "step decay (halve 4x)",
                   "cosine": "cosine with warm-up"}
LOG_LOW, LOG_HIGH, TICKS_PER_DECADE = -6, 1, 20


class LogRateInput(QWidget):
    """A learning rate on a log scale: a slider over 1e-6 .. 10 and an exact box; `value_changed(float)`."""

    value_changed = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("learningRate")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("learningRateSlider")
        self.slider.setRange(LOG_LOW * TICKS_PER_DECADE, LOG_HIGH * TICKS_PER_DECADE)
        self.box = NumberBox(10.0**LOG_LOW, 10.0**LOG_HIGH, self.tr("Learning rate"))
        self.box.setObjectName("learningRateBox")
        tip = ("How big a step the optimizer takes. Too small: slow learning. Too big: the loss jumps around or "
               "explodes. Can be changed while training; each change is marked on the loss curve.")
        for widget in (self, self.slider, self.box):
            widget.setToolTip(tip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.box)
        self.slider.valueChanged.connect(self._from_slider)
        self.box.valueChanged.connect(self._from_box)
        self.setValue(0.001)

    def value(self) -> float:
        return self.box.setting()

    def setValue(self, value: float) -> None:  # noqa: N802 - Qt's naming
        self.box.setValue(value)

    def _from_slider(self, tick):
        rate = float(f"{10 ** (tick / TICKS_PER_DECADE):.2g}")
        if not math.isclose(rate, self.box.value(), rel_tol=0.06):
            self.box.setValue(rate)

    def _from_box(self, value):
        self.slider.blockSignals(True)
        self.slider.setValue(round(math.log10(value) * TICKS_PER_DECADE))
        self.slider.blockSignals(False)
        self.value_changed.emit(value)


class SettingsPanel(QGroupBox):
    """Emits `changed` on any edit; `live_changed` for what may change mid-run (learning rate, L1, L2)."""

    changed = Signal()
    live_changed = Signal()

    def __init__(self, parent=None):
        super().__init__("Training", parent)
        self.optimizer = self._combo("optimizerPicker", OPTIMIZER_TITLES,
                                     "How the weights follow the gradient. Adam adapts each weight's step and is a "
                                     "safe default; plain SGD is the textbook rule.")
        self.learning_rate = LogRateInput()
        self.find_rate = QPushButton(self.tr("Find a good rate..."))
        self.find_rate.setObjectName("lrFinderButton")
        self.find_rate.setToolTip(self.tr("The learning-rate range test: a copy of the network trains briefly while "
                                          "the rate grows, and the rate where its loss falls fastest is suggested."))
        self.schedule = self._combo("schedulePicker", SCHEDULE_TITLES,
                                    "How the learning rate changes over the run: lowering it late lets the "
                                    "network settle into a minimum.")
        self.batch_size = self._spin(QSpinBox(), "batchSize", 1, 65536, 32,
                                     "Samples per step. Small batches: noisy, frequent steps; large: smooth, "
                                     "fewer steps per epoch.")
        self.epochs = self._spin(QSpinBox(), "epochs", 1, 100_000, 10, "Passes over the training data per run.")
        self.until_paused = QCheckBox(self.tr("Run until paused"))
        self.until_paused.setObjectName("runUntilPaused")
        self.until_paused.setToolTip(self.tr("No epoch limit: train until you press Pause or Stop, as TensorFlow "
                                             "Playground does. A learning-rate schedule still spans the Epochs "
                                             "above."))
        self.until_paused.toggled.connect(self.changed)
        self.l1 = self._spin(NumberBox(0.0, 1.0, "L1"), "l1", 0.0, 1.0, 0.0,
                             "L1 penalty on the weights: pushes unhelpful weights to exactly zero.")
        self.l1.setSingleStep(0.0001)
        self.l2 = self._spin(NumberBox(0.0, 1.0, "L2"), "l2", 0.0, 1.0, 0.0,
                             "L2 penalty (weight decay): keeps weights small, which fights overfitting.")
        self.l2.setSingleStep(0.0001)
        self.patience = self._spin(QSpinBox(), "patience", 0, 1000, 0,
                                   "Stop early when the validation loss has not improved for this many epochs, and "
                                   "keep the best weights. 0 turns it off.")
        self.patience.setSpecialValueText("off")
        self.validation = self._spin(QSpinBox(), "validationSplit", 0, 80, 0,
                                     "Share of the training data held out to validate on. 0: validate on the test set.")
        self.validation.setSuffix(" %")
        self.validation.setSpecialValueText("test set")
        self.seed = self._spin(QSpinBox(), "seed", 0, 2**31 - 1, 0,
                               "The random seed: the same seed gives the same starting weights and batches.")
        self.problems = QLabel()
        self.problems.setObjectName("settingsProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #d62728;")
        self.problems.hide()
        form = QFormLayout(self)
        # Above the fields, not below Seed: at 720 px the learning rate's row and its reason share the view.
        form.addRow(self.problems)
        for label, widget in (("Optimizer", self.optimizer), ("Learning rate", self.learning_rate),
                              ("", self.find_rate),
                              ("Schedule", self.schedule), ("Batch size", self.batch_size), ("Epochs", self.epochs),
                              ("", self.until_paused),
                              ("L1", self.l1), ("L2", self.l2), ("Early stop", self.patience),
                              ("Validation", self.validation), ("Seed", self.seed)):
            form.addRow(label, widget)
        self._problems: dict[str, str] = {}
        for box in (self.learning_rate.box, self.l1, self.l2):
            box.problem_changed.connect(self._show_all_problems)
        guard_wheel_in(self)
        for widget in (self.optimizer, self.schedule):
            widget.currentIndexChanged.connect(self.changed)
        for widget in (self.batch_size, self.epochs, self.patience, self.validation, self.seed):
            widget.valueChanged.connect(self.changed)
        for widget in (self.l1, self.l2):
            widget.valueChanged.connect(self.live_changed)
        self.learning_rate.value_changed.connect(self.live_changed)

    def _combo(self, name, titles, tip):
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setToolTip(tip)
        for key, title in titles.items():
            combo.addItem(title, key)
        return combo

    def _spin(self, spin, name, low, high, value, tip):
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    def values(self) -> dict:
        """The experiment's training fields as the widgets show them."""
        return {"optimizer": self.optimizer.currentData(), "learning_rate": self.learning_rate.value(),
                "schedule": self.schedule.currentData(), "batch_size": self.batch_size.value(),
                "epochs": self.epochs.value(), "run_until_paused": self.until_paused.isChecked(),
                "l1": self.l1.setting(), "l2": self.l2.setting(),
                "patience": self.patience.value(), "validation_split": self.validation.value() / 100,
                "seed": self.seed.value()}

    def show_experiment(self, experiment: Experiment) -> None:
        widgets = (self.optimizer, self.schedule, self.learning_rate, self.batch_size, self.epochs, self.until_paused,
                   self.l1, self.l2, self.patience, self.validation, self.seed, self.learning_rate.box,
                   self.learning_rate.slider)
        for widget in widgets:
            widget.blockSignals(True)
        self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(experiment.optimizer)))
        self.schedule.setCurrentIndex(max(0, self.schedule.findData(experiment.schedule)))
        self.learning_rate.box.show_value(experiment.learning_rate)
        self.learning_rate._from_box(self.learning_rate.box.value())
        self.batch_size.setValue(experiment.batch_size)
        self.epochs.setValue(experiment.epochs)
        self.until_paused.setChecked(experiment.run_until_paused)
        self.l1.show_value(experiment.l1)
        self.l2.show_value(experiment.l2)
        self.patience.setValue(experiment.patience)
        self.validation.setValue(round(experiment.validation_split * 100))
        self.seed.setValue(experiment.seed)
        for widget in widgets:
            widget.blockSignals(False)

    def set_running(self, running: bool) -> None:
        """While a run is under way only the learning rate and L1/L2 can change."""
        reason = "Stop or reset training to change this." if running else ""
        for widget in (self.optimizer, self.schedule, self.batch_size, self.epochs, self.until_paused, self.patience,
                       self.validation, self.seed, self.find_rate):
            widget.setEnabled(not running)
            widget.setStatusTip(reason)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Flag invalid values in place: a red frame on the field and the reason below."""
        fields = {"learning_rate": self.learning_rate.box, "batch_size": self.batch_size, "epochs": self.epochs,
                  "l1": self.l1, "l2": self.l2, "patience": self.patience, "validation_split": self.validation}
        for key, widget in fields.items():
            widget.setStyleSheet(PROBLEM_STYLE if key in problems or getattr(widget, "problem", "") else "")
        self._problems = dict(problems)
        self._show_all_problems()

    def _show_all_problems(self, *_):
        """The experiment's problems and, first, numbers typed that are not (yet) usable."""
        typed = [box.problem for box in (self.learning_rate.box, self.l1, self.l2) if box.problem]
        lines = typed + list(self._problems.values())
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))
