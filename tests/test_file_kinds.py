"""Files of a newer format or of the wrong kind are refused with a message that says so, and left as
they are: models, data files and your own digits."""

import json

import numpy as np
import pytest

from nnplayground.datasets import DatasetError, mnist
from nnplayground.datasets.personal import PersonalDigits, PersonalDigitsError
from nnplayground.layers import Dense
from nnplayground.models import Sequential, load_model
from nnplayground.saving import ModelFileError


@pytest.fixture
def model_file(tmp_path):
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    path = tmp_path / "model.npz"
    model.save(path)
    return path


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.npz"
    x = np.zeros((6, 4), np.float32)
    np.savez(path, x_train=x, y_train=np.arange(6) % 2, x_test=x, y_test=np.arange(6) % 2)
    return path


def test_a_model_from_a_newer_version_is_refused(model_file, tmp_path):
    with np.load(model_file) as archive:
        arrays = dict(archive)
    header = json.loads(arrays["header"].tobytes())
    arrays["header"] = np.frombuffer(json.dumps({**header, "version": 7}).encode(), np.uint8)
    newer = tmp_path / "newer.npz"
    np.savez(newer, **arrays)
    with pytest.raises(ModelFileError, match="newer nnplayground"):
        load_model(newer)


def test_a_data_file_opened_as_a_model_says_it_is_data(data_file):
    with pytest.raises(ModelFileError, match="is a dataset .* not a model"):
        load_model(data_file)


def test_a_model_opened_as_data_says_it_is_a_model(model_file):
    with pytest.raises(DatasetError, match="model file, not data"):
        mnist.read(model_file)


def test_your_digits_opened_as_data_say_what_they_are(tmp_path):
    digits = PersonalDigits(tmp_path / "mine.npz")
    digits.add(np.zeros((28, 28)), 3)
    with pytest.raises(DatasetError, match="your own digits"):
        mnist.read(digits.path)


def test_your_digits_carry_a_format_version_and_a_newer_one_is_refused_untouched(tmp_path):
    digits = PersonalDigits(tmp_path / "mine.npz")
    digits.add(np.zeros((28, 28)), 3)
    assert len(PersonalDigits(digits.path)) == 1
    np.savez(digits.path, x=digits.x, y=digits.y, version=np.int64(2))
    before = digits.path.read_bytes()
    with pytest.raises(PersonalDigitsError, match="newer nnplayground"):
        PersonalDigits(digits.path)
    assert digits.path.read_bytes() == before


def test_a_model_file_as_your_digits_is_refused_untouched(model_file):
    before = model_file.read_bytes()
    with pytest.raises(PersonalDigitsError, match="model file, not your digits"):
        PersonalDigits(model_file)
    assert model_file.read_bytes() == before


def test_digits_saved_before_versions_existed_still_open(tmp_path):
    path = tmp_path / "old.npz"
    np.savez_compressed(path, x=np.zeros((2, 28, 28), np.uint8), y=np.array([1, 2], np.uint8))
    assert len(PersonalDigits(path)) == 2
