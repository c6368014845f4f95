"""The estimate of a network's memory and time, made before building it."""

import tracemalloc

import numpy as np
import pytest

from nnplayground import memory
from nnplayground.session.experiment import Experiment, LayerSpec

CASES = [([128, 64], 32, "adam", (28, 28), 0.0), ([512, 256], 256, "sgd", (28, 28), 0.2),
         ([64], 500, "rmsprop", (2,), 0.0), ([256, 256], 64, "momentum", (10,), 0.5)]


@pytest.mark.parametrize("units, batch, optimizer, shape, dropout", CASES)
def test_the_estimate_counts_the_weights_and_bounds_the_memory_training_takes(units, batch, optimizer, shape,
                                                                            dropout):
    rng = np.random.default_rng(0)
    e = Experiment(layers=[LayerSpec(u, dropout=dropout) for u in units], batch_size=batch, optimizer=optimizer,
                   l2=0.001)
    n = 1500
    x = rng.integers(0, 255, (n, *shape), dtype=np.uint8) if len(shape) == 2 else rng.random((n, *shape))
    y = rng.integers(0, 10, n).astype(np.uint8)
    budget = e.estimate(shape, 10, n)
    tracemalloc.start()
    try:
        model = e.build_model(shape, 10)
        model.get_weights()  # the starting weights a session keeps
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, validation_data=(x[:500], y[:500]))
        model.predict(x[:1024], batch_size=1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert budget.parameters == model.count_params()
    assert 0.4 * budget.total_bytes < peak < 1.1 * budget.total_bytes + (1 << 20)  # + what any run allocates


def test_more_than_the_available_memory_is_a_problem_with_the_numbers(monkeypatch):
    e = Experiment(layers=[LayerSpec(4096)] * 12, batch_size=65536)
    monkeypatch.setattr(memory, "available_bytes", lambda: 8 * 10**9)
    budget = e.estimate((28, 28), 10, 60000)
    assert budget.parameters == 187_850_762
    assert budget.problem().startswith("this network needs about ") and "8.0 GB available" in budget.problem()
    assert "min per epoch" in budget.in_words() and budget.warning()
    small = Experiment(layers=[LayerSpec(32)]).estimate((28, 28), 10, 4000)
    assert small.problem() is None and small.warning() is None


def test_unknown_available_memory_is_no_problem(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    assert Experiment(layers=[LayerSpec(4096)] * 12, batch_size=65536).estimate((28, 28), 10, 60000).problem() is None
