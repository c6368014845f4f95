"""The layer-statistics and embedding views after real training runs: the numbers they draw are the
probe's, a real click on a layer chooser changes the layer drawn, and hovering a point shows its sample."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QTabWidget

from nnplayground.app import theme
from nnplayground.app.embedding_view import EmbeddingView
from nnplayground.app.layer_stats_view import RIDGE_HEIGHT, LayerStatsView
from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.probes import validation_of
from tests.app.helpers import Paints


def _spiral(**fields) -> Session:
    return Session(Experiment(**{"dataset": "spiral", "n_classes": 3, "learning_rate": 0.03, "epochs": 30,
                                 **fields}))


def _mnist() -> Session:
    return Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1))


def _shown(qtbot, widget, width=480, height=520):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _in_a_hidden_tab(qtbot, view):
    """`view` on the second tab of a shown tab widget, the first one showing."""
    tabs = QTabWidget()
    tabs.addTab(QLabel("training"), "Training")
    tabs.addTab(view, "View")
    _shown(qtbot, tabs)
    return tabs, view


def _open_second_tab(qtbot, tabs) -> None:
    """A click on the second tab, as a person opens it."""
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())


def _pick(qtbot, combo, row: int) -> None:
    """Open the combo box's list with a click and click entry `row`, as a person does."""
    qtbot.mouseClick(combo, Qt.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    # The open list ignores a button release for a double-click interval (so that press, drag, release can
    # pick): a person's second click comes later than that, and so does this one.
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    rect = view.visualRect(combo.model().index(row, 0))
    x = min(rect.center().x(), view.viewport().width() // 2)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=QPoint(x, rect.center().y()))
    qtbot.waitUntil(lambda: not view.isVisible())
    assert combo.currentIndex() == row


def test_layer_stats_view_draws_the_probes_numbers_after_a_spiral_run(qtbot):
    session = _spiral()
    session.load_data()
    view = _shown(qtbot, LayerStatsView(session))
    session.train()
    result = session.probe_results["layer_stats"]
    assert view.result is result
    assert view.layer_picker.count() == len(result["layers"]) == 3
    layer = view.current_layer()
    assert layer is result["layers"][0] and layer["activation"] == "relu"
    assert np.array_equal(view.bars.opts["height"], layer["activations"]["counts"])
    assert np.array_equal(view.bars.opts["x0"], layer["activations"]["edges"][:-1])
    dead = round(layer["dead_share"] * layer["units"])
    assert f"{dead} of {layer['units']} ReLU units dead" in view.summary.text()
    # Over time: the untrained network (epoch 0) and the last epoch at least, one ridge each, newest last.
    epochs = view.history.epochs()
    assert epochs[0] == 0 and epochs[-1] == session.run_log.complete_epochs == 30
    assert view.weights.epochs == epochs and view.gradients.epochs == epochs[1:]
    newest = view.history.series(layer["name"], "weights")[-1][1]
    assert view.weights.ridges.count == len(epochs)
    x, y = view.weights.ridges.points(len(epochs) - 1)
    edges = newest["edges"]
    assert np.allclose(x, (edges[:-1] + edges[1:]) / 2)
    assert np.allclose(y, RIDGE_HEIGHT * newest["counts"] / newest["counts"].max())  # the bottom row
    # Painted: the newest ridge's line in the run colour, the oldest's in the muted grey.
    image = view.weights.grab().toImage().convertToFormat(QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height()) & 0xFFFFFF
    for colour in (theme.TRAIN, theme.MUTED):
        assert (pixels == QColor(colour).rgb() & 0xFFFFFF).sum() > 20


def test_a_hidden_layer_stats_view_keeps_the_history_and_draws_it_when_its_tab_is_opened(qtbot):
    session = _spiral(epochs=5)
    session.load_data()
    tabs, view = _in_a_hidden_tab(qtbot, LayerStatsView(session))
    session.train()
    assert view.history.epochs() == [0, 5]  # gathered while hidden: the untrained network and the end
    assert view.weights.epochs == [] and len(view.bars.opts["height"]) == 0  # not drawn while hidden
    _open_second_tab(qtbot, tabs)
    assert view.weights.epochs == view.history.epochs()
    layer = session.probe_results["layer_stats"]["layers"][0]
    assert np.array_equal(view.bars.opts["height"], layer["activations"]["counts"])


def test_a_click_on_the_layer_chooser_draws_another_layer(qtbot):
    session = _mnist()
    session.load_data()
    view = _shown(qtbot, LayerStatsView(session))
    session.train()
    _pick(qtbot, view.layer_picker, 1)
    layer = session.probe_results["layer_stats"]["layers"][1]
    assert layer["activation"] == "softmax" and view.current_layer() is layer
    assert np.array_equal(view.bars.opts["height"], layer["activations"]["counts"])
    assert view.bars.opts["height"].sum() == 256 * 10
    assert "softmax outputs of 10 units" in view.summary.text()
    assert view.weights.epochs == [0, 1]  # the untrained network, and after the one epoch
    assert view.gradients.epochs == [1]  # no gradient before the first batch
    for plot in (view.weights, view.gradients):  # each plot's x range follows the layer now drawn
        ridges = [plot.ridges.points(i)[0] for i in range(plot.ridges.count)]
        low, high = min(x.min() for x in ridges), max(x.max() for x in ridges)

        def fits(plot=plot, low=low, high=high):
            left, right = plot.getViewBox().viewRange()[0]
            return left <= low and high <= right and right - left < 1.5 * (high - low)
        qtbot.waitUntil(fits)


def test_a_dead_layer_is_said_so(qtbot):
    session = _spiral(epochs=1)
    session.train()
    session.model.layers[1].bias[...] = -1e6
    view = _shown(qtbot, LayerStatsView(session))  # answered at once: the session is idle
    assert view.current_layer()["dead_share"] == 1.0
    assert "32 of 32 ReLU units dead (100%)" in view.summary.text()


def test_a_new_run_starts_a_new_history_and_no_network_shows_the_hint(qtbot):
    session = _spiral(epochs=3)
    view = _shown(qtbot, LayerStatsView(session))
    assert view.pages.currentWidget() is view.hint  # no data yet: a hint, not empty axes
    session.train()
    assert len(view.history.epochs()) >= 2
    session.reset()
    assert view.history.epochs() == [0]
    session.update(layers=[LayerSpec(0)])  # a problem: no network
    assert session.model is None and view.pages.currentWidget() is view.hint


def _scatter_points(view) -> tuple[np.ndarray, np.ndarray]:
    """Every drawn point and its class, from the scatter items themselves."""
    points, labels = [], []
    for k, scatter in enumerate(view.scatters):
        x, y = scatter.getData()
        points.append(np.column_stack([x, y]))
        labels.append(np.full(len(x), k))
    return np.concatenate(points), np.concatenate(labels)


@pytest.fixture
def mnist_embedding(qtbot):
    session = _mnist()
    session.load_data()
    view = _shown(qtbot, EmbeddingView(session))
    session.train()
    return session, view


def test_embedding_view_draws_the_probes_coordinates_by_class(mnist_embedding):
    session, view = mnist_embedding
    result = session.probe_results["embedding"]
    assert view.result is result and result["layer"] == 2  # Rescaling, Flatten, then the hidden layer
    points, labels = _scatter_points(view)
    order = np.lexsort((result["coordinates"][:, 1], result["coordinates"][:, 0], result["labels"]))
    drawn = np.lexsort((points[:, 1], points[:, 0], labels))
    assert np.allclose(points[drawn], result["coordinates"][order])
    assert np.array_equal(labels[drawn], result["labels"][order])
    assert view.class_names == tuple(session.dataset.class_names)
    legend = view.legend.text()
    places = [legend.index(f"</span> {name}") for name in session.dataset.class_names]
    assert places == sorted(places)  # every class named, in order, each after its coloured dot
    assert f"{result['explained'][0]:.0%}" in view.plot.getAxis("bottom").labelText


def test_a_click_on_the_embedding_chooser_flattens_another_layer(qtbot, mnist_embedding):
    session, view = mnist_embedding
    before = session.probe_results["embedding"]
    _pick(qtbot, view.layer_picker, 1)  # the output layer
    result = session.probe_results["embedding"]
    assert result is not before and result["layer"] == 3 and view.probe.layer == 3
    assert view.result is result
    points, _ = _scatter_points(view)
    assert np.isclose(np.sort(points[:, 0]), np.sort(result["coordinates"][:, 0])).all()


def test_a_hidden_embedding_view_draws_an_answer_when_its_tab_is_opened(qtbot, mnist_embedding):
    """Another view's probe answers while this one's tab is hidden (two windows on one session): it keeps
    the answer and draws it when opened, not before."""
    session, shown = mnist_embedding
    tabs, view = _in_a_hidden_tab(qtbot, EmbeddingView(session))
    assert shown.isVisible() and not view.isVisible()
    result = session.probe_results["embedding"]
    view.show_result(result)
    assert view.result is result and view.scatters == []  # kept, not drawn
    _open_second_tab(qtbot, tabs)
    assert view.isVisible() and len(_scatter_points(view)[0]) == len(result["coordinates"])


def test_an_answer_kept_for_a_hidden_view_is_dropped_with_its_network(qtbot, mnist_embedding):
    """Kept while the tab was hidden, then the network went: opening the tab shows the hint, no old points."""
    session, _shown_view = mnist_embedding
    tabs, view = _in_a_hidden_tab(qtbot, EmbeddingView(session))
    view.show_result(session.probe_results["embedding"])
    session.update(layers=[LayerSpec(0)])  # a problem: no network
    assert session.model is None and view.result is None
    _open_second_tab(qtbot, tabs)
    assert view.isVisible() and view.pages.currentWidget() is view.hint and view.scatters == []


def test_a_one_unit_layer_puts_each_class_in_a_row_of_its_own(qtbot):
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(4)], epochs=5))
    session.load_data()
    view = _shown(qtbot, EmbeddingView(session))
    session.train()
    _pick(qtbot, view.layer_picker, 1)  # the output layer: one sigmoid unit
    result = session.probe_results["embedding"]
    assert result["units"] == 1
    points, labels = _scatter_points(view)
    assert np.abs(points[:, 1] - labels).max() < 0.31  # rows by class, not all on one line
    assert len(set(labels.tolist())) == 2 and points[:, 1].std() > 0.3
    assert view.plot.getAxis("left").labelText == "class"
    assert "PC" not in view.plot.getAxis("bottom").labelText


def _loneliest(coordinates: np.ndarray) -> int:
    """The point farthest from its nearest neighbour: hovering it can only mean it."""
    distances = np.linalg.norm(coordinates[:, None] - coordinates[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    return int(np.argmax(distances.min(axis=1)))


def _move_to(qtbot, view, x: float, y: float) -> None:
    """The mouse onto plot point (x, y), once the plot's range has taken in the points (it follows them
    on the next turn of the event loop)."""
    box = view.plot.vb
    coordinates = view.result["coordinates"]

    def covered():
        (left, right), (bottom, top) = box.viewRange()
        return left <= coordinates[:, 0].min() and coordinates[:, 0].max() <= right \
            and bottom <= coordinates[:, 1].min() and coordinates[:, 1].max() <= top
    qtbot.waitUntil(covered)
    viewport = view.canvas.viewport()
    position = QPointF(view.canvas.mapFromScene(box.mapViewToScene(QPointF(x, y))))
    QApplication.sendEvent(viewport, QMouseEvent(QEvent.MouseMove, position, viewport.mapToGlobal(position),
                                                 Qt.NoButton, Qt.NoButton, Qt.NoModifier))


def test_hovering_a_point_shows_its_digit(qtbot, mnist_embedding):
    session, view = mnist_embedding
    result = view.result
    x_val, y_val = validation_of(session.dataset, session.experiment.validation_split)
    target = _loneliest(result["coordinates"])
    _move_to(qtbot, view, *result["coordinates"][target])
    index = int(result["indices"][target])
    qtbot.waitUntil(lambda: view.hovered == index)
    assert np.array_equal(view.image.image, x_val[index].astype(np.float32))
    assert view.sample_image.isVisible()
    assert f"Validation sample {index}: {session.dataset.class_names[y_val[index]]}" in view.sample_text.text()


def test_hovering_a_spiral_point_shows_the_point(qtbot):
    session = _spiral()
    session.load_data()
    view = _shown(qtbot, EmbeddingView(session))
    session.train()
    result = view.result
    target = _loneliest(result["coordinates"])
    _move_to(qtbot, view, *result["coordinates"][target])
    index = int(result["indices"][target])
    qtbot.waitUntil(lambda: view.hovered == index)
    x_val, _ = validation_of(session.dataset, session.experiment.validation_split)
    assert f"point ({x_val[index][0]:.2f}, {x_val[index][1]:.2f})" in view.sample_text.text()
    assert not view.sample_image.isVisible()


def test_the_embedding_follows_training_live_and_a_choice_made_meanwhile_lands(qtbot):
    from nnplayground.session import State, ThreadRunner

    runner = ThreadRunner()
    session = Session(Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=100_000, batch_size=8),
                      runner=runner)
    session.load_data()
    view = _shown(qtbot, EmbeddingView(session))
    view.probe.interval = 0.0  # at every report: the test need not wait out the second
    session.train()
    steps = set()
    while len(steps) < 3:
        assert runner.deliver()
        steps.add(view.result["step"])
    first = view.choices[0][0]
    before = view.result
    view.layer_picker.setCurrentIndex(0)  # chosen while the job trains
    assert view.probe.layer == first
    while view.result is before:
        assert runner.deliver()
    assert view.result["requested"] == view.result["layer"] == first  # answers for the old layer are not drawn
    session.stop()
    while session.state is not State.IDLE:
        assert runner.deliver()


def test_an_answer_is_painted_once(qtbot):
    """The plots follow their data: their new range is worked out before they are painted, not while, which
    painted each plot a second time, whole (the job waits for the GUI to draw each report)."""
    session = _mnist()
    session.load_data()
    embedding = _shown(qtbot, EmbeddingView(session))
    layers = _shown(qtbot, LayerStatsView(session))
    answers = []
    for _ in range(3):
        session.train()
        answers.append(dict(session.probe_results))
        session.update(epochs=session.experiment.epochs + 1)
    plots = {"embedding": embedding.canvas, "activations": layers.activations, "weights": layers.weights}
    paints = {name: Paints(plot.viewport()) for name, plot in plots.items()}
    drawn = []
    for answer in answers:
        for counter in paints.values():
            counter.count = 0
        embedding.show_result(answer["embedding"])
        layers.history.add(layers.history.epochs()[-1] + 1, answer["layer_stats"])
        layers.show_result(answer["layer_stats"])
        for _ in range(10):
            QApplication.processEvents()
        drawn.append({name: counter.count for name, counter in paints.items()})
    assert drawn[1:] == [dict.fromkeys(plots, 1)] * 2  # the first answer also lays the views out
