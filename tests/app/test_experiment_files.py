"""Experiment files and presets in the window: open, save (the .toml rule), presets, a bad file that changes
nothing, the command line's path, and the same weights as `nnplayground train --config`."""

import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from nnplayground.app.experiment_files import with_suffix
from nnplayground.app.main import build_window
from nnplayground.cli import main, parse_arguments
from nnplayground.models import load_model
from nnplayground.session import Experiment, LayerSpec, State, presets
from nnplayground.session.experiment_file import experiment_to_toml, load_experiment, save_experiment

from .helpers import open_window, settle

SMALL = Experiment(dataset="spiral", n_samples=160, n_classes=3, noise=0.2, test_fraction=0.25, data_seed=4,
                   layers=[LayerSpec(12, "tanh", 0.2), LayerSpec(6, "relu")], optimizer="adam", learning_rate=0.01,
                   schedule="cosine", batch_size=16, epochs=4, l2=0.001, seed=99)


def _shows(window, experiment: Experiment) -> bool:
    """The session has `experiment` and every panel shows it."""
    data = {key: getattr(experiment, key) for key in window.data_panel.values() if key != "data_path"}
    training = window.settings_panel.values()
    return (window.session.experiment == experiment and window.session.model is not None
            and {k: v for k, v in window.data_panel.values().items() if k != "data_path"} == data
            and window.layer_stack.specs() == experiment.layers
            and all(training[key] == pytest.approx(getattr(experiment, key)) for key in training))


def _open(qtbot, window, path):
    window.experiment_files.open_experiment(str(path))
    settle(qtbot, window)


def test_open_an_experiment_makes_it_the_windows(qtbot, tmp_path):
    window = open_window(qtbot)
    path = save_experiment(SMALL, tmp_path / "exp.toml")
    _open(qtbot, window, path)
    qtbot.waitUntil(lambda: _shows(window, SMALL))
    assert window.session.dataset.n_classes == 3
    assert "exp.toml" in window.banner.text()


@pytest.mark.parametrize("change, words", [
    (("learning_rate = 0.01", 'learning_rate = "fast"'), "learning_rate must be a number, not 'fast'"),
    (("epochs = 4", "epochz = 4"), "unknown key 'epochz' in [training]"),
    (("batch_size = 16", "batch_size = 0"), "batch_size is 0"),
    (("epochs = 4", "epochs = = 4"), "not valid TOML"),
    (("format = 1", "format = 99"), "newer nnplayground"),
])
def test_a_bad_file_keeps_the_experiment_and_says_file_key_and_line(qtbot, tmp_path, change, words):
    window = open_window(qtbot)
    before, model = window.session.experiment.replaced(), window.session.model
    text = save_experiment(SMALL, tmp_path / "good.toml").read_text().replace(*change)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if change[1] in row)
    (tmp_path / "bad.toml").write_text(text)
    _open(qtbot, window, tmp_path / "bad.toml")
    message = window.banner.text()
    assert str(tmp_path / "bad.toml") in message and f"line {line}" in message and words in message
    assert window.session.experiment == before and window.session.model is model
    assert window.layer_stack.specs() == before.layers


def test_a_file_of_another_kind_keeps_the_experiment(qtbot, tmp_path):
    window = open_window(qtbot)
    before = window.session.experiment.replaced()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    _open(qtbot, window, tmp_path / "pyproject.toml")
    assert "not an nnplayground experiment" in window.banner.text()
    assert window.session.experiment == before


@pytest.mark.parametrize("typed, written", [
    ("mine", "mine.toml"), ("lr0.01", "lr0.01.toml"), ("kept.toml", "kept.toml"), ("UPPER.TOML", "UPPER.TOML")])
def test_save_experiment_adds_the_toml_its_filter_implies(qtbot, tmp_path, typed, written):
    assert with_suffix(typed) == written
    window = open_window(qtbot)
    folder = tmp_path / "saved"
    folder.mkdir()
    assert window.experiment_files.save_experiment(str(folder / typed)) == folder / written
    assert [p.name for p in folder.iterdir()] == [written]
    assert load_experiment(folder / written) == window.session.experiment


def test_a_save_that_cannot_be_written_says_so(qtbot, tmp_path):
    window = open_window(qtbot)
    (tmp_path / "folder.toml").mkdir()
    assert window.experiment_files.save_experiment(str(tmp_path / "folder.toml")) is None
    assert "Could not save the experiment" in window.banner.text()


def test_the_presets_menu_offers_every_preset_and_applies_one(qtbot):
    window = open_window(qtbot)
    menu = window.findChild(QMenu, "presetsMenu")
    offered = [action for action in menu.actions() if action.objectName().startswith("preset-")]
    assert [action.text() for action in offered] == [preset.title for preset in presets.presets()]
    assert all(action.toolTip() for action in offered)
    next(action for action in offered if action.objectName() == "preset-overfitting").trigger()
    expected = presets.find("overfitting").load()
    qtbot.waitUntil(lambda: _shows(window, expected))
    assert "Overfitting" in window.banner.text()


def test_a_preset_while_training_stops_the_run_and_keeps_it(qtbot):
    window = open_window(qtbot)
    window.session.update(epochs=50)
    window.train()
    qtbot.waitUntil(lambda: window.session.run_log.step > 0, timeout=10_000)
    assert window.experiment_files.apply_preset("vanishing-gradients")
    expected = presets.find("vanishing-gradients").load()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and _shows(window, expected), timeout=10_000)
    assert len(window.session.runs) == 1


def test_an_experiment_on_a_data_file_loads_it_in_the_background(qtbot, tmp_path):
    wanted = Experiment(dataset="file", data_path=_digits(tmp_path / "digits.npz"), layers=[LayerSpec(8)], epochs=2)
    window = open_window(qtbot)
    _open(qtbot, window, save_experiment(wanted, tmp_path / "exp.toml"))
    qtbot.waitUntil(lambda: window.session.experiment == wanted and window.loader is None, timeout=10_000)
    assert len(window.session.dataset.x_train) == 60 and window.session.model.layers[-2].units == 8


def test_the_command_lines_path_opens_the_window_with_it(qtbot, tmp_path):
    path = save_experiment(SMALL, tmp_path / "exp.toml")
    args = parse_arguments([str(path)])
    window = build_window(args.path, args.preset)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: _shows(window, SMALL), timeout=10_000)


def test_the_command_lines_preset_opens_the_window_with_it(qtbot):
    args = parse_arguments(["--preset", "playground-spiral"])
    window = build_window(args.path, args.preset)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: _shows(window, presets.find("playground-spiral").load()), timeout=10_000)


def test_a_model_on_the_command_line_opens_in_the_window(qtbot, tmp_path):
    window = open_window(qtbot)
    window.session.model.save(tmp_path / "net.npz")
    weights = window.session.model.get_weights()
    window.close()
    opened = build_window(str(tmp_path / "net.npz"))
    qtbot.addWidget(opened)
    qtbot.waitUntil(lambda: opened.session.run_log.source == str(tmp_path / "net.npz"), timeout=10_000)
    for a, b in zip(opened.session.model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_bad_file_on_the_command_line_opens_the_window_with_its_experiment(qtbot, tmp_path):
    (tmp_path / "bad.toml").write_text("format = 1\n[training]\nepochs = -1\n")
    window = build_window(str(tmp_path / "bad.toml"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "line 3: epochs is -1" in window.banner.text(), timeout=10_000)
    assert window.session.experiment == Experiment()


def test_train_config_reaches_the_same_weights_as_the_window(qtbot, tmp_path):
    path = save_experiment(SMALL, tmp_path / "exp.toml")
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "cli.npz")]) == 0
    window = build_window(str(path))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: _shows(window, SMALL), timeout=10_000)
    window.train()
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.session.run_log.finish_reason == "completed",
                    timeout=20_000)
    assert window.session.run_log.complete_epochs == SMALL.epochs
    headless = load_model(tmp_path / "cli.npz").get_weights()
    trained = window.session.model.get_weights()
    assert len(headless) == len(trained) == 6
    for a, b in zip(headless, trained, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(trained[0], window.session.initial_weights[0])  # it did train


def _digits(path, n_train=60):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 255, (n_train, 28, 28), np.uint8), y_train=np.arange(n_train) % 10,
             x_test=rng.integers(0, 255, (20, 28, 28), np.uint8), y_test=np.arange(20) % 10)
    return str(path)


def test_a_preset_on_the_command_line_wins_over_the_last_sessions_data(qtbot, tmp_path, monkeypatch):
    """Both load in the background: the preset, asked for later, must not be superseded by the last data."""
    last = Experiment(dataset="file", data_path=_digits(tmp_path / "last.npz", 40))
    QSettings("nnplayground", "nnplayground").setValue("experiment", json.dumps(last.to_dict()))
    wanted = Experiment(dataset="file", data_path=_digits(tmp_path / "wanted.npz", 70), layers=[LayerSpec(5)])
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "mine.toml").write_text(experiment_to_toml(wanted, {"title": "Mine", "description": "."}))
    monkeypatch.setattr(presets, "folder", lambda: tmp_path / "presets")
    window = build_window(preset="mine")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.session.experiment == wanted, timeout=10_000)
    qtbot.waitUntil(lambda: not window._loaders, timeout=10_000)  # every load, the superseded one too, is over
    assert window.session.experiment == wanted and len(window.session.dataset.x_train) == 70
