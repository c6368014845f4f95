"""The decision over the plane, computed on real trained networks and checked against the model itself."""

import numpy as np

from nnplayground.session import Experiment, LayerSpec, ProbeContext, Session
from nnplayground.session.decision import DecisionProbe, grid_points, plane_extent


def _trained(**fields) -> Session:
    session = Session(Experiment(**{"dataset": "spiral", "n_classes": 3, "layers": [LayerSpec(16), LayerSpec(16)],
                                    "learning_rate": 0.03, "epochs": 60, **fields}))
    session.train()
    return session


def _context(session) -> ProbeContext:
    return ProbeContext(session.run_log.step, None, session.dataset)


def test_the_grid_classifies_as_the_model_does_and_the_training_points_fall_in_their_class():
    session = _trained()
    result = DecisionProbe()(session.model, _context(session))
    extent = result["extent"]
    assert result["classes"].shape == (100, 100) and result["n_classes"] == 3
    predicted = session.model.predict(grid_points(extent)).argmax(axis=1).reshape(100, 100)
    np.testing.assert_array_equal(result["classes"], predicted)
    np.testing.assert_allclose(result["probabilities"].sum(axis=2), 1.0, atol=1e-5)
    np.testing.assert_allclose(result["confidence"], result["probabilities"].max(axis=2))
    # Each training point's grid cell says what the model says at the point (but at cells on the boundary).
    x = session.dataset.x_train
    columns = ((x[:, 0] - extent[0]) / (extent[1] - extent[0]) * 100).astype(int)
    rows = ((x[:, 1] - extent[2]) / (extent[3] - extent[2]) * 100).astype(int)
    at_points = session.model.predict(x).argmax(axis=1)
    assert np.mean(result["classes"][rows, columns] == at_points) > 0.95
    accuracy = np.mean(at_points == session.dataset.y_train)
    assert accuracy > 0.8, "the spiral should have been learned"


def test_every_hidden_neuron_of_a_small_layer_gets_its_own_picture():
    session = _trained(epochs=2)
    model = session.model
    result = DecisionProbe()(model, _context(session))
    dense = [i for i, layer in enumerate(model.layers) if getattr(layer, "units", None)]
    assert sorted(result["neurons"]) == dense[:-1]
    first = model.layers[dense[0]]
    points = grid_points(result["extent"]).astype(np.float32)
    expected = first.activation.forward(points @ first.kernel + first.bias, np.empty((len(points), 16), np.float32))
    np.testing.assert_allclose(result["neurons"][dense[0]], expected.reshape(100, 100, 16), rtol=1e-5, atol=1e-6)


def test_a_neuron_of_a_big_layer_is_drawn_only_when_chosen():
    session = _trained(layers=[LayerSpec(40)], epochs=1)
    probe = DecisionProbe()
    assert probe(session.model, _context(session))["neurons"] == {}
    hidden = next(i for i, layer in enumerate(session.model.layers) if getattr(layer, "units", None))
    probe.selected = (hidden, 7)
    neuron = probe(session.model, _context(session))["neurons"][hidden]
    assert neuron.shape == (100, 100, 40) and np.isfinite(neuron[:, :, 7]).all() and np.isnan(neuron[:, :, 6]).all()


def test_two_classes_with_one_sigmoid_output_give_both_probabilities():
    session = _trained(dataset="moons", n_classes=2, epochs=10)
    assert session.model.layers[-1].units == 1
    result = DecisionProbe()(session.model, _context(session))
    p = session.model.predict(grid_points(result["extent"]))[:, 0].reshape(100, 100)
    np.testing.assert_allclose(result["probabilities"][:, :, 1], p, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(result["classes"], (p > 0.5).astype(int))


def test_images_or_a_network_for_other_inputs_get_no_plane():
    digits = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(8)], epochs=1))
    digits.train()
    probe = DecisionProbe()
    assert probe(digits.model, _context(digits)) is None
    spiral = _trained(epochs=1)
    assert probe(digits.model, _context(spiral)) is None
    assert probe(spiral.model, ProbeContext(0)) is None


def test_the_plane_covers_every_point_with_a_margin():
    session = _trained(epochs=1)
    x_min, x_max, y_min, y_max = plane_extent(session.dataset)
    points = np.concatenate([session.dataset.x_train, session.dataset.x_test])
    assert x_min < points[:, 0].min() and x_max > points[:, 0].max()
    assert y_min < points[:, 1].min() and y_max > points[:, 1].max()
