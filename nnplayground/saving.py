"""One-file models: architecture (JSON), weights, optimizer state and history in a .npz, no pickle.

Layout: ``header`` holds UTF-8 JSON (format, version, model config, compile settings, history);
``weight_<i>`` the weights in Keras order; ``optimizer_<slot>`` the optimizer's state. This module knows
the file; ``models.load_model`` rebuilds the model from what ``read_model_file`` returns.
"""

import json
import zipfile
from pathlib import Path

import numpy as np

from nnplayground import losses, optimizers
from nnplayground.fileio import atomic_write

FORMAT = "nnplayground.model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read: missing, truncated, corrupted or not ours."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


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


def read_model_file(path) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the arrays of a model file; ModelFileError naming the file and what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(path, "no such file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise ModelFileError(path, f"not a readable model file (truncated or corrupted?): {error}") from None
    return _read_header(path, arrays), arrays


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
