"""The whole flow, driven with real clicks and keys (pytest-qt, offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QCheckBox, QComboBox, QListWidget, QTabBar, QWidget

from nnplayground.app import MainWindow
from nnplayground.session import LayerSpec, State
from tests.app.helpers import choose, click, open_window, points, settle, tick, type_into, wait_until_parked

NAMED = ("trainButton", "pauseButton", "stepButton", "stopButton", "resetButton", "datasetPicker", "layerStack",
         "optimizerPicker", "learningRate", "batchSize", "epochs", "lossPlot", "weightView")


def _two_layer_spiral(qtbot, window, epochs="5000"):
    choose(qtbot, window, "datasetPicker", "Spiral")
    qtbot.waitUntil(lambda: window.session.dataset.name == "spiral")
    while window.layer_stack.list.count():
        click(qtbot, window, "removeLayerButton")
    click(qtbot, window, "addLayerButton")
    click(qtbot, window, "addLayerButton")
    for row in range(2):
        units = window.layer_stack.list.itemWidget(window.layer_stack.list.item(row)).units
        type_into(qtbot, window, units, "12")
    type_into(qtbot, window, "batchSize", "16")
    type_into(qtbot, window, "epochs", epochs)


def test_window_builds_with_named_controls_and_tooltips(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    for name in NAMED:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.toolTip(), f"{name} has no tooltip"
    controls = [w for w in window.findChildren(QWidget)
                if isinstance(w, (QAbstractButton, QComboBox, QAbstractSpinBox, QListWidget)) and w.objectName()
                and not w.objectName().startswith("qt_") and not isinstance(w.parent(), QTabBar)]
    assert len(controls) > 20
    assert [w.objectName() for w in controls if not w.toolTip()] == []


def test_whole_flow_on_a_toy_set(qtbot):
    window = open_window(qtbot)
    _two_layer_spiral(qtbot, window)
    assert window.layer_stack.count_label.text() == f"{(2 + 1) * 12 + 13 * 12 + 13 * 1:,} parameters to learn"

    click(qtbot, window, "trainButton")
    assert window.session.state is State.RUNNING
    qtbot.waitUntil(lambda: window.session.run_log.complete_epochs >= 1, timeout=10_000)
    first_kernel = window.weight_view.kernels[0].copy()
    click(qtbot, window, "pauseButton")
    assert window.session.state is State.PAUSED
    wait_until_parked(qtbot, window)
    before = points(window)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: points(window) == before + 1)
    assert "batch" in window.findChild(QWidget, "statusEpoch").text()

    type_into(qtbot, window.settings_panel.learning_rate, window.settings_panel.learning_rate.box, "0.02")
    click(qtbot, window, "trainButton")  # resume
    qtbot.waitUntil(lambda: len(window.plots.markers) == 1, timeout=5_000)
    assert "0.02" in window.plots.markers[0].label.textItem.toPlainText()
    qtbot.waitUntil(lambda: window.session.model.optimizer.learning_rate == 0.02)
    qtbot.waitUntil(lambda: window.weight_view.snapshots_shown > 3)
    assert not np.array_equal(window.weight_view.kernels[0], first_kernel)
    click(qtbot, window, "stopButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)
    assert "stopped after" in window.findChild(QWidget, "statusEpoch").text()
    x, y = window.plots.series("batch")
    assert len(x) > 16 and np.all(np.diff(x) > 0) and np.isfinite(y).all()

    trained = window.session.model.get_weights()
    window.reset_same_action.trigger()
    for start, now in zip(window.session.initial_weights, window.session.model.get_weights(), strict=True):
        np.testing.assert_array_equal(start, now)
    assert not np.array_equal(trained[0], window.session.model.get_weights()[0])
    assert points(window) == 0


def test_one_epoch_on_the_embedded_sample(qtbot):
    window = open_window(qtbot)
    assert window.session.dataset.name == "mnist-sample"
    type_into(qtbot, window, "epochs", "1")
    type_into(qtbot, window, "batchSize", "64")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    assert window.session.run_log.complete_epochs == 1
    assert points(window) == 4000 // 64 + 1
    logs_accuracy = window.plots.series("val_accuracy")[1]
    assert len(logs_accuracy) == 1 and logs_accuracy[0] > 0.7
    assert window.findChild(QWidget, "statusEpoch").text() == "done: 1 epochs"
    assert window.progress_bar.value() == 1000
    assert window.weight_view.tabs.isTabEnabled(1)
    assert window.weight_view.tiles.image.image is None  # its tab is hidden: drawn once opened
    bar = window.weight_view.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
    tiles = window.weight_view.tiles.image.image
    assert tiles.shape[0] % 29 == 28 and np.isfinite(tiles).any()
    np.testing.assert_array_equal(tiles[:28, :28], window.session.model.layers[2].kernel[:, 0].reshape(28, 28))


def test_closing_mid_training_stops_the_worker_within_a_second(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: points(window) > 10, timeout=10_000)
    worker = window.runner.thread
    window.close()
    assert worker.wait(1000)
    assert not worker.isRunning()


def test_closing_while_paused_does_not_hang(qtbot):
    window = open_window(qtbot)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: points(window) == 1, timeout=10_000)
    worker = window.runner.thread
    window.close()
    assert worker.wait(1000)


def test_divergence_pauses_restores_and_explains(qtbot):
    window = open_window(qtbot)
    for row in range(window.layer_stack.list.count()):
        combo = window.layer_stack.list.itemWidget(window.layer_stack.list.item(row)).activation
        combo.setFocus()
        qtbot.keyClicks(combo, "linear")
    choose(qtbot, window, "optimizerPicker", "SGD + m")
    type_into(qtbot, window.settings_panel.learning_rate, window.settings_panel.learning_rate.box, "10")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.hints_panel.isVisible(), timeout=10_000)  # the hint, with its fixes
    assert window.session.state is State.PAUSED
    said = window.hints_panel.cards["rate_too_high"].text.text()
    assert "learning rate" in said and "too high" in said
    assert all(np.isfinite(w).all() for w in window.session.model.get_weights())
    type_into(qtbot, window.settings_panel.learning_rate, window.settings_panel.learning_rate.box, "0.0001")
    click(qtbot, window, "trainButton")  # Resume, with the advice taken: the advice goes
    assert window.session.state is State.RUNNING and not window.hints_panel.isVisible()
    click(qtbot, window, "stopButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)


def test_shortcuts_space_s_and_r(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    window.plots.setFocus()
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.session.state is State.RUNNING
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.session.state is State.PAUSED
    wait_until_parked(qtbot, window)
    before = points(window)
    qtbot.keyClick(window, Qt.Key_S)
    qtbot.waitUntil(lambda: points(window) == before + 1)
    seed = window.settings_panel.seed.value()
    qtbot.keyClick(window, Qt.Key_R)
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.settings_panel.seed.value() == seed + 1,
                    timeout=5_000)
    assert points(window) == 0 and window.session.run_log.step == 0 and window.session.runs


def test_up_down_and_remove_reorder_the_stack(qtbot):
    window = open_window(qtbot)
    stack = window.layer_stack
    stack.list.setCurrentRow(0)
    type_into(qtbot, window, stack.list.itemWidget(stack.list.item(0)).units, "7")
    click(qtbot, window, "moveLayerDownButton")
    assert [spec.units for spec in stack.specs()] == [16, 7]
    click(qtbot, window, "moveLayerUpButton")
    assert [spec.units for spec in stack.specs()] == [7, 16]
    click(qtbot, window, "addLayerButton")
    assert [spec.units for spec in stack.specs()] == [7, 7, 16]
    click(qtbot, window, "removeLayerButton")
    assert len(stack.specs()) == 2
    assert window.diagram.sizes == [784, *(s.units for s in stack.specs()), 10]


def test_stop_reset_and_data_changes_in_any_order(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: points(window) > 5, timeout=10_000)
    choose(qtbot, window, "datasetPicker", "Moons")
    window.reset_same_action.trigger()
    window.stop()
    click(qtbot, window, "resetButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.session.dataset.name == "moons",
                    timeout=10_000)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: points(window) > 5, timeout=10_000)
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)


def test_bad_values_are_refused_or_flagged(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "batchSize", "-5")
    assert window.settings_panel.batch_size.value() == 5  # the minus sign is refused as it is typed
    type_into(qtbot, window, "batchSize", "0")
    assert window.settings_panel.batch_size.value() >= 1
    type_into(qtbot, window, "learningRateBox", "99")  # above 10: kept in view and explained, never half-kept
    assert window.settings_panel.learning_rate.value() == 0.001 and window.session.experiment.learning_rate == 0.001
    assert "from 1e-6 to 10" in window.settings_panel.problems.text()
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    assert window.data_panel.classes.maximum() == 2  # moons come in two classes only
    window.close()
    # A settings file written by hand with impossible values: refused in place, previous work intact.
    window.settings.setValue("experiment", '{"learning_rate": 500, "batch_size": -3, "layers": "nonsense"}')
    again = open_window(qtbot)
    assert again.session.experiment.learning_rate <= 10 and again.session.experiment.batch_size >= 1
    assert len(again.session.experiment.layers) == 2
    type_into(qtbot, again, "batchSize", "9999")
    qtbot.waitUntil(lambda: again.session.state is State.IDLE)
    choose(qtbot, again, "datasetPicker", "Circle")
    qtbot.waitUntil(lambda: again.session.dataset.name == "circle")
    assert "larger than the training set" in again.banner.text()


def test_unreadable_file_keeps_the_previous_data(qtbot, tmp_path):
    window = open_window(qtbot)
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip")
    window.open_data_path(str(bad))  # read off the GUI thread
    qtbot.waitUntil(lambda: "broken.npz" in window.banner.text())
    assert window.session.dataset.name == "mnist-sample"
    assert window.data_panel.dataset == "mnist-sample"


def test_offline_download_says_so_and_keeps_the_data(qtbot, monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_DATA_URL", "http://127.0.0.1:9/")
    window = open_window(qtbot)
    choose(qtbot, window, "datasetPicker", "MNIST (")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15_000)
    assert "offline" in window.banner.text()
    assert window.session.dataset.name == "mnist-sample" and window.data_panel.dataset == "mnist-sample"


def test_settings_persist_between_launches(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "7")
    click(qtbot, window, "addLayerButton")
    window.resize(1111, 777)
    window.close()
    again = open_window(qtbot, 700, 560)
    closed_size = again.size()
    again.close()
    third = MainWindow()
    qtbot.addWidget(third)
    assert third.session.experiment.epochs == 7 and len(third.session.experiment.layers) == 3
    assert third.size() == closed_size


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes_switch_plot_backgrounds(qtbot, theme):
    window = open_window(qtbot)
    window.set_theme(theme)
    background = window.plots.loss_plot.backgroundBrush().color()
    assert (background.lightness() < 100) == (theme == "dark")
    window.set_theme("light")


def test_save_and_open_a_model_then_draw_with_it(qtbot, tmp_path):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    assert window.save_model(str(tmp_path / "net.npz"))
    trained = window.session.model.get_weights()
    window.reset_new()
    window.open_model(str(tmp_path / "net.npz"))
    settle(qtbot, window)
    for a, b in zip(window.session.model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(window.session.model.history.history["loss"]) == 1
    assert window.draw_panel.mirror.model is not None and window.draw_panel.model_problem() is None
    (tmp_path / "broken.npz").write_bytes(b"nope")
    window.open_model(str(tmp_path / "broken.npz"))
    settle(qtbot, window)
    assert "broken.npz" in window.banner.text() and window.session.model is not None


def test_deskew_option_builds_the_layer(qtbot):
    from nnplayground.layers import Deskew

    window = open_window(qtbot)
    tick(qtbot, window.data_panel.deskew)
    qtbot.waitUntil(lambda: window.session.experiment.deskew)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: points(window) == 1, timeout=10_000)
    assert isinstance(window.session.model.layers[0], Deskew)
    window.stop()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=5_000)


def test_optimizer_change_after_a_run_applies_to_the_next_run(qtbot):
    from nnplayground.optimizers import SGD

    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    trained = window.session.model.get_weights()
    choose(qtbot, window, "optimizerPicker", "SGD")
    assert isinstance(window.session.model.optimizer, SGD) and window.session.run_log.complete_epochs == 1
    for now, before in zip(window.session.model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(now, before)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.session.run_log.complete_epochs == 2,
                    timeout=20_000)
    assert window.session.model.optimizer.iterations == 4000 // 32  # one epoch, all on the new optimizer


def test_switching_data_shows_the_new_network_everywhere(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    assert window.weight_view.kernels[0].shape == (784, 32)
    window.plots.readout.setText("epoch 0.50   batch 0.3")
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    # not the 784-input kernel of the MNIST run, and the moons' own starting network (the layers were not edited)
    assert window.weight_view.kernels[0].shape == (2, 8)
    assert window.diagram.sizes == [2, 8, 8, 1]
    assert window.status_epoch.text() == "ready" and window.status_speed.text() == ""
    assert window.plots.readout.text().strip() == "" and points(window) == 0


def test_a_layer_change_keeps_the_trained_network_and_the_runs_menu_brings_it_back(qtbot):
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    trained = window.session.model.get_weights()
    tick(qtbot, window.data_panel.deskew)  # a new architecture: a Deskew layer first
    assert window.session.run_log.step == 0 and "run 1" in window.banner.text()
    window._fill_runs_menu()
    entries = [action for action in window.runs_menu.actions() if action.text().startswith("run 1")]
    assert len(entries) == 1 and "1 epochs" in entries[0].text()
    entries[0].trigger()
    assert not window.session.experiment.deskew and not window.data_panel.deskew.isChecked()
    for now, before in zip(window.session.model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(now, before)
    assert points(window) == 4000 // 32 and len(window.plots.curve_data("batch")[0]) == 4000 // 32


def test_the_window_and_the_command_line_build_and_train_the_same_network(qtbot, tmp_path):
    import subprocess
    import sys

    from nnplayground.models import load_model

    out = tmp_path / "cli.npz"
    subprocess.run([sys.executable, "-m", "nnplayground", "train", "--dataset", "moons", "--samples", "500",
                    "--layers", "8,4", "--activation", "tanh", "--optimizer", "momentum", "--lr", "0.05",
                    "--batch-size", "16", "--epochs", "2", "--seed", "5", "--out", str(out)], check=True,
                   capture_output=True)
    window = open_window(qtbot)
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    session = window.session
    session.update(layers=[LayerSpec(8, "tanh"), LayerSpec(4, "tanh")], optimizer="momentum",
                   learning_rate=0.05, batch_size=16, epochs=2, seed=5)
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=20_000)
    cli = load_model(out)
    assert cli.get_config() == session.model.get_config()
    assert cli.layers[-1].units == 1 and cli.layers[-1].activation.name == "sigmoid"  # two classes: one sigmoid
    for a, b in zip(cli.get_weights(), session.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_run_until_paused_goes_past_the_epochs_field_and_shows_no_countdown(qtbot):
    window = open_window(qtbot)
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons", timeout=10_000)
    type_into(qtbot, window, "epochs", "1")
    tick(qtbot, window.findChild(QCheckBox, "runUntilPaused"))
    assert window.session.experiment.run_until_paused
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.run_log.complete_epochs >= 3, timeout=20_000)
    assert window.status_eta.text() == "until paused" and window.session.state is State.RUNNING
    click(qtbot, window, "stopButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=10_000)
