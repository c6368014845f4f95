import numpy as np

from nnplayground import metrics


def test_accuracies_are_the_mean_of_the_hits_to_the_bit():
    rng = np.random.default_rng(0)
    p = rng.random((37, 10), dtype=np.float32)
    labels = rng.integers(0, 10, 37)
    onehot = np.eye(10, dtype=np.float32)[labels]
    binary, targets = rng.random((37, 1), dtype=np.float32), rng.integers(0, 2, 37)
    assert metrics.SparseCategoricalAccuracy("accuracy")(labels, p) == float(np.mean(p.argmax(1) == labels))
    assert metrics.CategoricalAccuracy("accuracy")(onehot, p) == float(np.mean(p.argmax(1) == labels))
    assert metrics.BinaryAccuracy("accuracy")(targets, binary) == float(np.mean((binary[:, 0] > 0.5) == targets))


def test_fit_logs_are_plain_python_floats_as_keras_gives_them():
    from nnplayground.layers import Dense
    from nnplayground.models import Sequential

    rng = np.random.default_rng(0)
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(rng.random((20, 4)), rng.integers(0, 3, 20), epochs=1, verbose=0,
                        validation_data=(rng.random((6, 4)), rng.integers(0, 3, 6)))
    assert {key: type(values[0]) for key, values in history.history.items()} == {
        "loss": float, "accuracy": float, "val_loss": float, "val_accuracy": float}
