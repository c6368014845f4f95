"""The run controls answer wherever the focus is; Esc leaves a field; the keys are listed and shown."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMenu, QMessageBox, QSpinBox

from nnplayground.session import State
from tests.app.helpers import choose, open_window, type_into, wait_until_parked


def test_run_keys_work_while_a_field_has_the_focus(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    batch = window.findChild(QSpinBox, "batchSize")
    batch.setFocus()
    qtbot.keyClick(batch, Qt.Key_Return, Qt.ControlModifier)
    assert window.session.state is State.RUNNING
    optimizer = window.findChild(QComboBox, "optimizerPicker")
    layer_units = window.findChild(QSpinBox, "layerUnits")
    layer_units.setFocus()
    qtbot.keyClick(layer_units, Qt.Key_F5)
    assert window.session.state is State.PAUSED and batch.value() == 32
    wait_until_parked(qtbot, window)
    before = window.session.run_log.step
    optimizer.setFocus()
    qtbot.keyClick(optimizer, Qt.Key_F6)
    qtbot.waitUntil(lambda: window.session.run_log.step == before + 1)
    assert not optimizer.view().isVisible() and optimizer.currentData() == "adam"
    qtbot.keyClick(optimizer, Qt.Key_Period, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)
    assert window.session.run_log.step == before + 1  # stopped: no further step


def test_a_number_typed_but_not_entered_counts_and_the_keys_then_land_nowhere(qtbot):
    """Type 128 in Batch size, press Ctrl+Enter without Enter first: the run trains at 128, and the
    focus leaves the box (now disabled) for the window, not for the next field."""
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    batch = window.findChild(QSpinBox, "batchSize")
    batch.setFocus()
    batch.selectAll()
    qtbot.keyClicks(batch, "128")
    qtbot.keyClick(batch, Qt.Key_Return, Qt.ControlModifier)
    assert window.session.state is State.RUNNING and window.session.experiment.batch_size == 128
    assert QApplication.focusWidget() in (window, None)
    qtbot.keyClicks(window, "5")  # lands in no field
    assert window.settings_panel.l1.value() == 0 and window.session.experiment.l1 == 0
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)


def test_escape_leaves_a_field_so_space_drives_the_training(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    epochs = window.findChild(QSpinBox, "epochs")
    epochs.setFocus()
    qtbot.keyClick(epochs, Qt.Key_Space)  # in a field, Space is the field's
    assert window.session.state is State.IDLE
    qtbot.keyClick(epochs, Qt.Key_Escape)
    assert not epochs.hasFocus()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_Space)
    assert window.session.state is State.RUNNING
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_Space)
    assert window.session.state is State.PAUSED
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)


def test_reset_to_the_same_weights_and_the_menus_by_keyboard(qtbot):
    window = open_window(qtbot)
    first = [w.copy() for w in window.session.model.get_weights()]
    window.step()
    qtbot.waitUntil(lambda: window.session.run_log.step == 1)
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE)
    field = window.findChild(QSpinBox, "seed")
    field.setFocus()
    qtbot.keyClick(field, Qt.Key_R, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: window.session.run_log.step == 0)
    assert all((a == b).all() for a, b in zip(window.session.model.get_weights(), first, strict=True))
    menu = window.findChild(QMenu, "trainingMenu")
    names = [action.objectName() for action in menu.actions()]
    assert names[:3] == ["toggleTrainingAction", "stepButtonAction", "stopButtonAction"]
    assert "Ctrl+." in window.stop_action.toolTip() and "F5" in window.train_action.toolTip()
    assert "F6" in window.step_action.toolTip() and "Ctrl+Shift+R" in window.reset_same_action.toolTip()


def test_help_lists_every_shortcut(qtbot):
    window = open_window(qtbot)
    qtbot.keyClick(window, Qt.Key_F1)
    dialog = window.findChild(QMessageBox, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    for keys in ("Ctrl+Enter", "F5", "F6", "Ctrl+.", "Ctrl+Shift+R", "Esc", "Ctrl+Z"):
        assert keys in dialog.text()
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible()


def test_tab_follows_the_panels_top_to_bottom(qtbot):
    window = open_window(qtbot)
    window.activateWindow()
    window.layer_stack.add_layer()  # a row added later still comes in its place, not at the window's end
    window.data_panel.picker.setFocus()
    seen = []
    for _ in range(32):
        widget = QApplication.focusWidget()
        seen.append(widget.objectName())
        qtbot.keyClick(widget, Qt.Key_Tab)
    rows = ["layerUnits", "layerActivation", "layerDropout", "layerInitializer"] * 3
    assert seen[:len(rows) + 3] == ["datasetPicker", "deskewImages", "layerStack", *rows]
    rest = seen[len(rows) + 3:]
    assert rest[:5] == ["addLayerButton", "removeLayerButton", "moveLayerUpButton", "moveLayerDownButton",
                        "optimizerPicker"]
    assert rest.index("seed") > rest.index("batchSize") > rest.index("learningRateBox")


def test_the_status_bar_says_paused_and_forgets_an_old_run(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    window.train()
    qtbot.waitUntil(lambda: window.status_speed.text().endswith("samples/s"))
    window.pause()
    wait_until_parked(qtbot, window)
    qtbot.waitUntil(lambda: window.status_epoch.text().startswith("paused"))
    window.reset_new()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.session.run_log.step == 0)
    assert (window.status_epoch.text(), window.status_speed.text(), window.status_eta.text()) == ("ready", "", "")
    window.train()
    qtbot.waitUntil(lambda: window.status_speed.text().endswith("samples/s"))
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE)
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    assert (window.status_epoch.text(), window.status_speed.text(), window.status_eta.text()) == ("ready", "", "")
    assert window.progress_bar.value() == 0
