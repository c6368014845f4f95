"""The command line, run as a user runs it: a real process, its output and its exit status."""

import subprocess
import sys

import numpy as np
import pytest

from nnplayground.cli import main
from nnplayground.models import load_model


def _run(*args):
    return subprocess.run([sys.executable, "-m", "nnplayground", *args], capture_output=True, text=True,
                          timeout=300)


def test_train_on_the_embedded_sample_then_evaluate(tmp_path):
    out = tmp_path / "digits.npz"
    result = _run("train", "--dataset", "mnist-sample", "--layers", "64", "--epochs", "2", "--seed", "0",
                  "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Epoch 2/2" in result.stdout and "test accuracy" in result.stdout
    accuracy = float(result.stdout.split("test accuracy ")[1].split("%")[0])
    assert accuracy > 80
    assert load_model(out).count_params() == 784 * 64 + 64 + 64 * 10 + 10
    evaluated = _run("evaluate", str(out), "--dataset", "mnist-sample")
    assert evaluated.returncode == 0 and f"test accuracy {accuracy / 100:.4f}" in evaluated.stdout


def test_train_a_toy_set_in_process(capsys):
    assert main(["train", "--dataset", "gaussians", "--classes", "4", "--layers", "8", "--epochs", "3",
                 "--batch-size", "32", "--seed", "1"]) == 0
    assert "4 classes" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["train", "--layers", "12,x"], "hidden layer sizes"),
    (["train", "--lr", "-1"], "positive number"),
    (["train", "--dataset", "imagenet"], "invalid choice"),
    (["train", "--epochs", "0"], "positive whole number"),
    (["train", "--epochs", "0"], "training until paused is the window's"),
    (["train", "--dataset", "moons", "--classes", "3"], "2 classes"),
    (["evaluate", "missing.npz"], "missing.npz: no such file"),
    (["train", "--data-path", "nowhere/"], "no such file"),
])
def test_bad_arguments_give_one_line_and_status_2(args, message):
    result = _run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_evaluate_refuses_a_model_for_other_data(tmp_path):
    from nnplayground.layers import Dense
    from nnplayground.models import Sequential

    model = Sequential([Dense(2, activation="softmax", input_shape=(2,))])
    model.save(tmp_path / "toy.npz")
    result = _run("evaluate", str(tmp_path / "toy.npz"), "--dataset", "mnist-sample")
    assert result.returncode == 2 and "takes samples of shape (2,)" in result.stderr


def test_corrupt_model_file(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(np.arange(100).tobytes())
    result = _run("evaluate", str(path))
    assert result.returncode == 2 and "broken.npz" in result.stderr and "Traceback" not in result.stderr


def test_a_diverging_run_says_so_saves_nothing_and_exits_1(tmp_path, capsys):
    out = tmp_path / "net.npz"
    code = main(["train", "--dataset", "moons", "--layers", "32,32,32", "--activation", "linear", "--optimizer",
                 "momentum", "--lr", "10", "--epochs", "5", "--seed", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1 and not out.exists()
    assert "diverged" in captured.err and "Resume" not in captured.err and "nothing was saved" in captured.err
    assert "test accuracy" not in captured.out


def test_a_failing_run_is_not_reported_as_a_result(tmp_path, capsys, monkeypatch):
    from nnplayground.models import Sequential

    def out_of_memory(*args, **kwargs):
        raise MemoryError("cannot allocate 9 GB")
    monkeypatch.setattr(Sequential, "fit", out_of_memory)
    out = tmp_path / "net.npz"
    assert main(["train", "--dataset", "moons", "--epochs", "2", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "Training stopped: cannot allocate 9 GB" in captured.err and not out.exists()
    assert "test accuracy" not in captured.out


@pytest.mark.parametrize("args, message", [
    (["--layers", ""], "--layers: expected hidden layer sizes"),
    (["--lr", "1e9"], "--lr: a learning rate between"),
    (["--lr", "1e-320"], "--lr: a learning rate between"),
    (["--l2", "nan"], "--l2: L2 between 0 and 1"),
    (["--l2", "inf"], "--l2: L2 between 0 and 1"),
    (["--l1", "-0.5"], "--l1: L1 between 0 and 1"),
    (["--noise", "nan"], "--noise: noise between 0 and 2"),
    (["--noise", "1e308"], "--noise: noise between 0 and 2"),
    (["--out", ""], "--out: no file name given"),
    (["--layers", "3000000"], "--layers: a layer needs between 1 and 4,096 units"),
    (["--batch-size", "10000000"], "--batch-size: a batch holds between 1 and 65,536"),
    (["--seed", "-1"], "--seed: a seed between"),
])
def test_out_of_range_settings_give_one_line_and_status_2_before_training(capsys, args, message):
    assert main(["train", "--epochs", "1", *args]) == 2
    out, err = capsys.readouterr()
    assert message in err and len(err.strip().splitlines()) == 1 and "Epoch" not in out


def test_out_refuses_a_folder_or_a_pipe_before_training(capsys, tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")
    for target, kind in ((tmp_path, "a folder"), (tmp_path / "pipe", "a pipe")):
        assert main(["train", "--epochs", "1", "--out", str(target)]) == 2
        out, err = capsys.readouterr()
        assert kind in err and "Epoch" not in out


def test_a_network_beyond_the_available_memory_is_refused_with_the_estimate(capsys, monkeypatch):
    from nnplayground import memory

    monkeypatch.setattr(memory, "available_bytes", lambda: 50 * 10**6)
    assert main(["train", "--layers", "4096,4096", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "needs about" in err and "50.0 MB available" in err and len(err.strip().splitlines()) == 1


def test_no_hidden_layer_is_spelled_none(capsys):
    assert main(["train", "--dataset", "gaussians", "--layers", "none", "--epochs", "1", "--seed", "1"]) == 0
    assert "parameters" in capsys.readouterr().out
