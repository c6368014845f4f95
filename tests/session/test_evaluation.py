"""The evaluation probe against numpy's own count: the confusion matrix, accuracy per class and the most
confident mistakes of trained networks (3-class spiral, MNIST sample, binary moons)."""

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.evaluation import (
    EvaluationProbe,
    cell_samples,
    class_probabilities,
    confusion_matrix,
    per_class_accuracy,
    subset_indices,
)


def _trained(**fields) -> Session:
    session = Session(Experiment(**fields))
    session.add_probe(EvaluationProbe())
    session.train()
    return session


@pytest.fixture(scope="module")
def spiral():
    # Noisy enough that a trained network still makes mistakes of every kind.
    return _trained(dataset="spiral", n_classes=3, noise=0.15, learning_rate=0.03, epochs=60,
                    layers=[LayerSpec(32), LayerSpec(32)])


@pytest.fixture(scope="module")
def mnist():
    return _trained(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1)


def test_confusion_matrix_counts_by_hand():
    y_true = [0, 0, 1, 2, 2, 2, 1]
    y_pred = [0, 1, 1, 2, 0, 2, 1]
    expected = [[1, 1, 0],
                [0, 2, 0],
                [1, 0, 2]]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 3), expected)
    np.testing.assert_array_equal(confusion_matrix([], [], 2), np.zeros((2, 2)))
    np.testing.assert_allclose(per_class_accuracy(np.array(expected)), [0.5, 1.0, 2 / 3])
    assert np.isnan(per_class_accuracy(np.array([[0, 0], [1, 3]]))[0])  # a class with no samples


def test_confusion_matrix_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="3 labels against 2"):
        confusion_matrix([0, 1, 1], [0, 1], 2)


def _check_against_numpy(session: Session, result: dict) -> None:
    """Every number of `result` recomputed from the model's own predictions on the validation subset."""
    x, y = session.dataset.x_test, session.dataset.y_test.astype(int)
    indices = result["indices"]
    x, y = x[indices], y[indices]
    probabilities = class_probabilities(session.model.predict(x))
    predicted = probabilities.argmax(axis=1)
    k = session.dataset.n_classes
    counts = np.array([[np.sum((y == t) & (predicted == p)) for p in range(k)] for t in range(k)])
    confusion = result["confusion"]
    np.testing.assert_array_equal(confusion, counts)
    assert confusion.dtype.kind == "i" and confusion.sum() == result["n"] == len(indices)
    correct = int(np.sum(predicted == y))
    assert np.trace(confusion) == result["correct"] == correct
    assert result["accuracy"] == pytest.approx(correct / len(y))
    np.testing.assert_allclose(result["per_class_accuracy"], np.diag(counts) / counts.sum(axis=1))
    np.testing.assert_allclose(result["probabilities"], probabilities, atol=1e-5)  # float32, other batches
    assert result["probabilities"].dtype == np.float32
    mistakes = result["mistakes"]
    wrong = np.flatnonzero(predicted != y)
    assert len(mistakes) == min(24, len(wrong)) and len(mistakes) > 0
    confidences = [m["confidence"] for m in mistakes]
    assert confidences == sorted(confidences, reverse=True)
    for mistake in mistakes:
        position = mistake["position"]
        assert mistake["true"] == y[position] != mistake["predicted"] == predicted[position]
        assert mistake["index"] == indices[position]
        assert mistake["confidence"] == pytest.approx(probabilities[position].max())
    left_out = np.setdiff1d(wrong, [m["position"] for m in mistakes])
    assert np.all(probabilities[left_out].max(axis=1) <= confidences[-1] + 1e-12)


def test_the_probe_on_a_trained_spiral_matches_numpy_and_the_epoch(spiral):
    result = spiral.probe_results["evaluation"]
    assert result["n"] == result["n_validation"] == len(spiral.dataset.x_test)  # small: all of it
    _check_against_numpy(spiral, result)
    last = spiral.run_log.epochs[-1]
    assert result["accuracy"] == pytest.approx(last["val_accuracy"])
    assert result["loss"] == pytest.approx(last["val_loss"], rel=1e-5)
    assert 0.6 < result["accuracy"] < 1.0  # it learned, and still errs
    assert result["class_names"] == ("0", "1", "2") and not result["is_image"]


def test_the_probe_on_the_mnist_sample_matches_numpy(mnist):
    result = mnist.probe_results["evaluation"]
    _check_against_numpy(mnist, result)
    assert result["is_image"] and result["inputs"].shape == (result["n"], 28, 28)
    np.testing.assert_array_equal(result["inputs"], mnist.dataset.x_test[result["indices"]])
    assert result["accuracy"] == pytest.approx(mnist.run_log.epochs[-1]["val_accuracy"])


def test_the_diagonal_sum_is_the_correct_count(mnist):
    result = mnist.probe_results["evaluation"]
    predicted = mnist.model.predict(mnist.dataset.x_test).argmax(axis=1)
    assert np.trace(result["confusion"]) == np.sum(predicted == mnist.dataset.y_test)


def test_a_large_validation_set_is_read_through_a_fixed_evenly_spread_subset(mnist):
    probe = EvaluationProbe(max_samples=300)
    context = mnist._idle_context()
    first, second = probe(mnist.model, context), probe(mnist.model, context)
    assert first["n"] == 300 and first["n_validation"] == 1000
    np.testing.assert_array_equal(first["indices"], second["indices"])
    assert first["indices"][0] == 0 and first["indices"][-1] == 999 and np.all(np.diff(first["indices"]) >= 3)
    _check_against_numpy(mnist, first)
    np.testing.assert_array_equal(subset_indices(5, 10), np.arange(5))


def test_sigmoid_outputs_read_as_two_class_probabilities():
    session = _trained(dataset="moons", noise=0.3, learning_rate=0.03, epochs=10)
    assert session.model.layers[-1].output_shape == (1,)
    result = session.probe_results["evaluation"]
    p = session.model.predict(session.dataset.x_test)[:, 0]
    np.testing.assert_allclose(result["probabilities"], np.stack([1 - p, p], axis=1), atol=1e-6)
    assert result["confusion"].shape == (2, 2)
    _check_against_numpy(session, result)
    assert result["accuracy"] == pytest.approx(session.run_log.epochs[-1]["val_accuracy"])
    assert result["loss"] == pytest.approx(session.run_log.epochs[-1]["val_loss"], rel=1e-5)


def test_a_cell_holds_exactly_its_samples(spiral):
    result = spiral.probe_results["evaluation"]
    positions = cell_samples(result, 1, 2)
    assert len(positions) == result["confusion"][1, 2]
    assert np.all(result["y_true"][positions] == 1) and np.all(result["y_pred"][positions] == 2)


def test_the_answer_shares_no_memory_with_the_model_or_the_data(spiral):
    result = spiral.probe_results["evaluation"]
    for array in (result["inputs"], result["probabilities"], result["y_true"]):
        assert not np.shares_memory(array, spiral.dataset.x_test)
        assert not np.shares_memory(array, spiral.model.flat_weights)
        assert not any(np.shares_memory(array, layer.z) for layer in spiral.model.layers if hasattr(layer, "z"))


def test_no_data_or_a_network_for_other_data_gives_no_answer(spiral, mnist):
    probe = EvaluationProbe()
    assert probe(spiral.model, Session()._idle_context()) is None
    assert probe(spiral.model, mnist._idle_context()) is None  # reads points, not 28x28 images
