"""One-file models: architecture (JSON), weights, optimizer state and history in a .npz, no pickle.

Layout: ``header`` holds UTF-8 JSON (format, version, model config, compile settings, history);
``weight_<i>`` the weights in Keras order; ``optimizer_<slot>`` the optimizer's state.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nnplayground import losses, optimizers
from nnplayground.callbacks import History

FORMAT = "nnplayground.model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read: missing, truncated, corrupted or not ours."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def atomic_write(path, write) -> None:
    """Call write(file) on a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_model(model, path) -> None:
    if not model.built:
        model.build()
    header = {"format": FORMAT, "version": VERSION, "config": model.get_config(),
              "history": model.history.history if model.history else {}}
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if model.optimizer is not None:
        header["compile"] = {"optimizer": optimizers.serialize(model.optimizer),
                             "loss": losses.serialize(model.loss),
                             "metrics": [metric.name for metric in model.metrics]}
        arrays.update({f"optimizer_{name}": value for name, value in model.optimizer.get_state().items()})
    header_bytes = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    atomic_write(path, lambda file: np.savez(file, header=header_bytes, **arrays))


def load_model(path):
    """Read a model file; raise ModelFileError naming the file and what is wrong with it."""
    from nnplayground.models import Sequential

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "no such file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise ModelFileError(path, f"not a readable model file (truncated or corrupted?): {error}") from None
    header = _read_header(path, arrays)
    try:
        model = Sequential.from_config(header["config"])
        count = sum(1 for key in arrays if key.startswith("weight_"))
        model.set_weights([arrays[f"weight_{i}"] for i in range(count)])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(path, f"the model inside does not fit together: {error}") from None
    if "compile" in header:
        _restore_compile(path, model, header["compile"], arrays)
    if header.get("history"):
        model.history = History()
        model.history.history = {key: list(values) for key, values in header["history"].items()}
        model.history.epoch = list(range(len(next(iter(header["history"].values()), []))))
    return model


def _read_header(path, arrays) -> dict:
    if "header" not in arrays:
        raise ModelFileError(path, "this .npz holds no nnplayground model (no header); "
                                   "save models with model.save(path)")
    try:
        header = json.loads(arrays["header"].tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(path, f"the header is damaged: {error}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(path, "this .npz was not written by nnplayground")
    if header.get("version", 0) > VERSION:
        raise ModelFileError(path, f"written by a newer nnplayground (format {header['version']}); "
                                   "update nnplayground to read it")
    return header


def _restore_compile(path, model, settings, arrays) -> None:
    try:
        model.compile(optimizer=optimizers.deserialize(settings["optimizer"]),
                      loss=losses.get(settings["loss"]), metrics=settings["metrics"])
        state = {key.removeprefix("optimizer_"): value for key, value in arrays.items()
                 if key.startswith("optimizer_")}
        if state:
            model.optimizer.set_state(state, model.trainable_flat_weights)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(path, f"the saved optimizer settings do not fit: {error}") from None
