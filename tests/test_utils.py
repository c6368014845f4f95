import numpy as np
import pytest

from nnplayground.utils import to_categorical


def test_to_categorical_like_keras():
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical(np.array([[1], [3]]), num_classes=5).shape == (2, 5)
    assert to_categorical([1]).dtype == np.float32


def test_to_categorical_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match="does not fit"):
        to_categorical([4], num_classes=3)
