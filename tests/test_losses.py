import numpy as np
import pytest

from nnplayground import activations, losses
from nnplayground.utils import to_categorical
from tests.conftest import numeric_gradient

rng = np.random.default_rng(5)
LOGITS = rng.normal(size=(6, 4)) * 3
LABELS = rng.integers(0, 4, size=6)
ONEHOT = to_categorical(LABELS, 4).astype(np.float64)
BINARY = rng.integers(0, 2, size=(6, 4)).astype(np.float64)


def _targets(loss):
    return {"sparse_categorical_crossentropy": LABELS, "categorical_crossentropy": ONEHOT,
            "binary_crossentropy": BINARY, "mean_squared_error": BINARY}[loss.name]


@pytest.mark.parametrize("name", ["sparse_categorical_crossentropy", "categorical_crossentropy",
                                  "binary_crossentropy", "mse"])
def test_gradient_matches_finite_differences(name):
    loss = losses.get(name)
    y = _targets(loss)
    activation = loss.fused_activation or "linear"
    p = activations.get(activation)(LOGITS / 3)  # probabilities not so small that eps=1e-6 is coarse
    numeric = numeric_gradient(lambda: loss(y, p), p)
    np.testing.assert_allclose(loss.gradient(y, p, np.empty_like(p)), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["sparse_categorical_crossentropy", "categorical_crossentropy",
                                  "binary_crossentropy"])
def test_fused_logits_form_matches_composition(name):
    loss = losses.get(name)
    y = _targets(loss)
    activation = activations.get(loss.fused_activation)
    z = LOGITS.copy()
    numeric = numeric_gradient(lambda: loss.value(y, activation(z)), z)
    grad = np.empty_like(z)
    value = loss.logits_loss_and_gradient(y, z, grad)
    assert value == pytest.approx(loss.value(y, activation(z)), rel=1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_logits_form_is_stable_where_probabilities_underflow():
    z = np.array([[200.0, -200.0, 0.0]], dtype=np.float32)
    grad = np.empty_like(z)
    value = losses.get("sparse_categorical_crossentropy").logits_loss_and_gradient(np.array([1]), z, grad)
    assert value == pytest.approx(400.0, rel=1e-6)  # the exact answer, not a clipped log(1e-7)
    np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]], atol=1e-6)


def test_known_values():
    p = np.array([[0.7, 0.2, 0.1]])
    assert losses.get("sparse_categorical_crossentropy")(np.array([0]), p) == pytest.approx(-np.log(0.7))
    assert losses.get("mse")(np.array([[1.0, 2.0]]), np.array([[2.0, 4.0]])) == pytest.approx(2.5)
    assert losses.get("binary_crossentropy")(np.array([1.0]), np.array([[0.8]])) == pytest.approx(-np.log(0.8))


def test_from_logits_loss_equals_probability_loss():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    p = activations.get("softmax")(LOGITS)
    assert loss(LABELS, LOGITS) == pytest.approx(losses.get("sparse_categorical_crossentropy")(LABELS, p))
