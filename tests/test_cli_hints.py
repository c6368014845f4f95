"""`nnplayground train` ends with the hints the window would show, with their numbers."""

from nnplayground.cli import main

MOONS = ["train", "--dataset", "moons", "--samples", "200", "--layers", "8,8", "--batch-size", "10", "--seed", "0"]


def test_train_prints_the_hint_of_a_run_that_stopped_while_still_improving(capsys):
    assert main([*MOONS, "--lr", "0.003", "--epochs", "8"]) == 0
    out = capsys.readouterr().out
    assert "hint: Still improving. The run ended while the loss was still falling fast" in out
    evidence = dict(item.rsplit(" ", 1) for item in out.split("evidence: ")[1].splitlines()[0].split(" · "))
    assert evidence["epochs"] == "2" and float(evidence["loss now"]) < 0.9 * float(evidence["loss then"])
    assert float(evidence["validation loss now"]) < float(evidence["validation loss then"])


def test_a_healthy_run_prints_no_hint(capsys):
    assert main([*MOONS, "--lr", "0.01", "--epochs", "60"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy 100.00%" in out and "hint:" not in out
