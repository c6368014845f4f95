"""One-file models: architecture (JSON), weights, optimizer state and history in a .npz, no pickle.

Layout: ``header`` holds UTF-8 JSON (format, version, model config, compile settings, history);
``weight_<i>`` the weights in Keras order; ``optimizer_<slot>`` the optimizer's state. This module knows
the file and the rules a header must meet (`header_problem`: a model file may come from anywhere);
``models.load_model`` rebuilds the model from a `ModelFile`.
"""

import json
import math
import reprlib
from pathlib import Path

import numpy as np

from nnplayground import losses, npz, optimizers
from nnplayground.fileio import atomic_write
from nnplayground.layers import LAYER_CLASSES

FORMAT = "nnplayground.model"
VERSION = 1
FLOATS = ("float32", "float64")  # the dtypes of a model and of its weights
MAX_HEADER_BYTES = 64 << 20  # the JSON: the configuration, the settings and a history of many thousand epochs
MAX_LAYERS = 1000
MAX_SAMPLE_SIZE = 2**31 - 1  # numbers in one input sample


class ModelFileError(ValueError):
    """A model file that cannot be read: missing, truncated, corrupted or not ours."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def save_model(model, path) -> None:
    write_model_file(path, model_file_arrays(model))


def model_file_arrays(model, copy: bool = False) -> dict[str, np.ndarray]:
    """Everything a model file holds, by member name: the header (JSON as bytes), the weights and the
    optimizer's state. `copy`: arrays that share no memory with the model, so that another thread can
    write them while the model trains on (a consistent snapshot, taken between two batches)."""
    if not model.built:
        model.build()
    header = {"format": FORMAT, "version": VERSION, "config": model.get_config(),
              "history": model.history.history if model.history else {}}
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}  # get_weights copies
    if model.optimizer is not None:
        header["compile"] = {"optimizer": optimizers.serialize(model.optimizer),
                             "loss": losses.serialize(model.loss),
                             "metrics": [metric.name for metric in model.metrics]}
        arrays.update({f"optimizer_{name}": np.array(value, copy=True) if copy else value
                       for name, value in model.optimizer.get_state().items()})
    header_bytes = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return {"header": header_bytes, **arrays}


def write_model_file(path, arrays: dict[str, np.ndarray]) -> None:
    """Write model_file_arrays' output to `path`, atomically."""
    atomic_write(path, lambda file: np.savez(file, **arrays))


class ModelFile:
    """A model file opened for reading: `header` (checked against the rules), then `array(name, shape)`
    reads one array, checked before its values are read. Errors are ModelFileError, naming the file."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise ModelFileError(self.path, "no such file")
        try:
            self._npz = npz.Npz(self.path)
        except npz.NpzError as error:
            raise ModelFileError(self.path, str(error)) from None
        try:
            if "header" not in self._npz.names:
                if {"x_train", "y_train"} <= set(self._npz.names):
                    raise ModelFileError(self.path, "this .npz is a dataset (x_train, y_train, ...), not a model: "
                                                    "open it as data")
                raise ModelFileError(self.path, "this .npz holds no nnplayground model (no header); "
                                                "save models with model.save(path)")
            raw = self._npz.read("header", kinds="u", dtypes=("uint8",), max_bytes=MAX_HEADER_BYTES)
            self.header = _parse_header(self.path, raw)
        except npz.NpzError as error:
            self.close()
            raise ModelFileError(self.path, str(error)) from None
        except ModelFileError:
            self.close()
            raise

    @property
    def names(self) -> list[str]:
        return self._npz.names

    def array(self, name: str, shape: tuple[int, ...] | None = None, dtypes=FLOATS) -> np.ndarray:
        try:
            return self._npz.read(name, dtypes=dtypes, shape=shape)
        except npz.NpzError as error:
            raise ModelFileError(self.path, str(error)) from None

    def close(self) -> None:
        self._npz.close()

    def __enter__(self) -> "ModelFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_model_file(path) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the arrays of a model file; ModelFileError naming the file and what is wrong."""
    with ModelFile(path) as file:
        arrays = {name: file.array(name, dtypes=None) for name in file.names
                  if name.startswith(("weight_", "optimizer_"))}
        return file.header, arrays


def _parse_header(path, raw: np.ndarray) -> dict:
    try:
        header = json.loads(raw.tobytes().decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # ValueError: JSON, a 5,000-digit number
        raise ModelFileError(path, f"the header is damaged: {type(error).__name__}: {error}") from None
    problem = header_problem(header)
    if problem:
        raise ModelFileError(path, problem)
    return header


# ----- the rules a header meets before anything is built from it -------------------------------------

def header_problem(header) -> str | None:
    """Why a parsed header cannot describe a model this program builds, or None if it can."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return "this .npz was not written by nnplayground"
    version = header.get("version")
    if not _whole(version) or version < 1:
        return f"the header gives no valid format version ({_short(version)})"
    if version > VERSION:
        return f"written by a newer nnplayground (format {version}); update nnplayground to read it"
    config = header.get("config")
    if not isinstance(config, dict):
        return "the header holds no model configuration"
    return _config_problem(config) or _compile_problem(header.get("compile")) or \
        _history_problem(header.get("history"))


def _config_problem(config: dict) -> str | None:
    layers = config.get("layers")
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        return f"the model needs 1 to {MAX_LAYERS} layers, the file gives {_short(layers)}"
    weights_seen = False
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict) or \
                not isinstance(layer.get("class_name"), str) or layer["class_name"] not in LAYER_CLASSES:
            return f"layer {i} is not one of {', '.join(LAYER_CLASSES)}: {_short(layer)}"
        if "input_shape" in layer["config"] and layer["config"]["input_shape"] is not None:
            problem = _shape_problem(layer["config"]["input_shape"])
            if problem:
                return f"layer {i}: {problem}"
        if layer["class_name"] == "Deskew" and weights_seen:
            return f"layer {i}: Deskew preprocesses the inputs and must come before any Dense layer"
        weights_seen = weights_seen or layer["class_name"] == "Dense"
    if config.get("dtype", "float32") not in FLOATS:
        return f"the model's dtype is {_short(config.get('dtype'))}, not {' or '.join(FLOATS)}"
    if not isinstance(config.get("name", ""), str):
        return f"the model's name is {_short(config.get('name'))}, not text"
    if config.get("input_shape") is None:
        return "the header does not say what inputs the model takes (no input_shape)"
    return _shape_problem(config["input_shape"])


def _shape_problem(shape) -> str | None:
    if not isinstance(shape, list) or not 1 <= len(shape) <= 8 or \
            not all(_whole(size) and size >= 1 for size in shape):
        return f"an input shape is 1 to 8 positive whole numbers, not {_short(shape)}"
    if math.prod(shape) > MAX_SAMPLE_SIZE:
        return f"an input of shape {shape} holds more numbers than a sample can ({MAX_SAMPLE_SIZE:,})"
    return None


def _compile_problem(settings) -> str | None:
    if settings is None:
        return None
    optimizer = settings.get("optimizer") if isinstance(settings, dict) else None
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("class_name"), str) or \
            not isinstance(optimizer.get("config"), dict):
        return f"the saved optimizer settings are not in the form model.save writes: {_short(settings)}"
    if not isinstance(settings.get("loss"), str | dict):
        return f"the saved loss is {_short(settings.get('loss'))}, not a loss's name or settings"
    metrics = settings.get("metrics")
    if not isinstance(metrics, list) or not all(isinstance(name, str) for name in metrics):
        return f"the saved metrics are {_short(metrics)}, not a list of names"
    return None


def _history_problem(history) -> str | None:
    if history is None:
        return None
    if not isinstance(history, dict) or not all(
            isinstance(values, list) and all(value is None or _real(value) for value in values)
            for values in history.values()):
        return "the saved history is not lists of numbers by name"
    return None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _real(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _short(value) -> str:
    """A value for a message, cut to a readable length and depth (a hostile file's values can be megabytes)."""
    return reprlib.repr(value)
