"""The data view and the decision view on real data and a real trained network, driven by clicks."""

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from nnplayground.app import theme
from nnplayground.app.data_view import DataView, sample_grid
from nnplayground.app.decision_view import DecisionBoundaryView, decision_image
from nnplayground.session import Experiment, LayerSpec, Session
from tests.app.helpers import Paints


def _spiral(epochs=40) -> Session:
    session = Session(Experiment(dataset="spiral", n_classes=3, layers=[LayerSpec(8), LayerSpec(8)],
                                 learning_rate=0.03, epochs=epochs))
    session.load_data()
    return session


def _shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_decision_view_draws_the_probe_s_grid_and_the_points(qtbot):
    session = _spiral()
    view = _shown(qtbot, DecisionBoundaryView(session))
    session.train()
    result = view.result
    assert result is not None and result["classes"].shape == (100, 100)
    background, _ = theme.plot_colours()
    expected = decision_image(result["classes"], result["confidence"], 3, background)
    np.testing.assert_array_equal(view.image.image, expected)
    assert len(view.train_points.data) == len(session.dataset.x_train)
    assert len(view.test_points.data) == len(session.dataset.x_test)
    # A cell the network is sure about has nearly its class's colour; a cell at a guess has the background's.
    row, column = np.unravel_index(np.argmax(result["confidence"]), result["confidence"].shape)
    target = QColor(theme.class_colour(int(result["classes"][row, column])))
    pixel = view.image.image[row, column].astype(int)
    paper = np.array([background.red(), background.green(), background.blue()])
    ink = np.array([target.red(), target.green(), target.blue()])
    assert np.abs(pixel - ink).max() < np.abs(paper - ink).max() * 0.3


def test_the_bottom_left_of_the_picture_is_the_bottom_left_of_the_plane(qtbot):
    session = _spiral(epochs=30)
    view = _shown(qtbot, DecisionBoundaryView(session))
    session.train()
    x_min, _x_max, y_min, _y_max = view.result["extent"]
    rect = view.image.mapRectToView(view.image.boundingRect())
    assert abs(rect.left() - x_min) < 1e-6 and abs(rect.top() - y_min) < 1e-6  # row 0 sits at y_min


def test_discretize_and_test_points_toggle_by_click(qtbot):
    session = _spiral(epochs=5)
    view = _shown(qtbot, DecisionBoundaryView(session))
    session.train()
    soft = view.image.image.copy()
    qtbot.mouseClick(view.discretize, Qt.LeftButton, pos=QPoint(8, view.discretize.height() // 2))
    flat = view.image.image
    assert view.discretize.isChecked() and not np.array_equal(soft, flat)
    assert len({tuple(pixel) for pixel in flat.reshape(-1, 3)}) <= 3  # one colour per class
    qtbot.mouseClick(view.show_test, Qt.LeftButton, pos=QPoint(8, view.show_test.height() // 2))
    assert not view.test_points.isVisible() and view.train_points.isVisible()


def test_clicking_a_neuron_picture_draws_that_neuron_over_the_plane(qtbot):
    session = _spiral(epochs=5)
    view = _shown(qtbot, DecisionBoundaryView(session))
    session.train()
    assert len(view.thumbnails) == 16  # two hidden layers of 8
    key = sorted(view.thumbnails)[3]
    qtbot.mouseClick(view.thumbnails[key], Qt.LeftButton)
    assert view.shown == key and view.back.isVisible()
    values = view.result["neurons"][key[0]][:, :, key[1]]
    from nnplayground.app.decision_view import neuron_image
    np.testing.assert_array_equal(view.image.image, neuron_image(values))
    framed = [other for other, thumbnail in view.thumbnails.items() if "border" in thumbnail.styleSheet()]
    assert framed == [key]  # the neuron on show is framed, and only it
    qtbot.mouseClick(view.back, Qt.LeftButton)
    assert view.shown is None and view.image.image.shape == (100, 100, 3)
    assert not any(thumbnail.styleSheet() for thumbnail in view.thumbnails.values())


def test_neuron_pictures_are_centred_on_zero_each_on_its_own_scale():
    from nnplayground.app.decision_view import _LUT, neuron_image, neuron_images

    values = np.zeros((2, 3, 3))
    values[:, :, 0] = [[-2.0, 0.0, 2.0], [1.0, np.nan, -1.0]]  # largest |value| 2: -2 is the map's end
    values[:, :, 1] = [[0.5, -0.25, 0.0], [np.inf, 0.5, 0.0]]  # an infinity: no part of the scale, an end
    pictures = neuron_images(values)  # unit 2: all zero, drawn as the map's middle (no division by zero)
    assert pictures.shape == (3, 2, 3, 3) and pictures.dtype == np.uint8
    ends, middle = (_LUT[0], _LUT[255]), _LUT[127]
    np.testing.assert_array_equal(pictures[0][0], [ends[0], middle, ends[1]])
    np.testing.assert_array_equal(pictures[0][1], [_LUT[191], middle, _LUT[63]])  # NaN: the middle
    np.testing.assert_array_equal(pictures[1][0], [ends[1], _LUT[63], middle])
    np.testing.assert_array_equal(pictures[1][1], [ends[1], ends[1], middle])
    np.testing.assert_array_equal(pictures[2], np.broadcast_to(middle, (2, 3, 3)))
    for unit in range(3):
        np.testing.assert_array_equal(neuron_image(values[:, :, unit]), pictures[unit])


def test_a_neuron_clicked_in_the_diagram_of_a_big_layer_is_computed_and_drawn(qtbot):
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(40)], epochs=2))
    session.load_data()
    view = _shown(qtbot, DecisionBoundaryView(session))
    session.train()
    assert view.thumbnails == {}
    view.select_hidden(1, 5)
    hidden = view.shown[0]
    assert view.shown == (hidden, 5) and np.isfinite(view.result["neurons"][hidden][:, :, 5]).all()


def test_image_data_gets_a_hint_not_an_empty_plot(qtbot):
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(8)], epochs=1))
    session.load_data()
    view = _shown(qtbot, DecisionBoundaryView(session))
    assert view.hint.isVisible() and not view.plot.isVisible()


def test_the_data_view_shows_points_by_class_or_a_grid_of_samples_per_class(qtbot):
    session = _spiral()
    view = _shown(qtbot, DataView(session))
    assert len(view.train_points.data) == len(session.dataset.x_train)
    brushes = {brush.color().name() for brush in view.train_points.data["brush"]}
    assert brushes == {theme.class_colour(k).lower() for k in range(3)}
    qtbot.mouseClick(view.show_test, Qt.LeftButton, pos=QPoint(8, view.show_test.height() // 2))
    assert not view.test_points.isVisible()
    session.load_data(dataset="mnist-sample")
    assert view.images.image.shape == (10 * 30 - 2, 12 * 30 - 2) and view.found == [12] * 10
    assert not view.legend.isVisible()  # no empty legend box over the grid
    assert len(view.train_points.data) == 0


def test_the_sample_grid_puts_each_class_in_its_row():
    x = np.zeros((30, 4, 4), np.uint8)
    y = np.repeat(np.arange(3), 10)
    x[y == 1] = 255
    grid, found = sample_grid(x, y, 3, per_class=5, gap=1)
    assert grid.shape == (3 * 5 - 1, 5 * 5 - 1) and found == [5, 5, 5]
    assert np.nanmax(grid[:4]) == 0 and np.nanmin(grid[5:9]) == 1.0


def test_a_click_on_a_hidden_neuron_in_the_diagram_shows_it_over_the_plane(qtbot):
    from nnplayground.app.network_diagram import MAX_DRAWN_NEURONS
    from nnplayground.session import State
    from tests.app.helpers import choose, click, open_window, type_into
    window = open_window(qtbot)
    choose(qtbot, window, "datasetPicker", "Spiral")
    qtbot.waitUntil(lambda: window.session.dataset is not None and window.session.dataset.name == "spiral",
                    timeout=10_000)
    type_into(qtbot, window, "epochs", "3")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    diagram = window.diagram
    column, count = 1, diagram.sizes[1]
    rect = diagram._drawing_rect()
    point = diagram._positions(column, count, rect)[2]
    qtbot.mouseClick(diagram, Qt.LeftButton, pos=point.toPoint())
    # A layer drawn as neurons: the third one; drawn as a block: the unit at that height.
    unit = 2 if count <= MAX_DRAWN_NEURONS else int((point.toPoint().y() - rect.top()) / rect.height() * count)
    view = window.decision_view
    assert window.centre_tabs.currentWidget() is view and view.isVisible()
    hidden = next(i for i, layer in enumerate(window.session.model.layers) if getattr(layer, "units", None))
    assert view.shown == (hidden, unit)
    assert np.isfinite(view.result["neurons"][hidden][:, :, unit]).all()


def test_a_view_on_a_hidden_tab_is_not_probed_and_catches_up_when_shown(qtbot):
    from PySide6.QtWidgets import QTabWidget
    session = _spiral(epochs=3)
    tabs = QTabWidget()
    tabs.addTab(DataView(session), "data")
    view = DecisionBoundaryView(session)
    tabs.addTab(view, "decision")
    _shown(qtbot, tabs)
    assert not session.probes["decision"].active
    answers = []
    session.events.connect("probed", lambda name, result: answers.append(name))
    session.train()
    assert "decision" not in answers and "weights" in answers
    tabs.setCurrentWidget(view)  # shown after the run: the network as it is now
    assert session.probes["decision"].active and answers[-1] == "decision"
    assert view.result["step"] == session.run_log.step


def test_the_decision_view_comes_to_rest_at_every_width(qtbot):
    """An aspect-locked plot's range sets its tick labels, their width the left axis's, that the plot's
    width, and that the range: at 380 pixels the axis flipped between two widths for ever, repainting the
    plot at every turn of the event loop, idle or not."""
    session = _spiral(epochs=5)
    session.load_data()
    view = DecisionBoundaryView(session)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    session.train()
    paints = Paints(view.plot.viewport())
    restless = []
    for width in range(360, 430, 5):
        view.resize(width, 440)
        for _ in range(10):  # the new size laid out and drawn
            QApplication.processEvents()
        paints.count = 0
        for _ in range(20):
            QApplication.processEvents()
        if paints.count:
            restless.append((width, paints.count))
    assert restless == []


def test_class_names_on_an_axis_leave_no_margin_behind_when_the_data_changes(qtbot):
    """The data view's axes keep the room their labels took (they come to rest), until the data changes."""
    from nnplayground.datasets import fashion_mnist
    from nnplayground.datasets.catalog import Dataset

    session = _spiral()
    view = _shown(qtbot, DataView(session))
    left = view.plot.getAxis("left")
    spiral = session.dataset

    def width_after(dataset) -> float:
        session.dataset = dataset
        view.show_data()
        for _ in range(5):  # drawn: the labels worked out, the axis sized to them
            QApplication.processEvents()
        return left.width()

    alone = width_after(spiral)
    images = np.random.default_rng(0).random((40, 28, 28)).astype(np.float32)
    labels = np.arange(40) % 10
    clothes = Dataset("fashion", images, labels, images, labels, fashion_mnist.CLASS_NAMES)
    assert width_after(clothes) > alone + 20  # "T-shirt/top", "Ankle boot"
    assert width_after(spiral) == alone
