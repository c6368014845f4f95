"""Views as files: File > Export view offers the views on screen; a right-click on a view saves its
picture; the curves' numbers are the run log's."""

import csv

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu

from nnplayground.session import LayerSpec, State
from tests.app.helpers import answer_save_dialog, open_window


def _trained_spiral(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="spiral", n_classes=3)
    window.session.update(layers=[LayerSpec(8)], learning_rate=0.02, batch_size=16, epochs=4)
    window.session.train()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    return window


def _export_menu(window) -> dict:
    menu = window.exports.menu
    menu.aboutToShow.emit()
    return {action.objectName(): action for action in menu.actions() if action.objectName()}


def _colours(image: QImage) -> int:
    small = image.convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(small.constBits(), np.uint32, small.width() * small.height())
    return len(np.unique(pixels))


def test_the_run_s_numbers_as_csv_equal_the_run_log(qtbot, tmp_path):
    window = _trained_spiral(qtbot)
    actions = _export_menu(window)
    answer_save_dialog(qtbot, str(tmp_path / "numbers"))
    actions["exportRunNumbers"].trigger()
    with open(tmp_path / "numbers.csv") as file:
        rows = list(csv.DictReader(file))
    log = window.session.run_log
    assert len(rows) == len(log.batches) > 0
    assert list(rows[0]) == ["step", "epoch", "loss", "accuracy", "smooth_loss", "smooth_accuracy", "epoch_loss",
                             "epoch_accuracy", "val_loss", "val_accuracy"]
    assert [int(row["step"]) for row in rows] == log.batches["step"].astype(int).tolist()
    for column, series in (("loss", log.batches["loss"]), ("epoch", log.batches["position"]),
                           ("smooth_accuracy", log.batches["smooth_accuracy"])):
        np.testing.assert_allclose([float(row[column]) for row in rows], series, rtol=1e-5)
    epochs = [row for row in rows if row["val_accuracy"]]
    assert len(epochs) == log.complete_epochs == 4
    np.testing.assert_allclose([float(row["val_loss"]) for row in epochs],
                               [logs["val_loss"] for logs in log.epochs], rtol=1e-5)


def test_file_export_view_offers_the_views_on_screen(qtbot):
    window = _trained_spiral(qtbot)
    assert {"exportLossCurves", "exportAccuracyCurves", "exportRunNumbers", "exportWeightsWeights"} <= \
        set(_export_menu(window))
    assert "exportDecisionBoundary" not in _export_menu(window)
    window.centre_tabs.setCurrentWidget(window.decision_view)
    assert "exportDecisionBoundary" in _export_menu(window)
    assert "exportRunNumbers" not in _export_menu(window)
    window.centre_tabs.setCurrentWidget(window.mistakes_page)
    assert "exportConfusionMatrix" in _export_menu(window)
    window.centre_tabs.setCurrentWidget(window.runs_view)
    assert "exportComparedRuns" in _export_menu(window) and "exportConfusionMatrix" not in _export_menu(window)


def _right_click(view) -> None:
    viewport = view.viewport()
    position = QPointF(viewport.width() / 2, viewport.height() / 2)
    for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
        QApplication.sendEvent(viewport, QMouseEvent(kind, position, viewport.mapToGlobal(position), Qt.RightButton,
                                                     Qt.RightButton if kind == QEvent.MouseButtonPress
                                                     else Qt.NoButton, Qt.NoModifier))


def test_a_right_click_on_the_decision_boundary_saves_its_picture(qtbot, tmp_path):
    window = _trained_spiral(qtbot)
    window.centre_tabs.setCurrentWidget(window.decision_view)
    plot = window.decision_view.plot
    qtbot.waitUntil(lambda: window.decision_view.result is not None)
    _right_click(plot)
    menu = window.exports.context_menu
    assert menu is not None and menu.isVisible()
    others = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible() and m is not menu]
    assert others == []  # no pyqtgraph menu beside ours
    answer_save_dialog(qtbot, str(tmp_path / "boundary"))
    {a.objectName(): a for a in menu.actions()}["savePictureAction"].trigger()
    image = QImage(str(tmp_path / "boundary.png"))
    assert (image.width(), image.height()) == (plot.width(), plot.height())
    assert _colours(image) > 50  # the regions' shades and the points, not a blank frame


def test_the_confusion_matrix_and_the_weights_export_as_pictures(qtbot, tmp_path):
    window = _trained_spiral(qtbot)
    window.centre_tabs.setCurrentWidget(window.mistakes_page)
    confusion = window.mistakes_page.confusion_view
    qtbot.waitUntil(lambda: confusion.result is not None)
    for name, widget in (("exportConfusionMatrix", confusion.plot_widget),
                         ("exportWeightsWeights", window.weight_view.tabs.currentWidget())):
        answer_save_dialog(qtbot, str(tmp_path / name))
        _export_menu(window)[name].trigger()
        image = QImage(str(tmp_path / f"{name}.png"))
        assert (image.width(), image.height()) == (widget.width(), widget.height()), name
        assert _colours(image) > 10, name
