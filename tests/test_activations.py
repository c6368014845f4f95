import numpy as np
import pytest

from nnplayground import activations
from tests.conftest import numeric_gradient


@pytest.mark.parametrize("name", activations.NAMES)
def test_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5)) * 2
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kinks of relu and friends
    upstream = rng.normal(size=z.shape)
    act = activations.get(name)
    numeric = numeric_gradient(lambda: float((act(z) * upstream).sum()), z)
    np.testing.assert_allclose(act.gradient(z, upstream), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, z, expected", [
    ("relu", [-2.0, 0.0, 3.0], [0.0, 0.0, 3.0]),
    ("leaky_relu", [-2.0, 3.0], [-0.4, 3.0]),
    ("elu", [-1.0, 2.0], [np.expm1(-1.0), 2.0]),
    ("sigmoid", [0.0, 2.0], [0.5, 1 / (1 + np.exp(-2.0))]),
    ("tanh", [0.5], [np.tanh(0.5)]),
    ("softplus", [0.0, 30.0], [np.log(2.0), 30.0]),
    ("gelu", [1.0, -1.0], [0.8413447460685429, -0.15865525393145707]),
    ("linear", [-1.5], [-1.5]),
])
def test_known_values(name, z, expected):
    np.testing.assert_allclose(activations.get(name)(np.array([z])), [expected], rtol=1e-6, atol=1e-7)


def test_softmax_rows_sum_to_one_and_survive_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    p = activations.get("softmax")(z)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])


def test_sigmoid_and_softplus_do_not_overflow():
    z = np.array([[-1000.0, 1000.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(activations.get("sigmoid")(z), [[0.0, 1.0]])
        np.testing.assert_allclose(activations.get("softplus")(z), [[0.0, 1000.0]])


def test_unknown_name_says_what_exists():
    with pytest.raises(ValueError, match="relu"):
        activations.get("rleu")


def test_row_reduce_matches_numpy_along_rows():
    from nnplayground.activations import row_reduce

    z = np.random.default_rng(0).standard_normal((37, 10)).astype(np.float32)
    out = np.empty((37, 2), np.float32)[:, :1]  # a column of a wider buffer, as the loss uses
    np.testing.assert_array_equal(row_reduce(np.maximum, z, out), z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(row_reduce(np.add, z[:, ::2], out), z[:, ::2].sum(axis=1, keepdims=True), rtol=1e-6)
