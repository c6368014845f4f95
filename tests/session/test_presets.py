"""The presets: each loads without a problem, ships in the wheel, and the lessons show their point on the
data they name (trained here without a window, in a few seconds)."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from nnplayground.layers import Dense
from nnplayground.session import Session, presets
from nnplayground.session.experiment_file import read_document
from nnplayground.session.layer_stats import layer_outputs, unit_shares

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("tutorial", "nielsen", "playground-spiral", "overfitting", "overfitting-cured", "dead-relu",
         "vanishing-gradients", "best-mnist-mlp")


def test_the_presets_are_listed_in_menu_order():
    assert tuple(preset.name for preset in presets.presets()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_preset_loads_with_a_title_a_description_and_no_problems(name):
    preset = presets.find(name)
    document, experiment = read_document(preset.path)
    assert experiment.problems() == {}
    assert preset.title and preset.description and len(preset.description) <= 110
    assert set(document["preset"]) == {"title", "description"}


def test_an_unknown_preset_names_those_there_are():
    with pytest.raises(ValueError, match="no preset called 'spiral'; the presets are tutorial, nielsen"):
        presets.find("spiral")


def test_the_classic_networks_are_as_their_sources_have_them():
    tutorial = presets.find("tutorial").load()
    assert (tutorial.dataset, [s.units for s in tutorial.layers], tutorial.optimizer) == ("mnist", [128, 64], "adam")
    assert {s.activation for s in tutorial.layers} == {"relu"} and tutorial.learning_rate == 0.001
    nielsen = presets.find("nielsen").load()
    assert (nielsen.dataset, [(s.units, s.activation) for s in nielsen.layers]) == ("mnist", [(30, "sigmoid")])
    assert (nielsen.optimizer, nielsen.batch_size, nielsen.epochs) == ("sgd", 10, 30)
    spiral = presets.find("playground-spiral").load()
    assert spiral.dataset == "spiral" and spiral.run_until_paused and spiral.learning_rate == 0.03
    best = presets.find("best-mnist-mlp").load()
    assert best.dataset == "mnist" and best.deskew and any(s.dropout for s in best.layers)


def test_every_preset_file_is_package_data_of_the_wheel():
    """resources/ ships as nnplayground.resources; its package-data patterns must take in every preset."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "nnplayground.resources" in setuptools["packages"]
    resources = ROOT / setuptools["package-dir"]["nnplayground.resources"]
    shipped = {path for pattern in setuptools["package-data"]["nnplayground.resources"]
               for path in resources.glob(pattern) if path.is_file()}
    files = set((resources / "presets").glob("*.toml"))
    assert len(files) == len(NAMES) and files <= shipped
    assert presets.folder() == resources / "presets"


# ----- the lessons -------------------------------------------------------------------------------------


def _trained(name: str, **changes) -> Session:
    session = Session(presets.find(name).load().replaced(**changes))
    session.train()
    assert session.run_log.finish_reason in ("completed", "early stopping")
    return session


def _curves(session: Session) -> dict[str, np.ndarray]:
    epochs = session.run_log.epochs
    return {key: np.array([e[key] for e in epochs]) for key in epochs[0]}


def test_overfitting_validation_loss_climbs_while_training_loss_falls():
    curves = _curves(_trained("overfitting"))
    validation, train, accuracy = curves["val_loss"], curves["loss"], curves["val_accuracy"]
    best = int(np.argmin(validation))
    assert best < len(validation) // 10  # it turns early...
    assert validation[-1] > 3 * validation[best]  # ...and climbs far
    assert train[-1] < 0.05 and train[-1] < train[best] / 10
    assert accuracy[-1] < accuracy[best] - 0.1


def test_the_cure_keeps_the_validation_loss_level():
    overfit = _curves(_trained("overfitting"))
    cured = _curves(_trained("overfitting-cured"))
    assert cured["val_loss"][-1] < 1.25 * cured["val_loss"].min()
    assert cured["val_loss"][-1] < overfit["val_loss"][-1] / 3
    assert cured["val_accuracy"][-1] > overfit["val_accuracy"][-1] + 0.1


def test_early_stopping_is_the_other_cure():
    session = _trained("overfitting", patience=20)
    validation = _curves(session)["val_loss"]
    assert session.run_log.finish_reason == "early stopping" and len(validation) < 60
    loss, _ = session.model.evaluate(session.dataset.x_test, session.dataset.y_test, verbose=0)
    assert loss == pytest.approx(validation.min(), rel=1e-5)  # the best epoch's weights are back


def _dead_shares(session: Session) -> list[float]:
    model = session.model
    outputs = layer_outputs(model, session.dataset.x_test[:256])
    return [unit_shares(out, "relu")[0] for layer, out in zip(model.layers, outputs, strict=True)
            if isinstance(layer, Dense) and layer.activation.name == "relu"]


def test_dead_relu_kills_most_of_the_first_layer_in_one_epoch():
    dead = _dead_shares(_trained("dead-relu", epochs=1))
    assert dead[0] > 0.6 and dead[1] > 0.3
    healthy = _dead_shares(_trained("dead-relu", epochs=1, learning_rate=0.001))
    assert max(healthy) < 0.1  # the rate does it, not the network


def test_vanishing_gradients_first_layer_far_below_the_last():
    session = Session(presets.find("vanishing-gradients").load())
    session.load_data()
    model = session.model
    _, gradients = model.gradients(session.dataset.x_train[:256], session.dataset.y_train[:256])
    names = [name for layer in model.layers for name in layer.variable_names]
    kernels = [float(np.linalg.norm(g)) for name, g in zip(names, gradients, strict=True) if name == "kernel"]
    hidden = kernels[:-1]
    assert len(hidden) == 6
    assert hidden[0] < hidden[-1] / 100
    assert all(a < b for a, b in zip(hidden, hidden[1:], strict=False))  # shrinking all the way down
