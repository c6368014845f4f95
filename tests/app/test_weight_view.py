"""The weights pane made readable: square first-layer tiles, output columns named by class, 2-input rows
without fractional ticks, and a one-line hint where there is nothing to draw yet."""

from PySide6.QtCore import QRectF

from nnplayground.app.weight_view import WeightView, index_ticks
from nnplayground.session import Experiment, LayerSpec, Session


def _view(qtbot, experiment):
    session = Session(experiment)
    view = WeightView(session)
    qtbot.addWidget(view)
    view.resize(420, 500)
    view.show()
    session.load_data()
    return session, view


def _texts(axis):
    return [text for _, text in axis._tickLevels[0]] if axis._tickLevels else None


def test_first_layer_tiles_are_square_whatever_the_panes_shape(qtbot):
    session, view = _view(qtbot, Experiment(dataset="mnist-sample", layers=[LayerSpec(12)]))
    view.tabs.setCurrentIndex(1)
    for width, height in ((420, 500), (300, 700), (700, 300)):
        view.resize(width, height)
        qtbot.waitUntil(lambda w=width: view.width() == w)
        view.tiles.plot.vb.updateViewRange()
        pixel = view.tiles.image.mapRectToScene(QRectF(0, 0, 28, 28))  # one tile
        assert abs(pixel.width() - pixel.height()) < 0.01 * pixel.width()


def test_the_output_columns_carry_the_class_names(qtbot):
    session, view = _view(qtbot, Experiment(dataset="mnist-sample", layers=[LayerSpec(12)]))
    view.layer_picker.setCurrentIndex(1)
    assert _texts(view.heatmap.plot.getAxis("bottom")) == [str(digit) for digit in range(10)]
    assert _texts(view.heatmap.plot.getAxis("left")) == [str(unit) for unit in range(12)]  # whole rows, no 0.5
    view.layer_picker.setCurrentIndex(0)
    assert _texts(view.heatmap.plot.getAxis("bottom")) == [str(unit) for unit in range(12)]
    assert _texts(view.heatmap.plot.getAxis("left")) is None  # 784 rows: pyqtgraph's own numbers


def test_a_two_input_layer_names_its_rows_and_a_binary_output_its_class(qtbot):
    session, view = _view(qtbot, Experiment(dataset="moons", layers=[LayerSpec(4)]))
    assert _texts(view.heatmap.plot.getAxis("left")) == ["x1", "x2"]
    assert [centre for centre, _ in view.heatmap.plot.getAxis("left")._tickLevels[0]] == [0.5, 1.5]
    view.layer_picker.setCurrentIndex(1)
    assert _texts(view.heatmap.plot.getAxis("bottom")) == ["P(1)"]


def test_index_ticks_name_each_centre_or_leave_many_to_pyqtgraph():
    assert index_ticks(3) == [(0.5, "0"), (1.5, "1"), (2.5, "2")]
    assert index_ticks(2, ["cat", "dog"]) == [(0.5, "cat"), (1.5, "dog")]
    assert index_ticks(100) is None


def test_hints_show_until_there_is_something_to_draw(qtbot):
    session = Session(Experiment(dataset="gaussians", layers=[LayerSpec(4)], epochs=2))
    view = WeightView(session)
    qtbot.addWidget(view)
    assert view.hint.isVisibleTo(view) and not view.heatmap.isVisibleTo(view)  # no data, no network
    session.load_data()
    assert not view.hint.isVisibleTo(view) and view.heatmap.isVisibleTo(view)  # its starting weights
    # (the Gradients tab is not the current one: its page is hidden, so ask each widget for its own flag)
    assert not view.norms_hint.isHidden() and view.norms.isHidden()
    session.train()
    assert view.norms_hint.isHidden() and not view.norms.isHidden()
    session.reset()
    assert not view.norms_hint.isHidden()


def test_round_up_gives_the_next_round_limit():
    from nnplayground.app.weight_view import round_up

    cases = {0.0123: 0.015, 0.1: 0.1, 0.15: 0.15, 0.151: 0.2, 0.99: 1.0, 1.01: 1.5, 7.9: 8.0, 8.1: 10.0, 123: 150.0,
             1.5000000000001: 2.0, 0.3: 0.3, 3e-7: 3e-7}  # never below the value
    assert {value: round_up(value) for value in cases} == cases


def test_the_colour_scale_widens_in_round_steps_not_with_every_snapshot(qtbot):
    """Weights that grow a little with every snapshot keep one colour bar until they pass a round limit:
    each change of the bar's levels re-lays out the bar and both axes, most of a repaint."""
    import numpy as np

    session, view = _view(qtbot, Experiment(dataset="spiral", layers=[LayerSpec(8)]))
    heatmap = view.heatmap
    heatmap.reset_levels()  # as a new run does
    levels = []
    for i in range(30):  # the largest weight grows from 0.41 to 0.70, 2% a snapshot
        heatmap.show_array(np.linspace(-1, 1, 16).reshape(2, 8) * 0.41 * 1.02 ** i)
        levels.append(tuple(heatmap.bar.levels()))
    assert sorted(set(levels), key=lambda pair: pair[1]) == [(-0.5, 0.5), (-0.6, 0.6), (-0.8, 0.8)]
    assert heatmap.image.levels.tolist() == [-0.8, 0.8]


def test_the_gradients_tab_draws_the_run_logs_norms_once_it_is_opened(qtbot):
    """A hidden tab is not drawn with every weight snapshot (the training job waits for the GUI); a click
    on it shows the whole norm history."""
    import numpy as np
    from PySide6.QtCore import Qt

    session, view = _view(qtbot, Experiment(dataset="gaussians", layers=[LayerSpec(4)], epochs=5))
    session.train()
    gradient_curve, update_curve = view.norm_curves[0]
    assert gradient_curve.getData()[0] is None  # not drawn while its tab was hidden
    bar = view.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(2).center())
    log = session.run_log
    x, y = gradient_curve.getData()
    np.testing.assert_array_equal(x, log.norm_steps["step"])
    np.testing.assert_allclose(10 ** y, log.norms["gradient"][:, 0])  # drawn on a log axis
    assert len(x) >= 2
