import numpy as np

from nnplayground.app.plots import MAX_DRAWN_POINTS, decimate


def test_decimate_keeps_every_peak():
    x = np.arange(100_000, dtype=float)
    y = np.ones_like(x)
    y[31_337] = 1000.0  # one outlier in a hundred thousand
    y[77_000] = -5.0
    dx, dy = decimate(x, y, peaks=True)
    assert len(dx) <= MAX_DRAWN_POINTS * 1.1  # the last, partial bucket is kept as it is
    assert dy.max() == 1000.0 and dy.min() == -5.0
    assert np.all(np.diff(dx) >= 0)


def test_decimate_leaves_short_series_alone():
    x, y = np.arange(10.0), np.arange(10.0)
    assert decimate(x, y, peaks=True)[1] is y


def test_loss_axis_shows_every_point_and_stays_still(qtbot):
    from nnplayground.app.plots import TrainingPlots
    from nnplayground.session import Session

    session = Session()
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    plots.set_planned_epochs(10)
    steps = np.arange(1, 201)
    loss = np.exp(-steps / 50.0)
    loss[120] = 40.0  # an outlier
    ranges = []
    for start in range(0, 200, 20):
        part = slice(start, start + 20)
        chunk = {"step": steps[part], "position": steps[part] / 20, "loss": loss[part], "accuracy": np.full(20, 0.5)}
        session.events.emit("batches", session.run_log.add_batches(chunk))
        ranges.append(plots._ranges[plots.loss_plot])
    low, high = ranges[-1][2:]
    assert low <= np.log10(loss.min()) and np.log10(40.0) <= high
    assert ranges[-1][:2] == (0.0, 10.0)
    assert len(set(ranges)) < len(ranges)  # most reports leave the axes where they were


def test_the_hover_readout_never_widens_the_middle_column(qtbot):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from tests.app.helpers import open_window

    window = open_window(qtbot, 1024, 560)  # a narrow middle column: the readout's text is wider than it
    window.session.update(epochs=2)
    window.train()
    qtbot.waitUntil(lambda: window.session.state.name == "IDLE" and window.session.run_log.complete_epochs == 2,
                    timeout=20_000)
    widths, least = window.splitter.sizes(), window.plots.minimumSizeHint().width()
    viewport = window.plots.loss_plot.viewport()
    for x in range(40, viewport.width() - 10, 40):
        position = QPointF(x, viewport.height() / 2)
        QApplication.sendEvent(viewport, QMouseEvent(QEvent.MouseMove, position, viewport.mapToGlobal(position),
                                                     Qt.NoButton, Qt.NoButton, Qt.NoModifier))
    assert "epoch" in window.plots.readout.text() and "batch" in window.plots.readout.text()
    QApplication.sendPostedEvents()
    assert window.plots.minimumSizeHint().width() == least and window.splitter.sizes() == widths


def test_right_click_offers_the_users_actions_not_pyqtgraphs(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QImage, QMouseEvent
    from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

    from tests.app.helpers import open_window

    window = open_window(qtbot)
    window.session.update(epochs=1)
    window.train()
    qtbot.waitUntil(lambda: window.session.state.name == "IDLE" and window.session.run_log.complete_epochs == 1,
                    timeout=20_000)
    viewport = window.plots.loss_plot.viewport()
    position = QPointF(viewport.width() / 2, viewport.height() / 2)
    for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
        QApplication.sendEvent(viewport, QMouseEvent(kind, position, viewport.mapToGlobal(position),
                                                     Qt.RightButton, Qt.RightButton if kind == QEvent.MouseButtonPress
                                                     else Qt.NoButton, Qt.NoModifier))
    menu = window.plots.menu
    assert menu is not None and menu.isVisible()
    names = [action.objectName() for action in menu.actions() if not action.isSeparator()]
    assert names == ["fitViewAction", "logScaleAction", "savePictureAction", "saveNumbersAction"]
    others = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible() and m is not menu]
    assert others == []  # no pyqtgraph menu beside ours
    picture, numbers = tmp_path / "loss.png", tmp_path / "run.csv"
    answers = iter([(str(picture), ""), (str(numbers), "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: next(answers))
    {a.objectName(): a for a in menu.actions()}["savePictureAction"].trigger()
    {a.objectName(): a for a in menu.actions()}["saveNumbersAction"].trigger()
    image = QImage(str(picture))
    assert image.width() == window.plots.loss_plot.width() and image.height() == window.plots.loss_plot.height()
    lines = numbers.read_text().splitlines()
    assert lines[0].startswith("step,epoch,loss") and len(lines) == 1 + len(window.session.run_log.batches)
    log_action = {a.objectName(): a for a in menu.actions()}["logScaleAction"]
    log_action.trigger()
    assert not window.plots.log_scale.isChecked()
    menu.close()
