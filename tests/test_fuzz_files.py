"""Random and mutated bytes at every file reader: only the project's own error types may come out.

Each valid file is written by the code itself, then damaged three ways: random bytes; byte flips,
truncations, insertions, deletions and overwritten sizes in the raw file (biased towards the zip and
.npy headers, where most of the structure is); and the same damage to one member re-zipped with a
correct CRC, so that it reaches the .npy and JSON parsers instead of stopping at the checksum. The
model header also gets structured damage: any JSON value at any of its keys.

NNPLAYGROUND_FUZZ_EXAMPLES sets the examples per test (default 60; run with 2000 by hand and
--hypothesis-show-statistics to see the counts).
"""

import collections
import gzip
import io
import json
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnplayground.datasets import DatasetError, catalog
from nnplayground.datasets.idx import read_idx
from nnplayground.datasets.personal import PersonalDigits, PersonalDigitsError
from nnplayground.layers import Dense, Dropout, Flatten
from nnplayground.models import Sequential, load_model
from nnplayground.saving import ModelFileError
from tests.fuzzing import FUZZ, damaged

# ----- valid files, written by the code ----------------------------------------------------------------

def _model_bytes(folder, compressed: bool) -> bytes:
    model = Sequential([Flatten(input_shape=(3, 3)), Dense(4, activation="relu", kernel_regularizer="l2"),
                        Dropout(0.1), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.zeros((8, 3, 3)), np.arange(8) % 3, epochs=1, verbose=0)
    model.save(folder / "model.npz")
    data = (folder / "model.npz").read_bytes()
    return _rezip(_members(data), zipfile.ZIP_DEFLATED) if compressed else data


def _dataset_bytes(compressed: bool) -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(
        buffer, x_train=rng.integers(0, 256, (12, 4, 4), dtype=np.uint8), y_train=np.arange(12, dtype=np.uint8) % 3,
        x_test=rng.random((4, 4, 4)), y_test=np.arange(4, dtype=np.int64) % 3)
    return buffer.getvalue()


def _personal_bytes(folder) -> bytes:
    digits = PersonalDigits(folder / "digits.npz")
    for label in range(3):
        digits.add(np.full((28, 28), label / 3), label)
    return digits.path.read_bytes()


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    return struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.astype(array.dtype.newbyteorder(">")).tobytes()


IDX_FILES = {"uint8 images": _idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), 0x08),
             "int32 labels": _idx_bytes(np.arange(5, dtype=np.int32), 0x0C),
             "float64 values": _idx_bytes(np.linspace(0, 1, 6).reshape(3, 2), 0x0E)}


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _rezip(members: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ----- damage -----------------------------------------------------------------------------------------

@st.composite
def damaged_member(draw, original: bytes) -> bytes:
    """One member of the zip `original` damaged, the archive rebuilt with correct checksums."""
    members = _members(original)
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(damaged(members[name]))
    return _rezip(members, draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))


def any_damage(original: bytes, zipped: bool = True):
    kinds = [st.binary(max_size=2048), damaged(original)]
    return st.one_of(*kinds, damaged_member(original)) if zipped else st.one_of(*kinds)


JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)


def _paths(value, prefix=()):
    """Every key path in a JSON value."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        yield (*prefix, key)
        yield from _paths(item, (*prefix, key))


@st.composite
def damaged_header(draw, original: bytes) -> bytes:
    """The model file with one value of its JSON header replaced by any JSON value."""
    members = _members(original)
    header = json.loads(np.lib.format.read_array(io.BytesIO(members["header.npy"])).tobytes())
    path = draw(st.sampled_from(sorted(_paths(header), key=str)))
    parent = header
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = draw(JSON)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.frombuffer(json.dumps(header).encode(), np.uint8))
    members["header.npy"] = buffer.getvalue()
    return _rezip(members)


# ----- the properties ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def originals(folder):
    return {"model": _model_bytes(folder, False), "compressed model": _model_bytes(folder, True),
            "dataset": _dataset_bytes(False), "compressed dataset": _dataset_bytes(True),
            "personal": _personal_bytes(folder)}


TRIED: collections.Counter = collections.Counter()  # inputs per reader and outcome, printed at the end (-s)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzz inputs tried:", ", ".join(f"{key}: {count}" for key, count in sorted(TRIED.items())))


def _only(errors, action, reader: str):
    """Run action(); anything raised must be one of `errors`. Counts the input under `reader`."""
    try:
        action()
        TRIED[f"{reader} (read)"] += 1
    except errors:
        TRIED[f"{reader} (refused)"] += 1


@pytest.mark.parametrize("kind", ["model", "compressed model"])
def test_load_model_raises_only_model_file_error(folder, originals, kind):
    @FUZZ
    @given(data=any_damage(originals[kind]))
    def check(data):
        (folder / "bad.npz").write_bytes(data)
        _only(ModelFileError, lambda: load_model(folder / "bad.npz"), f"load_model, {kind}")

    check()


def test_load_model_with_any_json_at_any_header_key(folder, originals):
    @FUZZ
    @given(data=damaged_header(originals["model"]))
    def check(data):
        (folder / "bad.npz").write_bytes(data)
        _only(ModelFileError, lambda: load_model(folder / "bad.npz"), "load_model, JSON header")

    check()


@pytest.mark.parametrize("kind", ["dataset", "compressed dataset"])
def test_dataset_npz_raises_only_dataset_error(folder, originals, kind):
    @FUZZ
    @given(data=any_damage(originals[kind]))
    def check(data):
        (folder / "bad.npz").write_bytes(data)
        _only(DatasetError, lambda: catalog.load("file", path=folder / "bad.npz"), f"catalog.load, {kind}")

    check()


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("name", IDX_FILES)
def test_idx_raises_only_dataset_error(folder, name, gz):
    @FUZZ
    @given(data=any_damage(IDX_FILES[name], zipped=False))
    def check(data):
        path = folder / ("bad-idx-ubyte.gz" if gz else "bad-idx-ubyte")
        path.write_bytes(gzip.compress(data) if gz else data)
        _only(DatasetError, lambda: read_idx(path), f"read_idx, {name}, {'gz' if gz else 'raw'}")

    check()


def test_gzip_damage_itself_raises_only_dataset_error(folder):
    @FUZZ
    @given(data=damaged(gzip.compress(IDX_FILES["uint8 images"])))
    def check(data):
        (folder / "bad-idx-ubyte.gz").write_bytes(data)
        _only(DatasetError, lambda: read_idx(folder / "bad-idx-ubyte.gz"), "read_idx, damaged gzip")

    check()


def test_personal_digits_raise_only_their_error_and_keep_the_file(folder, originals):
    @FUZZ
    @given(data=any_damage(originals["personal"]))
    def check(data):
        path = folder / "personal.npz"
        path.write_bytes(data)
        _only(PersonalDigitsError, lambda: PersonalDigits(path), "PersonalDigits")
        assert path.read_bytes() == data

    check()
