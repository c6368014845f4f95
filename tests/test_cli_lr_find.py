"""`nnplayground lr-find`: the range test from the command line, on an experiment file or the options."""

import subprocess
import sys

from nnplayground.cli import main
from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.experiment_file import save_experiment
from nnplayground.session.lr_finder import start_range_test

MOONS = Experiment(dataset="moons", n_samples=200, batch_size=10, layers=[LayerSpec(8), LayerSpec(8)], seed=3)


def _table(out: str) -> list[tuple[float, float, bool]]:
    """(rate, smoothed loss, marked as suggested) per row of the printed table."""
    lines = out.split("learning rate  smoothed loss\n")[1].split("\n\n")[0].splitlines()
    return [(float(line.split()[0]), float(line.split()[1]), "suggested" in line) for line in lines]


def test_lr_find_on_an_experiment_file_prints_the_suggestion_and_the_curve(tmp_path):
    path = save_experiment(MOONS, tmp_path / "moons.toml")
    result = subprocess.run([sys.executable, "-m", "nnplayground", "lr-find", "--config", str(path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    session = Session(MOONS.replaced())  # the same experiment, the same seed: the same curve
    session.load_data()
    expected = start_range_test(session, lambda report: None, lambda reason: None).result
    assert f"suggested learning rate: {expected.suggestion:g} " in result.stdout
    rows = _table(result.stdout)
    assert 12 <= len(rows) <= 13 and [rate for rate, _, _ in rows] == sorted(rate for rate, _, _ in rows)
    assert rows[0][0] == 1e-6 and rows[-1][0] == float(f"{expected.rates[-1]:.3g}")
    marked = [rate for rate, _, suggested in rows if suggested]
    assert len(marked) == 1 and abs(marked[0] / expected.suggestion - 1) < 0.05


def test_lr_find_without_a_file_uses_the_options(capsys):
    assert main(["lr-find", "--dataset", "gaussians", "--layers", "8", "--batch-size", "10", "--seed", "0",
                 "--steps", "100", "--start", "1e-4", "--end", "1"]) == 0
    out = capsys.readouterr().out
    assert "gaussians: 500 training samples; layers 8; adam, batches of 10; seed 0" in out
    assert "100 batches on a copy of the network, the rate from 0.0001 to 1" in out
    suggestion = float(out.split("suggested learning rate: ")[1].split()[0])
    assert 1e-4 <= suggestion <= 1


def test_lr_find_refuses_a_backwards_range_and_a_missing_file(capsys, tmp_path):
    assert main(["lr-find", "--dataset", "moons", "--start", "1", "--end", "0.1"]) == 2
    assert "--start must be below --end" in capsys.readouterr().err
    assert main(["lr-find", "--config", str(tmp_path / "nowhere.toml")]) == 2
    assert "nowhere.toml" in capsys.readouterr().err
