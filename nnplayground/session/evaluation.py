"""The mistakes: how the network does on the validation data, class by class and sample by sample.

`EvaluationProbe` runs the network on a fixed subset of the validation data (at most MAX_SAMPLES, so it
stays quick) and answers with copies: loss and accuracy, the confusion matrix, accuracy per class, the
most confident mistakes, and the subset's inputs and predicted probabilities, from which a view picks
the samples of any cell (`cell_samples`).
"""

import numpy as np

from nnplayground.session.probes import Probe, ProbeContext

MAX_SAMPLES = 2000  # validation samples evaluated per answer: a few ms for the networks the playground builds
TOP_MISTAKES = 24


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes), int64: row = true class, column = predicted class."""
    y_true = np.asarray(y_true, np.int64).reshape(-1)
    y_pred = np.asarray(y_pred, np.int64).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: {y_true.size} labels against {y_pred.size} predictions")
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """The diagonal over the row sums: the share of each true class predicted right (NaN for an absent class)."""
    rows = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(rows > 0, np.diag(confusion) / np.maximum(rows, 1), np.nan)


def class_probabilities(outputs: np.ndarray, from_logits: bool = False) -> np.ndarray:
    """(n, k) probabilities from the network's outputs: a sigmoid's single column p becomes [1 - p, p];
    logits (a loss built with from_logits) go through their softmax or sigmoid first."""
    outputs = np.asarray(outputs, np.float64).reshape(len(outputs), -1)
    if outputs.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-outputs[:, 0])) if from_logits else outputs[:, 0]
        return np.stack([1.0 - p, p], axis=1)
    if from_logits:
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    return outputs


def subset_indices(n: int, limit: int = MAX_SAMPLES) -> np.ndarray:
    """At most `limit` indices into n samples, evenly spread and always the same for the same n."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def most_confident_mistakes(probabilities: np.ndarray, y_true: np.ndarray, top: int = TOP_MISTAKES) -> np.ndarray:
    """Positions of the wrong predictions, the most confident first (by the predicted, wrong class's
    probability), at most `top`."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:top]]


def cell_samples(result: dict, true_class: int, predicted_class: int) -> np.ndarray:
    """Positions in an evaluation result's subset of the samples of one confusion-matrix cell."""
    return np.flatnonzero((result["y_true"] == true_class) & (result["y_pred"] == predicted_class))


class EvaluationProbe(Probe):
    """The network on (a fixed subset of) the validation data. The answer is None when there is no data
    or the network does not fit it; else a dict:

    step, n (samples evaluated), n_validation (in the whole validation set), class_names, is_image,
    indices (n,) into the validation set, inputs (n, ...) those samples, y_true and y_pred (n,) int,
    probabilities (n, k) float32, loss (with regularization, as val_loss), accuracy, correct,
    confusion (k, k) int64 (rows true, columns predicted), per_class_accuracy (k,),
    mistakes: up to TOP_MISTAKES dicts {position, index, true, predicted, confidence, probabilities},
    the most confident first.
    """

    name = "evaluation"
    interval = 1.0

    def __init__(self, max_samples: int = MAX_SAMPLES, top: int = TOP_MISTAKES):
        self.max_samples, self.top = max_samples, top

    def __call__(self, model, context: ProbeContext) -> dict | None:
        data, validation = context.data, context.validation
        if data is None or validation is None or not len(validation[0]) or model is None:
            return None
        x_all, y_all = validation
        k = data.n_classes
        output_shape = tuple(model.layers[-1].output_shape or ()) if model.layers else ()
        if tuple(model.input_shape or ()) != tuple(x_all.shape[1:]) or output_shape not in ((k,), (1,)) \
                or (output_shape == (1,) and k != 2):
            return None
        indices = subset_indices(len(x_all), self.max_samples)
        x, y = x_all[indices], np.asarray(y_all[indices]).reshape(-1).astype(np.int64)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            outputs = model.predict(x, batch_size=len(x))
            loss = float(model.loss(y.reshape(-1, 1) if output_shape == (1,) else y, outputs) + model.penalty())
            probabilities = class_probabilities(outputs, model.loss.from_logits)
        predicted = probabilities.argmax(axis=1)
        confusion = confusion_matrix(y, predicted, k)
        correct = int(np.trace(confusion))
        mistakes = [{"position": int(i), "index": int(indices[i]), "true": int(y[i]), "predicted": int(predicted[i]),
                     "confidence": float(probabilities[i, predicted[i]]),
                     "probabilities": probabilities[i].astype(np.float32)}
                    for i in most_confident_mistakes(probabilities, y, self.top)]
        return {"step": context.step, "n": len(indices), "n_validation": len(x_all),
                "class_names": tuple(data.class_names), "is_image": x.ndim == 3,
                "indices": indices, "inputs": x, "y_true": y, "y_pred": predicted,
                "probabilities": probabilities.astype(np.float32), "loss": loss, "accuracy": correct / len(y),
                "correct": correct, "confusion": confusion, "per_class_accuracy": per_class_accuracy(confusion),
                "mistakes": mistakes}
