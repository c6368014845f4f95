"""Pick the data: the embedded MNIST sample, full MNIST or Fashion-MNIST, a 2-D toy set, or a file."""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSpinBox

from nnplayground.app.inputs import guard_wheel_in
from nnplayground.session.data import catalog, toy

OPEN_FILE = "open-file"
FILE = "file"  # the entry of the file opened last


class DataPanel(QGroupBox):
    """Emits `changed` when the choice or a toy set's options change, `deskew_changed`, and
    `open_file_requested` for a file."""

    changed = Signal()
    deskew_changed = Signal(bool)
    open_file_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("Data", parent)
        self.picker = QComboBox()
        self.picker.setObjectName("datasetPicker")
        self.picker.setToolTip("What the network learns from. The MNIST sample is built in and works offline; "
                               "full MNIST and Fashion-MNIST are downloaded once. The 2-D sets train in seconds.")
        for name in catalog.NAMES:
            self.picker.addItem(catalog.TITLES[name], name)
        self.picker.insertSeparator(len(catalog.IMAGE_SETS))
        self.picker.addItem("Open file...", OPEN_FILE)
        self.samples = self._spin(QSpinBox(), "toySamples", 20, 100_000, 500,
                                  "How many points the 2-D set has (training and test together).")
        self.samples.setSingleStep(100)
        self.noise = self._spin(QDoubleSpinBox(), "toyNoise", 0.0, 2.0, 0.1,
                                "How much the points are jittered: 0 is a clean shape, 1 blurs it heavily.")
        self.noise.setSingleStep(0.05)
        self.classes = self._spin(QSpinBox(), "toyClasses", 2, 5, 2,
                                  "How many classes (colours) the set has; circle, gaussians and spiral take 2 to 5.")
        self.test_percent = self._spin(QSpinBox(), "toyTestPercent", 5, 95, 50,
                                       "Share of the points kept aside to test on, never trained on.")
        self.test_percent.setSuffix(" %")
        self.deskew = QCheckBox("Straighten slanted digits")
        self.deskew.setObjectName("deskewImages")
        self.deskew.setToolTip("Shear every image upright by its second moments, in training and when reading "
                               "your drawings: slant is the biggest difference between handwritings. Training "
                               "gets slower.")
        self.deskew.toggled.connect(self.deskew_changed)
        self.file_label = QLabel()
        self.file_label.setObjectName("dataFileLabel")
        self.file_label.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        self.form = QFormLayout(self)
        self.form.addRow(self.picker)
        self.form.addRow("Points", self.samples)
        self.form.addRow("Noise", self.noise)
        self.form.addRow("Classes", self.classes)
        self.form.addRow("Test share", self.test_percent)
        self.form.addRow(self.deskew)
        self.form.addRow(self.file_label)
        self.form.addRow(self.summary)
        self.path: str | None = None
        self._previous = 0
        self.picker.currentIndexChanged.connect(self._picked)
        for spin in (self.samples, self.noise, self.classes, self.test_percent):
            spin.valueChanged.connect(self.changed)
        guard_wheel_in(self)
        self._show_options()

    def _spin(self, spin, name, low, high, value, tip):
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    @property
    def dataset(self) -> str:
        name = self.picker.currentData()
        return "file" if name in (OPEN_FILE, FILE) else name

    def _picked(self, index):
        if self.picker.itemData(index) == OPEN_FILE:
            self.open_file_requested.emit()
            return
        self._previous = index
        self._show_options()
        self.changed.emit()

    def set_dataset(self, name: str, path: str | None = None) -> None:
        """Show `name` as chosen (without asking again for a file); a file by its name in the list."""
        self.path = path if name == "file" else self.path
        if name == "file" and path:
            self._show_file_entry(path)
        key = FILE if name == "file" and path else OPEN_FILE if name == "file" else name
        index = self.picker.findData(key)
        self.picker.blockSignals(True)
        self.picker.setCurrentIndex(index if index >= 0 else 0)
        self.picker.blockSignals(False)
        self._previous = self.picker.currentIndex()
        self._show_options()

    def _show_file_entry(self, path: str) -> None:
        """The opened file as an entry of its own, just above "Open file...", so the list names it."""
        index = self.picker.findData(FILE)
        if index < 0:
            index = self.picker.findData(OPEN_FILE)
            self.picker.blockSignals(True)
            self.picker.insertItem(index, "", FILE)
            self.picker.blockSignals(False)
        self.picker.setItemText(index, Path(path).name)
        self.picker.setItemData(index, path, Qt.ToolTipRole)

    def revert(self) -> None:
        """Back to the previous choice (a cancelled file dialog or a failed download)."""
        self.picker.blockSignals(True)
        self.picker.setCurrentIndex(self._previous)
        self.picker.blockSignals(False)
        self._show_options()

    def _show_options(self):
        is_toy = self.dataset in toy.MAKERS
        for widget in (self.samples, self.noise, self.classes, self.test_percent):
            widget.setVisible(is_toy)
            self.form.labelForField(widget).setVisible(is_toy)
        if is_toy:
            allowed = toy.CLASS_CHOICES[self.dataset]
            self.classes.setRange(min(allowed), max(allowed))
        self.deskew.setVisible(not is_toy)
        self.file_label.setVisible(self.dataset == "file")
        self.file_label.setText(f"File: {self.path}" if self.path else "")

    def show_deskew(self, on: bool) -> None:
        self.deskew.blockSignals(True)
        self.deskew.setChecked(on)
        self.deskew.blockSignals(False)

    def show_experiment(self, experiment) -> None:
        """Show the experiment's data choice and toy options, without announcing changes."""
        self.set_dataset(experiment.dataset, experiment.data_path)
        values = ((self.samples, experiment.n_samples), (self.noise, experiment.noise),
                  (self.classes, experiment.n_classes), (self.test_percent, round(experiment.test_fraction * 100)))
        for widget in (self.samples, self.noise, self.classes, self.test_percent, self.deskew):
            widget.blockSignals(True)
        for widget, value in values:
            widget.setValue(value)
        self.deskew.setChecked(experiment.deskew)
        for widget in (self.samples, self.noise, self.classes, self.test_percent, self.deskew):
            widget.blockSignals(False)

    def values(self) -> dict:
        """The experiment's data fields as the widgets show them (deskew is the network's: not here)."""
        return {"dataset": self.dataset, "data_path": self.path, "n_samples": self.samples.value(),
                "noise": self.noise.value(), "n_classes": self.classes.value(),
                "test_fraction": self.test_percent.value() / 100}

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
