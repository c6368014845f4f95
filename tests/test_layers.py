import numpy as np
import pytest

from nnplayground import activations
from nnplayground.layers import Activation, Dense, Dropout, Flatten, Rescaling
from tests.conftest import numeric_gradient


def _built(layer, input_shape, seed=0):
    layer.build(input_shape, np.float64, np.random.default_rng(seed))
    return layer


@pytest.mark.parametrize("activation", activations.NAMES)
@pytest.mark.parametrize("regularizer", [None, "l1_l2"])
def test_dense_gradients_match_finite_differences(activation, regularizer):
    rng = np.random.default_rng(1)
    layer = _built(Dense(3, activation=activation, kernel_regularizer=regularizer), (4,))
    layer.bias[...] = rng.normal(size=3)
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 3))

    def objective():
        return float((layer.forward(x) * upstream).sum()) + layer.penalty()

    expected = {name: numeric_gradient(objective, getattr(layer, name)) for name in ("kernel", "bias")}
    expected_x = numeric_gradient(objective, x)
    layer.forward(x)
    dx = layer.backward(upstream.copy())
    np.testing.assert_allclose(layer.grads["kernel"], expected["kernel"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.grads["bias"], expected["bias"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, expected_x, rtol=1e-5, atol=1e-6)


def test_dense_shapes_and_keras_weight_order():
    layer = _built(Dense(7, use_bias=True), (3,))
    assert [w.shape for w in layer.weights] == [(3, 7), (7,)]
    assert layer.forward(np.ones((2, 3))).shape == (2, 7)
    assert layer.count_params() == 3 * 7 + 7


def test_dense_refuses_unflattened_inputs_with_a_hint():
    with pytest.raises(ValueError, match="Flatten"):
        _built(Dense(4), (28, 28))


@pytest.mark.parametrize("name, gain", [("glorot_uniform", 1.0), ("he_normal", 2.0), ("lecun_uniform", 1.0)])
def test_initializer_variance(name, gain):
    layer = Dense(400, kernel_initializer=name)
    _built(layer, (600,))
    fan = (600 + 400) / 2 if name.startswith("glorot") else 600
    assert layer.kernel.var() == pytest.approx(gain / fan, rel=0.05)


def test_flatten_is_a_view_and_restores_shape():
    x = np.arange(24.0).reshape(2, 3, 4)
    layer = _built(Flatten(), (3, 4))
    y = layer.forward(x)
    assert y.shape == (2, 12) and np.shares_memory(x, y)
    assert layer.backward(np.ones((2, 12))).shape == (2, 3, 4)


def test_dropout_scales_kept_units_and_is_identity_at_inference():
    layer = _built(Dropout(0.25), (10000,))
    x = np.ones((4, 10000))
    y = layer.forward(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(y[kept], 1 / 0.75)
    np.testing.assert_array_equal(layer.backward(np.full_like(x, 2.0)), 2.0 * y)
    assert layer.forward(x, training=False) is x


def test_activation_layer_gradient():
    rng = np.random.default_rng(3)
    layer = _built(Activation("tanh"), (6,))
    x, upstream = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    numeric = numeric_gradient(lambda: float((layer.forward(x) * upstream).sum()), x)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(upstream), numeric, rtol=1e-6)


def test_rescaling_turns_uint8_into_floats():
    layer = Rescaling(1 / 255)
    layer.build((2,), np.float32, np.random.default_rng())
    y = layer.forward(np.array([[0, 255]], dtype=np.uint8))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [[0.0, 1.0]])


def test_deskew_straightens_and_keeps_the_ink():
    from nnplayground.layers import Deskew

    image = np.zeros((1, 28, 28), np.float32)
    for row in range(4, 24):  # a stroke leaning right: a slanted one
        column = 10 + (row - 4) // 2
        image[0, row, column: column + 3] = 1.0
    layer = _built(Deskew(), (28, 28))
    upright = layer.forward(image)

    def slant(im):
        rows, columns = np.mgrid[0:28, 0:28]
        mass = im.sum()
        cy, cx = (im * rows).sum() / mass, (im * columns).sum() / mass
        return ((rows - cy) * (columns - cx) * im).sum() / ((rows - cy) ** 2 * im).sum()

    assert abs(slant(image[0])) > 0.3 and abs(slant(upright[0])) < 0.02
    assert upright.sum() == pytest.approx(image.sum(), rel=1e-4)
    assert upright.shape == image.shape


def test_deskew_travels_inside_the_model_file(tmp_path):
    from nnplayground.layers import Deskew, Rescaling
    from nnplayground.models import Sequential, load_model

    model = Sequential([Deskew(input_shape=(28, 28)), Rescaling(1 / 255), Flatten(), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "m.npz")
    x = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    np.testing.assert_allclose(load_model(tmp_path / "m.npz").predict(x), model.predict(x), rtol=1e-6)
