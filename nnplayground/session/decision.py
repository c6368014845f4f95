"""The decision over the plane: what a network trained on 2-D points says at every place of it.

`DecisionProbe` runs the live network on a grid covering the data (100 x 100 by default) and returns the
predicted class and its probability at every grid point, and the output of every hidden neuron of the
small layers there: the pictures TensorFlow Playground is known for. Row r of every grid is the r-th y
value from the bottom, column c the c-th x value from the left.
"""

import numpy as np

from nnplayground.session.probes import Probe

RESOLUTION = 100
NEURON_LIMIT = 16  # layers up to this many units get a picture per neuron
MARGIN = 0.1  # of the data's extent, added on each side


def plane_extent(data, margin: float = MARGIN) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around the training and test points, square-ish and never empty."""
    points = np.concatenate([data.x_train.reshape(-1, 2), data.x_test.reshape(-1, 2)]).astype(np.float64)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return -1.0, 1.0, -1.0, 1.0
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    low, high = low - margin * span, high + margin * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def grid_points(extent, resolution: int = RESOLUTION) -> np.ndarray:
    """(resolution**2, 2) points at the centres of a resolution x resolution grid, row by row from the
    bottom (y) and, within a row, from the left (x)."""
    x_min, x_max, y_min, y_max = extent
    xs = x_min + (np.arange(resolution) + 0.5) * (x_max - x_min) / resolution
    ys = y_min + (np.arange(resolution) + 0.5) * (y_max - y_min) / resolution
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def is_plane(data, model) -> bool:
    """Data of 2-D points and a network that takes them."""
    return (data is not None and tuple(data.x_train.shape[1:]) == (2,) and model is not None
            and getattr(model, "built", False) and tuple(model.input_shape or ()) == (2,))


def classes_and_confidence(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted class, its probability, and every class's probability, for softmax(k) or sigmoid(1)
    outputs (one column: the probability of class 1)."""
    outputs = np.asarray(outputs, np.float32)
    if outputs.shape[1] == 1:
        p = np.clip(outputs[:, 0], 0.0, 1.0)
        probabilities = np.column_stack([1.0 - p, p])
    else:
        probabilities = outputs
    classes = np.argmax(probabilities, axis=1)
    return classes, probabilities[np.arange(len(classes)), classes], probabilities


class DecisionProbe(Probe):
    """The network's decision over the plane of a 2-D dataset; None for any other data.

    `selected` (a layer index, a unit) asks for one neuron of a layer too big for a picture per neuron.
    """

    name = "decision"
    interval = 0.1  # ten pictures a second: a 100 x 100 grid through a small network takes about a millisecond

    def __init__(self, resolution: int = RESOLUTION, neuron_limit: int = NEURON_LIMIT):
        self.resolution, self.neuron_limit = resolution, neuron_limit
        self.selected: tuple[int, int] | None = None
        self._grid: tuple[tuple, np.ndarray] | None = None  # the last extent and its points, reused

    def points(self, extent, dtype) -> np.ndarray:
        if self._grid is None or self._grid[0] != extent or self._grid[1].dtype != dtype:
            self._grid = extent, grid_points(extent, self.resolution).astype(dtype)
        return self._grid[1]

    def __call__(self, model, context) -> dict | None:
        data = context.data
        if not is_plane(data, model):
            return None
        n = self.resolution
        extent = plane_extent(data)
        x = self.points(extent, model.dtype)
        neurons: dict[int, np.ndarray] = {}
        dense = [i for i, layer in enumerate(model.layers) if getattr(layer, "units", None)]
        hidden = dense[:-1]
        for index, layer in enumerate(model.layers):
            x = layer.forward(x, False)  # the layers' buffers: copies are taken below
            if index in hidden:
                wanted = layer.units <= self.neuron_limit
                if wanted:
                    neurons[index] = x.reshape(n, n, layer.units).astype(np.float32)
                elif self.selected is not None and self.selected[0] == index and self.selected[1] < layer.units:
                    neurons[index] = np.full((n, n, layer.units), np.nan, np.float32)
                    neurons[index][:, :, self.selected[1]] = x[:, self.selected[1]].reshape(n, n)
        classes, confidence, probabilities = classes_and_confidence(x)
        return {"step": context.step, "extent": extent, "resolution": n,
                "n_classes": probabilities.shape[1],
                "classes": classes.reshape(n, n).astype(np.int16),
                "confidence": confidence.reshape(n, n).astype(np.float32),
                "probabilities": probabilities.reshape(n, n, -1).astype(np.float32),
                "neurons": neurons,
                "layer_names": {index: model.layers[index].name for index in hidden}}
