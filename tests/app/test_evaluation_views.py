"""The mistakes views hold the evaluation probe's numbers after a real run, and a real click on a confusion
cell opens the gallery of exactly that cell's samples."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget

from nnplayground.app.evaluation_views import (
    ConfusionGallery,
    ConfusionMatrixView,
    HeadlineAccuracy,
    MistakesView,
)
from nnplayground.session import Experiment, LayerSpec, Session


def _views(qtbot, session):
    views = HeadlineAccuracy(session), ConfusionMatrixView(session), MistakesView(session)
    for view in views:
        qtbot.addWidget(view)
        view.resize(420, 420)
        view.show()
    return views


def _spiral() -> Session:
    session = Session(Experiment(dataset="spiral", n_classes=3, noise=0.15, learning_rate=0.03, epochs=60,
                                 layers=[LayerSpec(32), LayerSpec(32)]))
    session.load_data()
    return session


def _cell(view, row: int, column: int = 0) -> str:
    """The text a table or thumbnail view shows at (row, column)."""
    return view.model().index(row, column).data()


def _rows(view) -> int:
    return view.model().rowCount()


def _click_cell(qtbot, view: ConfusionMatrixView, row: int, column: int) -> None:
    scene_point = view.plot.vb.mapViewToScene(QPointF(column + 0.5, row + 0.5))
    point = view.plot_widget.mapFromScene(scene_point)
    qtbot.mouseClick(view.plot_widget.viewport(), Qt.LeftButton, pos=QPoint(point.x(), point.y()))


def test_before_any_data_each_view_shows_a_hint(qtbot):
    headline, matrix, mistakes = _views(qtbot, Session())
    assert headline.accuracy is None and "appears here" in headline.detail.text()
    assert matrix.stack.currentWidget() is matrix.hint and matrix.confusion is None
    assert mistakes.stack.currentWidget() is mistakes.hint and mistakes.mistakes == []


def test_the_views_hold_the_numbers_of_a_trained_spiral(qtbot):
    session = _spiral()
    headline, matrix, mistakes = _views(qtbot, session)
    assert headline.accuracy is not None  # the untrained network's, from the probe
    assert "at step 0" in headline.detail.text()
    session.train()
    result = session.probe_results["evaluation"]
    last = session.run_log.epochs[-1]
    assert headline.accuracy == pytest.approx(last["val_accuracy"]) and headline.loss == pytest.approx(last["val_loss"])
    assert headline.value.text() == f"{100 * last['val_accuracy']:.1f}%"
    predicted = session.model.predict(session.dataset.x_test).argmax(axis=1)
    y = session.dataset.y_test
    expected = np.array([[np.sum((y == t) & (predicted == p)) for p in range(3)] for t in range(3)])
    np.testing.assert_array_equal(matrix.confusion, expected)
    assert np.trace(matrix.confusion) == np.sum(predicted == y) == round(headline.accuracy * len(y))
    np.testing.assert_allclose(matrix.shares.sum(axis=1), 1.0)
    assert [text.toPlainText() for text in matrix.texts] == [str(count) for count in expected.reshape(-1)]
    matrix.row_shares.click()
    assert matrix.texts[4].toPlainText() == f"{100 * expected[1, 1] / expected[1].sum():.1f}%"
    np.testing.assert_allclose(mistakes.accuracies, np.diag(expected) / expected.sum(axis=1))
    np.testing.assert_allclose(mistakes.bars.opts["height"], mistakes.accuracies)
    assert _rows(mistakes.table) == len(mistakes.mistakes) == min(24, int(np.sum(predicted != y)))
    first = mistakes.mistakes[0]
    assert _cell(mistakes.table, 0, 0) == str(first["index"])
    assert _cell(mistakes.table, 0, 1) == str(first["true"]) and _cell(mistakes.table, 0, 2) == \
        str(first["predicted"]) != str(first["true"])
    assert result["mistakes"] is mistakes.mistakes



def test_views_in_a_hidden_tab_hold_the_numbers_and_draw_them_when_the_tab_is_opened(qtbot):
    """A hidden tab does not draw every evaluation (the training job waits for the GUI), yet opening it
    shows the latest one."""
    session = _spiral()
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    page = QSplitter()
    matrix, mistakes = ConfusionMatrixView(session), MistakesView(session)
    page.addWidget(matrix)
    page.addWidget(mistakes)
    tabs.addTab(QLabel("training"), "Training")
    tabs.addTab(page, "Mistakes")
    tabs.resize(840, 480)
    tabs.show()
    qtbot.waitExposed(tabs)
    session.train()
    result = session.probe_results["evaluation"]
    assert np.trace(matrix.confusion) == result["correct"] and mistakes.mistakes is result["mistakes"]
    assert matrix.texts == [] and matrix.stack.currentWidget() is matrix.hint  # not drawn while hidden
    assert mistakes.stack.currentWidget() is mistakes.hint
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
    assert tabs.currentIndex() == 1
    assert [text.toPlainText() for text in matrix.texts] == [str(count) for count in result["confusion"].reshape(-1)]
    assert matrix.caption.text().startswith(f"{result['correct']:,} of {result['n']:,} right")
    assert mistakes.stack.currentWidget() is mistakes.splitter
    assert _rows(mistakes.table) == len(result["mistakes"])
    np.testing.assert_allclose(mistakes.bars.opts["height"], np.nan_to_num(result["per_class_accuracy"]))

def test_clicking_a_cell_opens_a_gallery_of_exactly_its_samples(qtbot):
    session = _spiral()
    session.train()
    _, matrix, _ = _views(qtbot, session)
    predicted = session.model.predict(session.dataset.x_test).argmax(axis=1)
    y = session.dataset.y_test
    row, column = max(((t, p) for t in range(3) for p in range(3) if t != p), key=lambda cell: matrix.confusion[cell])
    assert matrix.confusion[row, column] > 0
    _click_cell(qtbot, matrix, row, column)
    gallery = matrix.findChild(ConfusionGallery, "confusionGallery")
    assert gallery is not None and gallery.isVisible() and not gallery.isModal()
    assert gallery.cell == (row, column)
    np.testing.assert_array_equal(gallery.indices, np.flatnonzero((y == row) & (predicted == column)))
    assert _rows(gallery.table) == len(gallery.indices)
    x = session.dataset.x_test[gallery.indices[0]]
    assert _cell(gallery.table, 0, 1) == f"{x[0]:.3f}" and _cell(gallery.table, 0, 2) == f"{x[1]:.3f}"
    _click_cell(qtbot, matrix, 0, 0)  # the diagonal: the right answers
    np.testing.assert_array_equal(gallery.indices, np.flatnonzero((y == 0) & (predicted == 0)))
    session.reset()  # a new network: the last one's samples go
    assert not gallery.isVisible()


def test_on_the_mnist_sample_mistakes_and_the_gallery_are_pictures(qtbot):
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1))
    session.load_data()
    _, matrix, mistakes = _views(qtbot, session)
    session.train()
    result = session.probe_results["evaluation"]
    assert matrix.confusion.sum() == result["n"] == 1000
    assert np.trace(matrix.confusion) == round(result["accuracy"] * 1000)
    assert _rows(mistakes.thumbnails) == 24 and mistakes.table.isHidden()
    first = mistakes.mistakes[0]
    assert _cell(mistakes.thumbnails, 0) == \
        f"true {first['true']}, said {first['predicted']} ({100 * first['confidence']:.0f}%)"
    assert first["true"] != first["predicted"]
    assert len(matrix.texts) == 100
    _click_cell(qtbot, matrix, 4, 9)
    gallery = matrix.gallery
    expected = np.flatnonzero((result["y_true"] == 4) & (result["y_pred"] == 9))
    np.testing.assert_array_equal(gallery.positions, expected)
    assert _rows(gallery.thumbnails) == len(expected) and gallery.table.isHidden()


def test_the_headline_follows_the_epochs(qtbot):
    session = _spiral()
    headline, *_ = _views(qtbot, session)
    seen = []  # once a report is handled: (what the headline shows, the newest epoch's figure)
    session.events.connect("progress", lambda _: seen.append((headline.accuracy, session.run_log.epochs[-1]
                                                              ["val_accuracy"] if session.run_log.epochs else None)))
    session.update(epochs=3)
    session.train()
    reported = [(shown, logged) for shown, logged in seen if logged is not None]
    assert reported and all(shown == pytest.approx(logged) for shown, logged in reported)
    assert headline.accuracy == pytest.approx(session.run_log.epochs[-1]["val_accuracy"])
    assert "after epoch 3" in headline.detail.text()


def test_the_cells_colours_follow_the_theme(qtbot):
    """A palette change (what a theme switch makes) recolours the cells from the new background. Set on the
    view, not the application: a test must not leave the whole application's style changed."""
    from PySide6.QtGui import QColor, QPalette

    session = _spiral()
    _, matrix, _ = _views(qtbot, session)
    seen = []
    for base in ("#1e1e1e", "#ffffff"):
        palette = matrix.palette()
        palette.setColor(QPalette.Base, QColor(base))
        matrix.setPalette(palette)
        qtbot.waitUntil(lambda base=base: matrix.image.getColorMap().map(0.0, mode="qcolor").name() == base)
        seen.append(matrix.image.getColorMap().map(0.0, mode="qcolor").name())
    assert seen == ["#1e1e1e", "#ffffff"]


def test_a_run_stopped_mid_epoch_shows_the_weights_it_stopped_with(qtbot):
    from nnplayground.session import State, ThreadRunner

    runner = ThreadRunner()
    session = Session(Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=1000, batch_size=8),
                      runner=runner)
    session.load_data()
    headline, *_ = _views(qtbot, session)
    for step in range(1, 41):  # an epoch is 32 batches: one ends, the next is a quarter done
        session.step()
        while session.run_log.step < step:
            assert runner.deliver()
    assert "after epoch 1" in headline.detail.text()
    session.stop()
    while session.state is not State.IDLE:
        assert runner.deliver()
    assert session.run_log.step == 40
    predicted = session.model.predict(session.dataset.x_test).argmax(axis=1)
    assert headline.accuracy == pytest.approx(np.mean(predicted == session.dataset.y_test))
    assert f"at step {session.run_log.step:,}" in headline.detail.text()


def test_a_new_headline_repaints_neither_the_diagram_nor_the_plots_beside_it(qtbot):
    """A text that asked the tab page for a new layout repainted the whole page after every epoch."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from tests.app.helpers import open_window

    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.diagram.sizes != [])
    painted = []

    class Count(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Paint:
                painted.append(watched.objectName())
            return False

    headline = window.headline
    headline.show_figures(0.25, 2.0, "validation accuracy after epoch 1 · loss 2")  # the first shows the figure
    for _ in range(3):  # the layout it asks for, then the paint that follows
        QApplication.processEvents()
    window.repaint()
    counter = Count()
    for widget in (window.diagram,):
        widget.installEventFilter(counter)
    for epoch, accuracy in enumerate((0.5, 0.75, 0.875, 0.9375), start=1):
        headline.show_figures(accuracy, 1 / epoch, f"validation accuracy after epoch {10 ** epoch} · loss {1 / epoch}")
        headline.repaint()  # painted now; anything it made dirty around it is painted with it
        QApplication.processEvents()
    assert headline.value.text() == "93.8%"
    assert painted == []
