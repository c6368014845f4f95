import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnplayground.app.thinning import MAX_DRAWN_POINTS, decimate


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


def test_right_click_offers_the_users_actions_not_pyqtgraphs(qtbot, tmp_path):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QImage, QMouseEvent
    from PySide6.QtWidgets import QApplication, QMenu

    from tests.app.helpers import answer_save_dialog, open_window

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
    answer_save_dialog(qtbot, str(picture))
    {a.objectName(): a for a in menu.actions()}["savePictureAction"].trigger()
    answer_save_dialog(qtbot, str(numbers))
    {a.objectName(): a for a in menu.actions()}["saveNumbersAction"].trigger()
    image = QImage(str(picture))
    assert image.width() == window.plots.loss_plot.width() and image.height() == window.plots.loss_plot.height()
    lines = numbers.read_text().splitlines()
    assert lines[0].startswith("step,epoch,loss") and len(lines) == 1 + len(window.session.run_log.batches)
    log_action = {a.objectName(): a for a in menu.actions()}["logScaleAction"]
    log_action.trigger()
    assert not window.plots.log_scale.isChecked()
    menu.close()


def _ticks(low, high, length=300):
    """(every tick value, the labels shown) of the loss axis in log mode over loss values low..high."""
    from nnplayground.app.plots import LossAxis

    axis = LossAxis(orientation="left")
    axis.setLogMode(False, True)
    levels = axis.tickValues(np.log10(low), np.log10(high), length)
    values = [v for _, level in levels for v in level]
    labels = [text for text in axis.tickStrings(values, 1.0, 1.0) if text]
    return values, labels


def test_log_loss_ticks_are_plain_numbers_at_every_scale():
    _, labels = _ticks(1e-3, 10)
    assert labels == ["0.001", "0.01", "0.1", "1", "10"]
    _, labels = _ticks(0.3, 0.7)  # within one decade: round numbers still carry labels
    assert labels == ["0.3", "0.4", "0.5", "0.6", "0.7"]
    _, labels = _ticks(0.31, 0.345)
    assert len(labels) >= 2 and all(0.31 <= float(text) <= 0.345 for text in labels)
    _, labels = _ticks(0.15, 0.9)  # under a decade and no power of ten inside: still labels
    assert len(labels) >= 3 and all(0.15 <= float(text) <= 0.9 for text in labels)


def test_log_loss_ticks_after_a_divergence_stay_few_and_readable():
    values, labels = _ticks(0.05, 2e18)
    assert 3 <= len(labels) <= 300 // 28
    assert "1" in labels and all("x" not in text and "^" not in text for text in labels)
    assert all(float(text) == 10 ** round(np.log10(float(text))) for text in labels)  # powers of ten
    assert any("e" in text for text in labels)  # 1e5 and above in short form, not 100000000000000000
    assert all(np.log10(0.05) <= v <= np.log10(2e18) for v in values)


def test_an_empty_or_broken_range_gives_no_ticks_instead_of_an_error():
    assert _ticks(1.0, 1.0) == ([], [])
    from nnplayground.app.plots import log_ticks

    assert log_ticks(float("nan"), 1.0) == ([], []) and log_ticks(-1, float("inf")) == ([], [])


def test_the_empty_plot_shows_a_hint_not_axes_and_the_curves_once_training_runs(qtbot):
    from nnplayground.app.plots import TrainingPlots
    from nnplayground.session import Experiment, Session

    session = Session(Experiment(dataset="gaussians", layers=[], epochs=2))
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    assert plots.hint.isVisibleTo(plots) and not plots.loss_plot.isVisibleTo(plots)
    session.train()
    assert not plots.hint.isVisibleTo(plots) and plots.loss_plot.isVisibleTo(plots)
    # the default (empty) view's axis still reads 0.1, 1, 10
    axis = plots.loss_plot.getAxis("left")
    low, high = plots.loss_plot.getPlotItem().vb.viewRange()[1]
    values = [v for _, level in axis.tickValues(low, high, 300) for v in level]
    assert [text for text in axis.tickStrings(values, 1, 1) if text]
    session.reset()
    assert plots.hint.isVisibleTo(plots)


def test_legends_sit_above_the_data_never_over_it(qtbot):
    from nnplayground.app.plots import TrainingPlots
    from nnplayground.session import Experiment, Session

    session = Session(Experiment(dataset="gaussians", layers=[], epochs=2))
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    plots.resize(500, 600)
    plots.show()
    session.train()
    qtbot.waitUntil(lambda: plots.loss_plot.isVisible())
    for plot in (plots.loss_plot, plots.accuracy_plot):
        item = plot.getPlotItem()
        legend, box = item.legend, item.vb.sceneBoundingRect()
        assert len(legend.items) >= 3
        assert legend.sceneBoundingRect().bottom() <= box.top() + 1
        assert legend.sceneBoundingRect().height() > 5


def test_a_short_vertical_axis_labels_only_as_many_ticks_as_fit(qtbot):
    from nnplayground.app.plots import LABEL_PITCH, LossAxis

    axis = LossAxis(orientation="left")
    (_, roomy), *_ = axis.tickValues(-0.05, 1.05, 200)
    assert roomy == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])  # room enough: pyqtgraph's own
    for size in (40, 60, 90):
        levels = axis.tickValues(-0.05, 1.05, size)
        assert len(levels) == 1 and 2 <= len(levels[0][1]) <= size // LABEL_PITCH
        assert levels[0][1][0] == 0.0 and str(levels[0][1][0]) == "0.0"  # never "-0"


def test_many_epochs_are_drawn_as_lines_through_a_few_hundred_points_first_to_last(qtbot):
    """Past MAX_EPOCH_SYMBOLS the epochs are lines, thinned to MAX_EPOCH_LINE_POINTS (a wide antialiased line
    through thousands of points cost 5 ms a redraw), still from the first epoch to the last."""
    from nnplayground.app.plots import MAX_EPOCH_LINE_POINTS, MAX_EPOCH_SYMBOLS, TrainingPlots
    from nnplayground.session import Session

    session = Session()
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    log = session.run_log
    for epoch in range(1, 41):
        log.add_epoch({"loss": 1.0 / epoch, "val_loss": 1.2 / epoch}, step=epoch, position=float(epoch))
    plots._draw_epochs()
    assert plots.val_loss.opts["symbol"] == "s" and len(plots.curve_data("val_loss")[0]) == 40
    for epoch in range(41, 3001):
        spike = 50.0 if epoch == 1234 else 1.0  # one bad validation epoch must stay in the picture
        log.add_epoch({"loss": 1.0 / epoch, "val_loss": 1.2 * spike / epoch}, step=epoch, position=float(epoch))
    plots._draw_epochs()
    assert 3000 > MAX_EPOCH_SYMBOLS
    for name, item in (("epoch_loss", plots.epoch_loss), ("val_loss", plots.val_loss)):
        x, y = plots.curve_data(name)
        assert item.opts["symbol"] is None
        assert len(x) <= MAX_EPOCH_LINE_POINTS + 1 and x[0] == 1.0 and x[-1] == 3000.0
    assert plots.curve_data("val_loss")[1][-1] == pytest.approx(np.log10(1.2 / 3000))  # the log axis
    assert np.isclose(plots.curve_data("val_loss")[1], np.log10(1.2 * 50 / 1234)).any()


def test_the_moving_average_stands_out_from_the_batches_in_either_theme(qtbot):
    """The smoothed curve is the one to read: on a white plot it is darker than the batch noise under it,
    on a dark plot lighter, and a theme switch changes both."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from nnplayground.app import theme
    from tests.app.helpers import open_window

    window = open_window(qtbot)

    def lightness(item):
        return QColor(item.opts["pen"].color()).lightness()

    try:
        for name in ("light", "dark"):
            window.set_theme(name)
            plots = window.plots
            background = theme.plot_colours()[0].lightness()
            raw, smooth = lightness(plots.batch_curve), lightness(plots.smooth_curve)
            assert abs(smooth - background) > abs(raw - background) + 40, (name, raw, smooth, background)
    finally:
        theme.apply_theme(QApplication.instance(), "light")


def test_legend_symbols_have_their_colours_before_any_epoch(qtbot):
    """A plot repaints only the regions that change, so a legend drawn before the first epoch is what the
    user keeps seeing: its symbols must be in their colours from the start (and after a reset)."""
    from PySide6.QtGui import QColor

    from nnplayground.app import theme
    from nnplayground.app.plots import TrainingPlots
    from nnplayground.session import Session

    session = Session()
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    for _ in range(2):
        for item, colour in ((plots.epoch_loss, theme.TRAIN), (plots.val_loss, theme.VALIDATION),
                             (plots.epoch_accuracy, theme.TRAIN), (plots.val_accuracy, theme.VALIDATION)):
            assert item.scatter.opts["brush"].color() == QColor(colour), item.opts["name"]
        plots.clear()


def _reported(session, start: int, count: int, falling: bool = True) -> int:
    """`count` more batches of a noisy loss (falling, or level) into the session's run log, as a report
    brings them; 100 batches an epoch."""
    rng = np.random.default_rng(start)
    steps = np.arange(start + 1, start + count + 1)
    level = np.exp(-steps / 3000) if falling else 1.0
    chunk = {"step": steps, "position": steps / 100, "loss": level * (1 + rng.random(count)),
             "accuracy": rng.random(count)}
    session.events.emit("batches", session.run_log.add_batches(chunk))
    return start + count


def _plots_shown(qtbot):
    from PySide6.QtWidgets import QApplication

    from nnplayground.app.plots import TrainingPlots
    from nnplayground.session import Session

    session = Session()
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    plots.resize(600, 500)
    plots.set_planned_epochs(100)
    plots.show()
    qtbot.waitExposed(plots)
    step = _reported(session, 0, 50)
    for _ in range(3):
        QApplication.processEvents()
    return session, plots, step


def _shown(plots):
    """What the window shows now: its backing store, drawn region by region as things changed."""
    from PySide6.QtWidgets import QApplication

    for _ in range(5):  # the scene's updates take a few turns of the event loop to reach the window
        QApplication.processEvents()
    return QApplication.primaryScreen().grabWindow(plots.winId()).toImage()


def _shown_afresh(plots):
    """What the window shows once all of it is drawn again."""
    plots.repaint()
    for plot in (plots.loss_plot, plots.accuracy_plot):
        plot.viewport().repaint()
    return _shown(plots)


def test_a_report_redraws_the_curves_but_not_the_axes_and_leaves_no_stale_pixels(qtbot, monkeypatch):
    """Only the data's rectangle is repainted with each report (the axes lie outside it, their line is the
    view's frame), and what the window then shows is exactly a fresh drawing: nothing left behind."""
    from nnplayground.app import plots as plots_module
    from nnplayground.app.curve_layer import CurveLayer

    painted = {"axis": 0, "curves": 0}
    for cls, key in ((plots_module._FramedAxis, "axis"), (CurveLayer, "curves")):
        def counting(self, *args, _paint=cls.paint, _key=key):
            painted[_key] += 1
            return _paint(self, *args)
        monkeypatch.setattr(cls, "paint", counting)
    session, plots, step = _plots_shown(qtbot)
    for _ in range(20):
        step = _reported(session, step, 50)  # falling: the axes change
        assert _shown(plots) == _shown_afresh(plots)
    step = _reported(session, step, 50, falling=False)
    _shown_afresh(plots)
    for _ in range(10):  # a level loss: the axes' ranges hold, only the curves change
        painted.update(axis=0, curves=0)
        step = _reported(session, step, 50, falling=False)
        live = _shown(plots)
        assert painted["curves"] >= 1 and painted["axis"] == 0
        assert live == _shown_afresh(plots)


def test_curves_are_thinned_to_the_plot_width_and_zooming_in_brings_the_detail_back(qtbot):
    from tests.app.helpers import wheel

    session, plots, step = _plots_shown(qtbot)
    for _ in range(40):
        step = _reported(session, step, 500)  # 20,050 batches
    pixels = plots.loss_plot.getPlotItem().vb.width()
    x, _ = plots.curve_data("batch")
    assert len(x) <= 2 * pixels * 1.1 and x[0] == 0.01 and x[-1] == step / 100
    assert len(plots.curve_data("smooth")[0]) <= pixels + 1
    whole = np.diff(x).max()
    viewport = plots.loss_plot.viewport()
    for _ in range(6):
        wheel(viewport, 1)  # zoom in
    qtbot.waitUntil(lambda: not plots._rethin.isActive())
    low, high = plots.loss_plot.getPlotItem().vb.viewRange()[0]
    zoomed, _ = plots.curve_data("batch")
    assert high - low < 0.5 * step / 100 and not plots.following
    assert zoomed[1] >= low and zoomed[-2] <= high  # the zoomed range, and one point beyond each end
    assert np.diff(zoomed).max() < whole / 2  # in finer steps than the whole run's
    plots.fit_views()
    qtbot.waitUntil(lambda: not plots._rethin.isActive())
    assert plots.curve_data("batch")[0][-1] == step / 100


def test_clicking_a_legend_sample_hides_its_curve_at_once(qtbot):
    """The plots' legend hides a curve when its sample is clicked, and the picture shows it now, not at
    the next report."""
    session, plots, step = _plots_shown(qtbot)
    step = _reported(session, step, 500)
    _shown(plots)
    legend = plots.loss_plot.getPlotItem().legend
    sample = next(sample for sample, label in legend.items if label.text == "smoothed")
    where = plots.loss_plot.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(plots.loss_plot.viewport(), Qt.LeftButton, pos=where)
    assert not plots.smooth_curve.isVisible()
    assert _shown(plots) == _shown_afresh(plots)


def _report(session, step: int, count: int, per_epoch: int = 100, planned: float = 200.0) -> int:
    """A report as the session hands one out: `count` batches of a level, noisy loss, the epochs they
    ended (`per_epoch` batches each) and the progress, each into the run log and out as its event."""
    rng = np.random.default_rng(step)
    steps = np.arange(step + 1, step + count + 1)
    batches = {"step": steps, "position": steps / per_epoch, "loss": 1 + rng.random(count),
               "accuracy": 0.5 + 0.1 * rng.random(count)}
    ended = [epoch for epoch in range(step // per_epoch + 1, (step + count) // per_epoch + 1)]
    epochs = [{"logs": {"loss": 1.4 + 0.1 * rng.random(), "accuracy": 0.55, "val_loss": 1.5 + 0.1 * rng.random(),
                        "val_accuracy": 0.5 + 0.1 * rng.random()}, "step": epoch * per_epoch, "position": float(epoch)}
              for epoch in ended]
    log = session.run_log
    session.events.emit("batches", log.add_batches(batches))
    if epochs:
        log.add_epochs(epochs)
        session.events.emit("epochs_ended", [epoch["logs"] for epoch in epochs])
    session.events.emit("progress", {"end_position": planned, "position": (step + count) / per_epoch})
    return step + count


def test_a_growing_run_repaints_only_the_strip_it_grew_and_leaves_no_stale_pixels(qtbot, monkeypatch):
    """While the view follows the run, a report repaints the loss plot from where its curves changed to
    its right edge, not the whole plot: epochs drawn as symbols and, past MAX_EPOCH_SYMBOLS, as lines.
    What the window then shows is exactly a fresh drawing."""
    from PySide6.QtWidgets import QApplication

    from nnplayground.app.curve_layer import CurveLayer
    from nnplayground.app.plots import MAX_EPOCH_SYMBOLS, TrainingPlots
    from nnplayground.session import Session

    exposed = []

    def recording(self, painter, option, *args, _paint=CurveLayer.paint):
        exposed.append((self, option.exposedRect.width() / self.getViewBox().viewRect().width()))
        return _paint(self, painter, option, *args)

    monkeypatch.setattr(CurveLayer, "paint", recording)
    session = Session()
    plots = TrainingPlots(session)
    qtbot.addWidget(plots)
    plots.resize(600, 500)
    plots.show()
    qtbot.waitExposed(plots)
    step = _report(session, 0, 150)
    for _ in range(3):
        QApplication.processEvents()
    strips = []
    for _ in range(45):  # 1.5 epochs a report, to 69 epochs: symbols, then lines
        del exposed[:]
        step = _report(session, step, 150)
        live = _shown(plots)
        strips.append(max((share for layer, share in exposed if layer is plots.loss_layer), default=0.0))
        assert live == _shown_afresh(plots)
    assert session.run_log.complete_epochs > MAX_EPOCH_SYMBOLS and plots.val_loss.opts["symbol"] is None
    # Each report brings 0.75% of the planned 200 epochs: most reports repaint a strip of a few percent.
    assert np.median(strips) < 0.1, strips
