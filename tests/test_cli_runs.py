"""`nnplayground runs` and `nnplayground sweep`: the run history and sweeps from the terminal."""

import json

import pytest

from nnplayground.cli import main
from nnplayground.session.history import RunHistory, default_folder
from nnplayground.session.sweep import SETTINGS


def _sweep(capsys, *extra):
    code = main(["sweep", "--dataset", "moons", "--samples", "200", "--epochs", "3", "--workers", "2",
                 "--vary", "learning_rate=0.01,0.1", *extra])
    return code, capsys.readouterr()


def test_a_sweep_prints_a_table_of_its_runs_and_records_them(capsys):
    code, out = _sweep(capsys, "--vary", "activation=relu,tanh")
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[0] == "moons: a sweep of 4 runs of 3 epochs (learning rate x activation), 2 at a time"
    assert sorted(line.split("] ")[1].split(":")[0] for line in lines[1:5]) == [
        "learning rate 0.01, activation relu", "learning rate 0.01, activation tanh",
        "learning rate 0.1, activation relu", "learning rate 0.1, activation tanh"]
    header = lines.index(next(line for line in lines if line.startswith("learning rate  activation")))
    rows = [line.split() for line in lines[header + 1: header + 5]]
    assert [row[:2] for row in rows] == [["0.01", "relu"], ["0.01", "tanh"], ["0.1", "relu"], ["0.1", "tanh"]]
    assert all(row[2].endswith("%") and row[4] == "3" for row in rows)
    assert sum("(best)" in line for line in lines[header + 1: header + 5]) >= 1
    records = RunHistory().load().records.values()
    assert len(records) == 4 and {r.sweep["settings"]["activation"] for r in records} == {"relu", "tanh"}
    assert all(r.experiment["dataset"] == "moons" and r.experiment["n_samples"] == 200 for r in records)


def test_a_sweep_takes_an_experiment_file(tmp_path, capsys):
    from nnplayground.session import Experiment
    from nnplayground.session.experiment_file import save_experiment

    path = save_experiment(Experiment(dataset="xor", n_samples=100, layers=[], epochs=2, seed=7), tmp_path / "x")
    assert main(["sweep", "--config", str(path), "--vary", "optimizer=sgd,adam", "--workers", "1"]) == 0
    assert "xor: a sweep of 2 runs of 2 epochs (optimizer), 1 at a time" in capsys.readouterr().out
    assert {(r.experiment["seed"], r.experiment["optimizer"]) for r in RunHistory().load().records.values()} == {
        (7, "sgd"), (7, "adam")}


@pytest.mark.parametrize("args, message", [
    (["--vary", "speed=1,2"], "cannot vary 'speed'"),
    (["--vary", "learning_rate=0.1,-3"], "learning rate: -3 is outside"),
    (["--vary", "seed=1", "--vary", "seed=2"], "--vary seed is given twice"),
    (["--vary", "seed=1", "--vary", "l2=0", "--vary", "dropout=0"], "one or two settings"),
])
def test_a_sweep_refuses_what_cannot_work_in_one_line(capsys, args, message):
    assert main(["sweep", "--dataset", "moons", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not default_folder().exists()


def test_runs_lists_the_recorded_runs_and_deletes_them(capsys):
    assert main(["train", "--dataset", "xor", "--samples", "100", "--layers", "4", "--epochs", "2", "--seed", "1"]) \
        == 0
    _sweep(capsys)
    assert main(["runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "data", "layers", "optimizer", "rate", "best", "val", "acc", "epochs",
                                "time", "started"]
    assert len(lines) == 4 and lines[1].split()[1:5] == ["run", "1", "xor", "4"]
    assert "learning rate 0.1" in lines[3] and "moons" in lines[3]
    assert main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [run["epochs"] for run in listed] == [2, 3, 3] and listed[0]["experiment"]["layers"][0]["units"] == 4
    assert set(listed[0]) >= {"id", "name", "dataset", "layers", "optimizer", "learning_rate", "best_val_accuracy",
                              "epochs", "seconds", "started"}
    assert main(["runs", "--delete", listed[1]["id"][:-3]]) == 2  # the sweep's id: a prefix of two runs' ids
    assert "more than one run" in capsys.readouterr().err
    assert main(["runs", "--delete", listed[0]["id"]]) == 0
    assert capsys.readouterr().out == f"deleted {listed[0]['id']} (run 1)\n"
    assert len(RunHistory().load().records) == 2


def test_runs_skips_a_damaged_record_with_a_message(capsys):
    _sweep(capsys)
    (default_folder() / "20200101-000000-000000.json").write_text("{broken")
    assert main(["runs"]) == 0
    out = capsys.readouterr()
    assert len(out.out.splitlines()) == 3
    assert "skipped a damaged run record" in out.err and "20200101-000000-000000.json" in out.err


def test_runs_says_where_runs_go_when_there_are_none(capsys):
    assert main(["runs"]) == 0
    assert str(default_folder()) in capsys.readouterr().out


def test_every_setting_the_issue_names_can_be_varied():
    assert set(SETTINGS) == {"activation", "optimizer", "learning_rate", "batch_size", "layers", "l2", "dropout",
                             "seed"}
