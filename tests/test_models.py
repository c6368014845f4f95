import tracemalloc

import numpy as np
import pytest

from nnplayground import config
from nnplayground.callbacks import Callback
from nnplayground.layers import Activation, Dense, Dropout, Flatten, Layer
from nnplayground.models import Sequential
from tests.conftest import numeric_gradient


def _blobs(n=240, seed=0):
    """Three separable clusters in 2-D, labels 0..2."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    return (centres[y] + rng.normal(scale=0.4, size=(n, 2))).astype(np.float32), y.astype(np.uint8)


def _classifier(**compile_args):
    model = Sequential([Dense(16, activation="relu", input_shape=(2,)), Dense(3, activation="softmax")])
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
                     **compile_args})
    return model


@pytest.mark.parametrize("head, loss", [
    ([Dense(3, activation="softmax")], "sparse_categorical_crossentropy"),
    ([Dense(3), Activation("softmax")], "sparse_categorical_crossentropy"),
    ([Dense(3, activation="softmax")], "categorical_crossentropy"),
    ([Dense(3, activation="sigmoid")], "binary_crossentropy"),
    ([Dense(3, activation="tanh")], "mse"),
])
def test_whole_model_gradients_match_finite_differences(float64, head, loss):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 2, 2))
    labels = rng.integers(0, 3, 7)
    y = {"sparse_categorical_crossentropy": labels, "categorical_crossentropy": np.eye(3)[labels]}.get(
        loss, rng.integers(0, 2, (7, 3)).astype(np.float64))
    model = Sequential([Flatten(input_shape=(2, 2)),
                        Dense(5, activation="tanh", kernel_regularizer="l2"),
                        Dense(4, activation="elu"), *head])
    model.compile(optimizer="sgd", loss=loss)
    value, grads = model.gradients(x, y)
    for weight, grad in zip(model.weights, grads, strict=True):
        numeric = numeric_gradient(lambda: model.evaluate(x, y, batch_size=7, verbose=0), weight)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)
    assert value == pytest.approx(model.evaluate(x, y, verbose=0))


def test_learns_separable_clusters():
    x, y = _blobs()
    model = _classifier()
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


def test_history_keys_shapes_and_float32():
    x, y = _blobs()
    model = _classifier()
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.history.values())
    assert history.epoch == [0, 1, 2]
    probabilities = model.predict(x)
    assert probabilities.shape == (240, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert all(w.dtype == np.float32 for w in model.get_weights())


class _Recorder(Layer):
    """Identity layer that remembers what each training batch held."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.batches = []

    def forward(self, x, training=False):
        if training:
            self.batches.append(x[:, 0].copy())
        return x

    def backward(self, dy):
        return dy


def test_batches_like_keras_in_order_with_last_partial_batch():
    x = np.arange(10, dtype=np.float32).reshape(10, 1).repeat(2, axis=1)
    y = np.zeros(10, dtype=np.uint8)
    recorder = _Recorder()
    model = Sequential([recorder, Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert [list(b) for b in recorder.batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    recorder.batches.clear()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=True, verbose=0)
    seen = np.concatenate(recorder.batches)
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))


def test_validation_split_takes_the_last_samples():
    x = np.arange(10, dtype=np.float32).reshape(10, 1).repeat(2, axis=1)
    recorder = _Recorder()
    model = Sequential([recorder, Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, np.zeros(10, np.uint8), batch_size=10, validation_split=0.3, shuffle=False, verbose=0)
    assert list(recorder.batches[0]) == list(range(7))


def test_callbacks_see_every_event_in_order_and_can_stop():
    x, y = _blobs(64)
    events = []

    class Spy(Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            events.append(f"batch {batch} {sorted(logs)}")
            if batch == 2:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = _classifier()
    model.fit(x, y, batch_size=8, epochs=5, callbacks=[Spy()], verbose=0)
    assert events == ["train_begin", "epoch_begin 0", "batch 0 ['accuracy', 'loss']",
                      "batch 1 ['accuracy', 'loss']", "batch 2 ['accuracy', 'loss']", "epoch_end 0", "train_end"]


def test_same_seed_same_run():
    x, y = _blobs()
    results = []
    for _ in range(2):
        config.set_random_seed(7)
        model = Sequential([Dense(8, activation="relu", input_shape=(2,)), Dropout(0.2),
                            Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_keras_weight_order_and_set_weights():
    model = Sequential([Flatten(input_shape=(2, 3)), Dense(4), Dense(2, use_bias=False)])
    model.build()
    assert [w.shape for w in model.get_weights()] == [(6, 4), (4,), (4, 2)]
    assert model.count_params() == 6 * 4 + 4 + 8
    new = [np.full(w.shape, i, np.float32) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    np.testing.assert_array_equal(model.layers[1].kernel, 0)
    np.testing.assert_array_equal(model.layers[2].kernel, 2)
    with pytest.raises(ValueError, match="shape"):
        model.set_weights([np.zeros((1, 1))] * 3)


def test_summary_lists_layers_and_totals():
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"), Dense(10)])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "dense_1 (Dense)" in text and "(None, 128)" in text and "Total params: 101,770" in text


def test_fit_on_uint8_and_float64_never_copies_the_whole_set():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20000, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 20000).astype(np.uint8)
    as_float64 = images / 255.0
    for x, limit in ((images, images.nbytes // 4), (as_float64, as_float64.nbytes // 16)):
        model = Sequential([Flatten(input_shape=(28, 28)), Dense(32, activation="relu"),
                            Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        tracemalloc.start()
        model.fit(x, labels, batch_size=128, epochs=1, validation_split=0.1, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < limit, f"{x.dtype}: peak {peak} bytes"


def test_clear_errors_for_bad_data():
    model = _classifier()
    x, y = _blobs(10)
    with pytest.raises(ValueError, match="10 samples but y has 9"):
        model.fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError, match="last layer has 3 units"):
        model.fit(x, np.full(10, 5), verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        Sequential([Dense(2, input_shape=(2,))]).fit(x, y)
