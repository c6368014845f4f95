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
