"""The File menu with real files: the extension a save's filter implies, atomic writes."""

import os

import numpy as np
import pytest

from nnplayground.models import load_model
from nnplayground.session import LayerSpec, State
from tests.app.helpers import answer_save_dialog, open_window


def _folder(tmp_path):
    """A folder of its own (the test's folder holds its settings too)."""
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def _trained(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="moons")
    window.session.update(layers=[LayerSpec(4)], epochs=2)
    window.session.train()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)
    return window


def test_save_model_adds_the_extension_the_filter_implies(qtbot, tmp_path):
    tmp_path = _folder(tmp_path)
    window = _trained(qtbot)
    answered = []
    answer_save_dialog(qtbot, str(tmp_path / "mymodel"), answered)
    window.findChild(type(window.toggle_action), "saveModelAction").trigger()
    assert answered == [["Models (*.npz)"]]
    assert sorted(os.listdir(tmp_path)) == ["mymodel.npz"]
    assert load_model(tmp_path / "mymodel.npz").count_params() == window.session.model.count_params()


@pytest.mark.parametrize("kind, name", [("png", "curves"), ("csv", "numbers.CSV")])
def test_plot_saves_add_their_extension(qtbot, tmp_path, kind, name):
    tmp_path = _folder(tmp_path)
    window = _trained(qtbot)
    plots = window.plots
    answered = []
    answer_save_dialog(qtbot, str(tmp_path / name), answered)
    plots._ask_and_save(plots.loss_plot, kind)
    expected = name if name.lower().endswith(kind) else f"{name}.{kind}"
    assert os.listdir(tmp_path) == [expected]


def test_a_failing_save_leaves_the_old_file(qtbot, tmp_path, monkeypatch):
    tmp_path = _folder(tmp_path)
    window = _trained(qtbot)
    target = tmp_path / "kept.npz"
    window.save_model(str(target))
    before = target.read_bytes()
    window.session.update(learning_rate=0.01)
    window.session.train()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE, timeout=20_000)

    import numpy as np

    def full_disk(file, **arrays):
        file.write(b"half a file")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", full_disk)
    assert not window.save_model(str(target))
    assert target.read_bytes() == before
    assert "No space left" in window.banner.text() and "Nothing was overwritten" in window.banner.text()
    assert sorted(os.listdir(tmp_path)) == ["kept.npz"]  # no temporary file left behind


def test_a_file_of_the_wrong_kind_says_so_and_the_work_stays(qtbot, tmp_path):
    window = _trained(qtbot)
    model, weights = window.session.model, window.session.model.get_weights()
    data = tmp_path / "data.npz"
    x = np.zeros((6, 2), np.float32)
    np.savez(data, x_train=x, y_train=np.arange(6) % 2, x_test=x, y_test=np.arange(6) % 2)
    window.open_model(str(data))
    qtbot.waitUntil(lambda: "is a dataset" in window.banner.text(), timeout=10_000)
    saved = tmp_path / "model.npz"
    window.save_model(str(saved))
    window.open_data_path(str(saved))
    qtbot.waitUntil(lambda: "model file, not data" in window.banner.text(), timeout=10_000)
    assert window.session.model is model and window.session.dataset.name == "moons"
    assert all(np.array_equal(a, b) for a, b in zip(window.session.model.get_weights(), weights, strict=True))
