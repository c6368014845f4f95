import numpy as np
import pytest

from nnplayground.datasets import toy
from nnplayground.layers import Dense
from nnplayground.models import Sequential


@pytest.mark.parametrize("name", list(toy.MAKERS))
def test_layout_balance_and_reproducibility(name):
    for n_classes in toy.CLASS_CHOICES[name]:
        (x, y), (xt, yt) = toy.load(name, n_samples=300, noise=0.2, n_classes=n_classes, test_fraction=0.3, seed=4)
        assert x.dtype == np.float32 and y.dtype == np.uint8 and x.shape[1] == 2
        assert len(xt) == 90 and len(x) == 210
        counts = np.bincount(np.concatenate([y, yt]))
        assert len(counts) == n_classes and counts.max() - counts.min() <= 1
        assert np.abs(x).max() < 2
        again = toy.load(name, n_samples=300, noise=0.2, n_classes=n_classes, test_fraction=0.3, seed=4)
        np.testing.assert_array_equal(again[0][0], x)


@pytest.mark.parametrize("name", list(toy.MAKERS))
def test_clean_sets_are_learnable(name):
    (x, y), (xt, yt) = toy.load(name, n_samples=600, noise=0.0, seed=0)
    model = Sequential([Dense(64, activation="relu", input_shape=(2,)), Dense(64, activation="relu"),
                        Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.optimizer.learning_rate = 0.01
    model.fit(x, y, batch_size=16, epochs=150, verbose=0)
    assert model.evaluate(xt, yt, verbose=0)[1] > 0.9


def test_refuses_impossible_requests():
    with pytest.raises(ValueError, match="2 classes"):
        toy.make_moons(n_classes=3)
    with pytest.raises(ValueError, match="noise"):
        toy.make_circle(noise=-1)
    with pytest.raises(ValueError, match="unknown toy set"):
        toy.load("donut")
