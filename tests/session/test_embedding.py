"""The embedding without Qt: PCA checked against numpy's covariance eigen decomposition, and the probe on
real trained networks."""

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.embedding import EmbeddingProbe, hidden_layers, pca


def _known_data() -> np.ndarray:
    """300 points stretched along known axes: variances 9, 1 and 0.04 before a rotation."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3)) * [3.0, 1.0, 0.2]
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return x @ rotation + [5.0, -2.0, 1.0]


def test_pca_matches_the_covariance_eigen_decomposition():
    x = _known_data()
    coordinates, ratio, directions = pca(x)
    values, vectors = np.linalg.eigh(np.cov(x, rowvar=False))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    assert ratio == pytest.approx(values[:2] / values.sum())
    assert ratio[0] > ratio[1]  # the first component explains the most variance
    for k in range(2):
        assert abs(directions[k] @ vectors[:, k]) == pytest.approx(1.0)
    assert coordinates.var(axis=0, ddof=1) == pytest.approx(values[:2])
    assert coordinates.mean(axis=0) == pytest.approx([0.0, 0.0], abs=1e-9)


def test_pca_signs_are_fixed_by_the_largest_loading():
    x = _known_data()
    _, _, directions = pca(x)
    _, _, flipped = pca(-x)
    assert np.allclose(directions, flipped)
    assert all(row[np.argmax(np.abs(row))] > 0 for row in directions)


def test_pca_of_one_feature_or_one_sample_fills_in_zeros():
    coordinates, ratio, _ = pca(np.arange(6.0).reshape(6, 1))
    assert ratio.tolist() == [1.0, 0.0] and np.all(coordinates[:, 1] == 0)
    coordinates, ratio, _ = pca(np.ones((1, 4)))
    assert coordinates.shape == (1, 2) and ratio.tolist() == [0.0, 0.0]


@pytest.fixture(scope="module")
def spiral() -> Session:
    session = Session(Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=40))
    session.train()
    return session


def test_the_default_is_the_last_hidden_layer_and_the_labels_are_the_validations(spiral):
    model = spiral.model
    context = spiral._idle_context()
    result = EmbeddingProbe()(model, context)
    hidden = hidden_layers(model)
    assert result["layer"] == hidden[-2] and result["requested"] is None
    assert [index for index, _, _ in result["layers"]] == hidden
    x, y = context.validation
    n = min(1000, len(x))
    assert result["coordinates"].shape == (n, 2)
    assert np.array_equal(result["labels"], y[:n]) and np.array_equal(result["indices"], np.arange(n))
    assert result["coordinates"].mean(axis=0) == pytest.approx([0.0, 0.0], abs=1e-6)
    assert result["explained"][0] >= result["explained"][1] > 0


def test_the_coordinates_are_the_pca_of_the_chosen_layers_outputs(spiral):
    model = spiral.model
    context = spiral._idle_context()
    first = hidden_layers(model)[0]
    result = EmbeddingProbe(layer=first)(model, context)
    assert result["layer"] == first == result["requested"]
    x = context.validation[0][:1000].astype(model.dtype)
    dense = model.layers[first]
    outputs = np.maximum(x @ dense.kernel + dense.bias, 0)
    assert result["coordinates"] == pytest.approx(pca(outputs)[0], abs=1e-4)


def test_an_index_that_is_no_hidden_layer_falls_back_to_the_default(spiral):
    result = EmbeddingProbe(layer=0)(spiral.model, spiral._idle_context())  # the Flatten
    assert result["requested"] == 0 and result["layer"] == hidden_layers(spiral.model)[-2]


def test_mnist_sample_embeds_a_thousand_digits_and_separates_classes():
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1))
    session.train()
    result = EmbeddingProbe()(session.model, session._idle_context())
    assert result["coordinates"].shape == (1000, 2)
    assert set(result["labels"].tolist()) == set(range(10))
    centres = np.array([result["coordinates"][result["labels"] == k].mean(axis=0) for k in range(10)])
    spread = np.linalg.norm(centres - centres.mean(axis=0), axis=1).mean()
    assert spread > 0.2 * result["coordinates"].std()  # the classes sit in different places


def test_without_data_the_result_is_empty(spiral):
    context = spiral._idle_context()
    context.validation = None
    result = EmbeddingProbe()(spiral.model, context)
    assert result["layer"] is None and result["coordinates"].shape == (0, 2)


def test_pca_of_more_features_than_samples_agrees_with_the_covariance_too():
    x = _known_data()[:40] @ np.random.default_rng(1).normal(size=(3, 60))  # 40 samples, 60 features, rank 3
    coordinates, ratio, _ = pca(x)
    values = np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1]
    assert ratio == pytest.approx(values[:2] / values.sum())
    assert coordinates.var(axis=0, ddof=1) == pytest.approx(values[:2])


def test_a_one_unit_layer_is_shown_as_its_own_output_not_a_projection():
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(4)], epochs=5))
    session.train()
    model, context = session.model, session._idle_context()
    output = hidden_layers(model)[-1]
    assert model.layers[output].output_shape[-1] == 1  # two classes: one sigmoid unit
    result = EmbeddingProbe(layer=output)(model, context)
    x = context.validation[0][:1000]
    assert result["units"] == 1 and list(result["explained"]) == [1.0, 0.0]
    assert result["coordinates"][:, 0] == pytest.approx(model.predict(x, verbose=0)[:, 0], abs=1e-5)
    assert not result["coordinates"][:, 1].any()
