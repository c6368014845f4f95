"""Damaged, foreign and hostile model files: each raises ModelFileError naming the file and the problem,
before anything large is allocated."""

import io
import json
import os
import struct
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnplayground.layers import Dense, Flatten
from nnplayground.models import Sequential, load_model
from nnplayground.saving import ModelFileError, read_model_file


def _model():
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.train_on_batch(np.zeros((2, 4, 4)), np.zeros(2))
    return model


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _good_members() -> dict[str, bytes]:
    """The members of a valid model file, by name."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.npz"
        _model().save(path)
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}


def _npy_declaring(shape, values: bytes, descr="<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + values


def _header(members) -> dict:
    return json.loads(np.lib.format.read_array(io.BytesIO(members["header.npy"])).tobytes())


def _with_header(members, header) -> dict:
    text = header if isinstance(header, str) else json.dumps(header)
    return {**members, "header.npy": _npy(np.frombuffer(text.encode(), np.uint8))}


def _zip(path, members, method=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _patch_central_directory(data: bytes, offset: int, fmt: str, value) -> bytes:
    """Change a field of every central-directory entry (offset from the entry's signature)."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        struct.pack_into(fmt, out, start + offset, value)
        start += 4
    return bytes(out)


def _config_change(change):
    def make(members):
        header = _header(members)
        change(header)
        return _with_header(members, header)
    return make


def _layer(index):
    return lambda header: header["config"]["layers"][index]["config"]


CASES = {
    "unknown compression method": lambda m: ("bytes", _patch_central_directory(_zip_bytes(m), 10, "<H", 99)),
    "encrypted flag": lambda m: ("bytes", _patch_central_directory(_zip_bytes(m), 8, "<H", 1)),
    "member without npy magic": lambda m: {**m, "header.npy": b"this is not an npy member at all"},
    "header json of wrong types": lambda m: _with_header(m, {"format": "nnplayground.model", "version": "1"}),
    "layers not a list": _config_change(lambda h: h["config"].__setitem__("layers", {"a": 1})),
    "deep nesting": lambda m: _with_header(m, "[" * 100_000 + "]" * 100_000),
    "5000-digit integer": lambda m: _with_header(m, '{"format": "nnplayground.model", "version": ' + "9" * 5000 + "}"),
    "units Infinity": lambda m: _with_header(m, json.dumps(_header(m)).replace('"units": 8', '"units": Infinity')),
    "huge units": _config_change(lambda h: _layer(1)(h).__setitem__("units", 30_000_000_000)),
    "units as text": _config_change(lambda h: _layer(1)(h).__setitem__("units", "8")),
    "no input shape": _config_change(lambda h: h["config"].pop("input_shape")),
    "zero input size": _config_change(lambda h: h["config"].__setitem__("input_shape", [4, 0])),
    "dtype object": _config_change(lambda h: h["config"].__setitem__("dtype", "object")),
    "dtype int8": _config_change(lambda h: h["config"].__setitem__("dtype", "int8")),
    "dtype complex": _config_change(lambda h: h["config"].__setitem__("dtype", "complex64")),
    "dtype datetime": _config_change(lambda h: h["config"].__setitem__("dtype", "datetime64[s]")),
    "dtype bool": _config_change(lambda h: h["config"].__setitem__("dtype", "bool")),
    "dtype string": _config_change(lambda h: h["config"].__setitem__("dtype", "<U5")),
    "history of text": _config_change(lambda h: h.__setitem__("history", {"loss": ["low"]})),
    "version newer": _config_change(lambda h: h.__setitem__("version", 99)),
    "unknown layer": _config_change(lambda h: h["config"]["layers"][1].__setitem__("class_name", "Conv2D")),
    "activation parameter as text": _config_change(
        lambda h: _layer(1)(h).__setitem__("activation",
                                            {"class_name": "leaky_relu", "config": {"negative_slope": "x"}})),
    "optimizer momentum as text": _config_change(
        lambda h: h["compile"]["optimizer"].update(class_name="sgd", config={
            "name": "sgd", "learning_rate": 0.1, "momentum": "0.9", "nesterov": False})),
    "deskew after a dense layer": _config_change(
        lambda h: h["config"]["layers"].insert(2, {"class_name": "Deskew", "config": {"name": "deskew"}})),
    "deskew on flat inputs": _config_change(
        lambda h: h["config"]["layers"].insert(1, {"class_name": "Deskew", "config": {"name": "deskew"}})),
    "optimizer unknown": _config_change(lambda h: h["compile"]["optimizer"].__setitem__("class_name", "lion")),
    "loss unhashable": _config_change(lambda h: h["compile"].__setitem__("loss", ["mse"])),
    "weights of ints": lambda m: {**m, "weight_0.npy": _npy(np.zeros((16, 8), np.int64))},
    "weights of objects": lambda m: {**m, "weight_0.npy": _npy(np.zeros((16, 8), np.float32)).replace(
        b"'<f4'", b"'|O' ")},
    "weights of the wrong shape": lambda m: {**m, "weight_0.npy": _npy(np.zeros((8, 16), np.float32))},
    "a weight missing": lambda m: {k: v for k, v in m.items() if k != "weight_1.npy"},
    "huge declared shape": lambda m: {**m, "weight_0.npy": _npy_declaring((10**12, 8), bytes(512))},
    "negative declared shape": lambda m: {**m, "weight_0.npy": _npy_declaring((-16, 8), bytes(512))},
    "negative step count": lambda m: {**m, "optimizer_iterations.npy": _npy(np.array(-5, np.int64))},
    "slot of the wrong size": lambda m: {**m, "optimizer_momentum.npy": _npy(np.zeros(3, np.float32))},
}


def _zip_bytes(members) -> bytes:
    buffer = io.BytesIO()
    _zip(buffer, members)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", CASES, ids=list(CASES))
def test_damaged_model_files_raise_model_file_error_naming_the_file(tmp_path, damage):
    made = CASES[damage](_good_members())
    path = tmp_path / "bad.npz"
    if isinstance(made, tuple):
        path.write_bytes(made[1])
    else:
        _zip(path, made)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert "bad.npz" in str(info.value) and info.value.problem


def test_corrupt_deflate_stream(tmp_path):
    path = _zip(tmp_path / "bad.npz", _good_members(), zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    middle = data.find(b"weight_0.npy") + 60
    data[middle: middle + 40] = bytes(range(40))
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="bad.npz"):
        load_model(path)


def test_plain_npy_and_a_folder_and_a_pipe(tmp_path):
    np.save(tmp_path / "plain.npy", np.zeros(3))
    (tmp_path / "folder.npz").mkdir()
    os.mkfifo(tmp_path / "pipe.npz")
    for name in ("plain.npy", "folder.npz", "pipe.npz"):
        with pytest.raises(ModelFileError, match=name):
            load_model(tmp_path / name)


def test_a_zip_bomb_in_an_unused_member_costs_nothing(tmp_path):
    members = {**_good_members(), "junk.npy": _npy(np.zeros(200 << 20, np.uint8))}
    path = _zip(tmp_path / "m.npz", members, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20


def test_a_declared_size_beyond_memory_is_refused_before_reading(tmp_path, monkeypatch):
    from nnplayground import memory

    path = tmp_path / "m.npz"
    _model().save(path)
    monkeypatch.setattr(memory, "available_bytes", lambda: 100)
    with pytest.raises(ModelFileError, match="more than the 100 bytes of memory available"):
        load_model(path)


def test_model_with_a_high_learning_rate_opens_with_it(tmp_path):
    model = _model()
    model.optimizer.learning_rate = 1e6
    model.save(tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz").optimizer.learning_rate == 1e6


def test_read_model_file_checks_too(tmp_path):
    members = {**_good_members(), "weight_0.npy": _npy(np.zeros((16, 8), np.complex64))}
    with pytest.raises(ModelFileError, match="complex64"):
        read_model_file(_zip(tmp_path / "m.npz", members))
    header, arrays = read_model_file(_zip(tmp_path / "good.npz", _good_members()))
    assert header["format"] == "nnplayground.model" and arrays["weight_0"].shape == (16, 8)
