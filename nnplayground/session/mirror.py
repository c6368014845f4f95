"""The GUI thread's own copy of the network, kept current from the weights probe.

Views that run the network (the drawing panel; later a decision boundary) ask the mirror, never the
model a job is training: the job's thread writes that one between batches.
"""

import numpy as np

from nnplayground.layers import Dense, Rescaling
from nnplayground.models import Sequential


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """(n, classes) probabilities from a network's outputs: a single sigmoid unit (two classes) becomes
    the two columns (1 - p, p); softmax outputs are already that."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


class Mirror:
    def __init__(self):
        self.model: Sequential | None = None
        self.class_names: tuple[str, ...] = ()

    def set_model(self, model: Sequential | None, class_names=()) -> None:
        """Copy `model` (architecture and weights); None forgets it."""
        self.model = None
        self.class_names = tuple(class_names or ())
        if model is not None and model.built:
            copy = Sequential.from_config(model.get_config())
            copy.set_weights(model.get_weights())
            self.model = copy

    def set_weights(self, weights_result: dict) -> bool:
        """Take the weights of a WeightsProbe result; False (nothing changed) if they belong to another
        architecture."""
        if self.model is None:
            return False
        arrays = [array for layer in weights_result["layers"] for array in layer["weights"].values()]
        targets = self.model.weights
        if len(arrays) != len(targets) or any(a.shape != t.shape for a, t in zip(arrays, targets, strict=True)):
            return False
        for target, array in zip(targets, arrays, strict=True):
            target[...] = array
        return True

    @property
    def input_shape(self) -> tuple[int, ...] | None:
        return self.model.input_shape if self.model is not None else None

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict(x, batch_size=1024)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return class_probabilities(self.predict(x))

    def layer_outputs(self, x: np.ndarray) -> tuple[np.ndarray, list[tuple[Dense, np.ndarray]]]:
        """Class probabilities for a small batch, and every Dense layer's outputs on the way (copies)."""
        x = np.asarray(x, self.model.dtype)
        outputs = []
        for layer in self.model.layers:
            x = layer.forward(x, training=False)
            if isinstance(layer, Dense):
                outputs.append((layer, x.copy()))
        return class_probabilities(x), outputs

    def as_input(self, digits: np.ndarray) -> np.ndarray:
        """Preprocessed digits ((n,) 28x28 in [0, 1]) shaped and scaled for the model: models that rescale
        their inputs themselves (Rescaling(1/255) first, as the session builds them) get 0..255."""
        scale = 1.0
        for layer in self.model.layers:  # a Rescaling before the first Dense says which scale the model reads
            if isinstance(layer, Dense):
                break
            if isinstance(layer, Rescaling) and layer.scale:
                scale = 1.0 / layer.scale
        digits = np.asarray(digits, np.float32)
        return (digits * scale).reshape(-1, *self.model.input_shape).astype(self.model.dtype)

    def reads_digits(self) -> bool:
        """Whether the model takes 28x28 digits (or 784 pixels in a row)."""
        return self.model is not None and self.model.input_shape in ((28, 28), (784,))
