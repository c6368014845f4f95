"""The command line and experiment files: train --config, --preset, presets, and a bare path for the window."""

import subprocess
import sys

import pytest

from nnplayground.cli import experiment_from, main, parse_arguments
from nnplayground.session import Experiment, LayerSpec
from nnplayground.session.experiment_file import save_experiment

SMALL = Experiment(dataset="gaussians", n_samples=120, n_classes=3, layers=[LayerSpec(6), LayerSpec(5, "tanh")],
                   optimizer="momentum", learning_rate=0.02, batch_size=16, epochs=3, seed=42, data_seed=5)


def _run(*args):
    return subprocess.run([sys.executable, "-m", "nnplayground", *args], capture_output=True, text=True, timeout=300)


def test_train_config_runs_the_file(tmp_path, capsys):
    path = save_experiment(SMALL, tmp_path / "exp.toml")
    assert main(["train", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and "seed 42" in out and "3 classes" in out
    # Each epoch on its own line with its own number, though one report may end several
    assert [line.split(" - ")[0] for line in out.splitlines() if line.startswith("Epoch")] == \
        ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]


def test_options_given_change_the_files_values_and_only_those(tmp_path):
    path = save_experiment(SMALL, tmp_path / "exp.toml")
    e = experiment_from(parse_arguments(["train", "--config", str(path), "--epochs", "7", "--activation", "elu",
                                         "--lr", "0.5"]))
    assert e == SMALL.replaced(epochs=7, learning_rate=0.5, layers=[LayerSpec(6, "elu"), LayerSpec(5, "elu")])
    e = experiment_from(parse_arguments(["train", "--config", str(path), "--layers", "9", "--seed", "1",
                                         "--dataset", "spiral"]))
    assert e == SMALL.replaced(layers=[LayerSpec(9)], seed=1, dataset="spiral")


def test_without_a_file_the_options_keep_their_defaults():
    e = experiment_from(parse_arguments(["train", "--seed", "0"]))
    assert e == Experiment(dataset="mnist-sample", n_samples=1000, noise=0.1, n_classes=2,
                           layers=[LayerSpec(128), LayerSpec(64)], optimizer="adam", learning_rate=0.001,
                           batch_size=128, epochs=5, seed=0)
    assert experiment_from(parse_arguments(["train", "--optimizer", "sgd"])).learning_rate == 0.01


def test_a_file_that_trains_until_paused_trains_its_epochs_here(tmp_path, capsys):
    path = save_experiment(SMALL.replaced(run_until_paused=True, epochs=2), tmp_path / "exp.toml")
    assert main(["train", "--config", str(path)]) == 0
    captured = capsys.readouterr()
    assert "Epoch 2/2" in captured.out and "trains 2 epochs" in captured.err


def test_a_bad_file_exits_2_with_the_file_key_and_line(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(save_experiment(SMALL, tmp_path / "good.toml").read_text().replace("epochs = 3", "epochs = -3"))
    result = _run("train", "--config", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}, line " in result.stderr and "epochs is -3" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["train", "--preset", "nope"], "no preset called 'nope'"),
    (["train", "--preset", "dead-relu", "--config", "x.toml"], "not allowed with argument"),
    (["train", "--config", "missing.toml"], "missing.toml: no such file"),
])
def test_bad_preset_or_config_arguments_exit_2(args, message, capsys):
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_train_a_preset_with_an_option_changed(capsys):
    assert main(["train", "--preset", "dead-relu", "--epochs", "1"]) == 0
    assert "Epoch 1/1" in capsys.readouterr().out


def test_presets_lists_every_preset_with_its_description(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "dead-relu" in out and "Dead ReLUs: A learning rate" in out and len(out.splitlines()) == 8


@pytest.mark.parametrize("argv, path, preset", [
    ([], None, None),
    (["exp.toml"], "exp.toml", None),
    (["models/net.npz"], "models/net.npz", None),
    (["app", "exp.toml"], "exp.toml", None),
    (["--preset", "dead-relu"], None, "dead-relu"),
    (["app", "--preset", "nielsen"], None, "nielsen"),
])
def test_a_bare_path_or_preset_is_for_the_window(argv, path, preset):
    args = parse_arguments(argv)
    assert (args.command, args.path, args.preset) == ("app", path, preset)
