"""Edit the hidden layers: add, remove, reorder (drag or buttons); units, activation, dropout, initialiser."""

import itertools

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app.inputs import guard_wheel
from nnplayground.session.experiment import HIDDEN_ACTIVATIONS, INITIALIZERS, LayerSpec

MAX_LAYERS = 12


COLUMNS = (("#", 0, 16), ("units", 0, 60), ("activation", 1, 80), ("dropout", 0, 50), ("init", 1, 76))


def _fit_columns(layout, widgets):
    """Same widths in the header and every row, so the columns line up."""
    for widget, (_, stretch, width) in zip(widgets, COLUMNS, strict=True):
        widget.setMinimumWidth(width)
        if not stretch:
            widget.setMaximumWidth(width)
        layout.addWidget(widget, stretch)


class _LayerRow(QWidget):
    """The editors for one layer; writes every change back into its LayerSpec."""

    edited = Signal()

    def __init__(self, spec: LayerSpec, number: int):
        super().__init__()
        self.spec = spec
        self.title = QLabel(f"{number}")
        self.title.setMinimumWidth(14)
        self.units = QSpinBox()
        self.units.setObjectName("layerUnits")
        self.units.setRange(1, 4096)
        self.units.setValue(spec.units)
        self.units.setKeyboardTracking(False)
        self.units.setToolTip("Units (neurons) in this layer: more can learn more, and overfit more.")
        self.activation = QComboBox()
        self.activation.setObjectName("layerActivation")
        self.activation.addItems(HIDDEN_ACTIVATIONS)
        self.activation.setCurrentText(spec.activation)
        self.activation.setToolTip("The function each unit applies to its weighted sum. relu is a good default.")
        self.dropout = QDoubleSpinBox()
        self.dropout.setObjectName("layerDropout")
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.1)
        self.dropout.setValue(spec.dropout)
        self.dropout.setKeyboardTracking(False)
        self.dropout.setToolTip("Dropout: while training, silence this share of the units at random, "
                                "which keeps the network from relying on any one of them.")
        self.initializer = QComboBox()
        self.initializer.setObjectName("layerInitializer")
        self.initializer.addItems(INITIALIZERS)
        self.initializer.setCurrentText(spec.initializer)
        self.initializer.setToolTip("How the weights start: 'auto' picks He for relu-like units, Glorot otherwise.")
        self.dropout.setDecimals(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        _fit_columns(layout, (self.title, self.units, self.activation, self.dropout, self.initializer))
        guard_wheel(self.units, self.activation, self.dropout, self.initializer)
        self.units.valueChanged.connect(self._write)
        self.dropout.valueChanged.connect(self._write)
        self.activation.currentTextChanged.connect(self._write)
        self.initializer.currentTextChanged.connect(self._write)

    def _write(self, *_):
        self.spec.units, self.spec.dropout = self.units.value(), round(self.dropout.value(), 3)
        self.spec.activation, self.spec.initializer = self.activation.currentText(), self.initializer.currentText()
        self.edited.emit()


class LayerStackEditor(QGroupBox):
    """The list of hidden layers; `changed` after any edit."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__("Hidden layers", parent)
        self.list = QListWidget()
        self.list.setObjectName("layerStack")
        self.list.setToolTip("The hidden layers from input (top) to output (bottom). Drag a layer to move it.")
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setDefaultDropAction(Qt.MoveAction)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.model().rowsMoved.connect(self._after_drag)
        header = QWidget()
        header.setObjectName("layerHeader")
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(6, 0, 6, 0)
        header_layout.setSpacing(4)
        _fit_columns(header_layout, [QLabel(title) for title, _, _ in COLUMNS])
        buttons = QHBoxLayout()
        self.add_button = self._button("Add layer", "addLayerButton", "Add a hidden layer after the selected one.")
        self.remove_button = self._button("Remove", "removeLayerButton", "Remove the selected layer.")
        self.up_button = self._button("Up", "moveLayerUpButton", "Move the selected layer towards the input.")
        self.down_button = self._button("Down", "moveLayerDownButton", "Move the selected layer towards the output.")
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        self.add_button.clicked.connect(self.add_layer)
        self.remove_button.clicked.connect(self.remove_layer)
        self.up_button.clicked.connect(lambda: self.move_layer(-1))
        self.down_button.clicked.connect(lambda: self.move_layer(+1))
        self.count_label = QLabel()
        self.count_label.setObjectName("parameterCount")
        self.count_label.setToolTip("How many weights and biases the network learns.")
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.count_label)
        self.list.setMinimumHeight(150)

    def _button(self, text, name, tip):
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        return button

    # ----- reading and writing ------------------------------------------------------------------

    def specs(self) -> list[LayerSpec]:
        """Copies of the layers as shown (the session's experiment never shares a spec with a widget)."""
        return [LayerSpec(**vars(self.list.item(i).data(Qt.UserRole))) for i in range(self.list.count())]

    def set_specs(self, specs: list[LayerSpec]) -> None:
        if specs == self.specs():  # rebuilding would destroy the editor the user is typing in
            return
        self.list.clear()
        for spec in specs:
            item = QListWidgetItem()
            item.setData(Qt.UserRole, LayerSpec(**vars(spec)))
            self.list.addItem(item)
        self._rebuild_rows()

    def _rebuild_rows(self):
        """Item widgets do not survive a drag in QListWidget: make them anew from each item's spec."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            old = self.list.itemWidget(item)
            if old is not None:
                old.hide()  # Qt deletes it later; until then it must not take the focus (Tab)
            row = _LayerRow(item.data(Qt.UserRole), i + 1)
            row.edited.connect(self.changed)
            item.setSizeHint(QSize(0, row.sizeHint().height()))  # as wide as the list, not wider
            self.list.setItemWidget(item, row)
        self._update_buttons()
        self._order_tabs()

    def _order_tabs(self):
        """Tab goes through the rows top to bottom, then the buttons (new rows would otherwise come last
        in the whole window)."""
        chain = [self.list]
        for i in range(self.list.count()):
            row = self.list.itemWidget(self.list.item(i))
            chain += [row.units, row.activation, row.dropout, row.initializer]
        chain += [self.add_button, self.remove_button, self.up_button, self.down_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _after_drag(self, *_):
        self._rebuild_rows()
        self.changed.emit()

    # ----- commands -----------------------------------------------------------------------------

    def add_layer(self) -> None:
        if self.list.count() >= MAX_LAYERS:
            return
        row = self.list.currentRow()
        at = row + 1 if row >= 0 else self.list.count()
        previous = self.specs()[at - 1] if at > 0 else LayerSpec()
        item = QListWidgetItem()
        item.setData(Qt.UserRole, LayerSpec(units=previous.units, activation=previous.activation))
        self.list.insertItem(at, item)
        self._rebuild_rows()
        self.list.setCurrentRow(at)
        self.changed.emit()

    def remove_layer(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            row = self.list.count() - 1
        if row >= 0:
            self.list.takeItem(row)
            self._rebuild_rows()
            self.changed.emit()

    def move_layer(self, offset: int) -> None:
        row = self.list.currentRow()
        target = row + offset
        if row < 0 or not 0 <= target < self.list.count():
            return
        specs = self.specs()
        specs[row], specs[target] = specs[target], specs[row]
        self.set_specs(specs)
        self.list.setCurrentRow(target)
        self.changed.emit()

    def _update_buttons(self):
        full = self.list.count() >= MAX_LAYERS
        self.add_button.setEnabled(not full)
        self.add_button.setToolTip(self.tr("At most {0} hidden layers: remove one to add another.").format(MAX_LAYERS)
                                   if full else self.tr("Add a hidden layer after the selected one."))
        self.remove_button.setEnabled(self.list.count() > 0)

    def set_parameter_count(self, text: str) -> None:
        self.count_label.setText(text)
