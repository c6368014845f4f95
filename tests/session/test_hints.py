"""Hints without Qt: each rule on a real run that shows its problem (small 2-D sets, tiny networks, the
synchronous runner) and silent on healthy runs; each fix, applied through the session, changes what it
says; a hint dismissed or fixed stays quiet for its run."""

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session, State, ThreadRunner
from nnplayground.session.hint_board import HintBoard
from nnplayground.session.hints import Fix
from nnplayground.session.runlog import RunLog

TINY = [LayerSpec(8), LayerSpec(8)]


def _run(**fields) -> tuple[Session, HintBoard]:
    """A finished run of `fields` (on 200 points, batches of 10) with a board that followed it."""
    session = Session(Experiment(**{"n_samples": 200, "batch_size": 10, **fields}))
    session.load_data()
    board = HintBoard(session)
    session.train()
    return session, board


def _only(board: HintBoard, hint_id: str):
    assert [hint.id for hint in board.hints] == [hint_id], [hint.message for hint in board.hints]
    return board.hints[0]


def _fix(hint, label_start: str) -> Fix:
    return next(fix for fix in hint.fixes if fix.label.startswith(label_start))


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("fields", [
    {"dataset": "gaussians", "layers": TINY, "learning_rate": 0.01, "epochs": 30},
    {"dataset": "moons", "layers": TINY, "learning_rate": 0.01, "epochs": 60},
    {"dataset": "circle", "layers": TINY, "learning_rate": 0.01, "epochs": 60},
], ids=["gaussians", "moons", "circle"])
def test_a_healthy_run_raises_no_hint(fields):
    session, board = _run(**fields)
    assert session.run_log.epochs[-1]["val_accuracy"] > 0.95  # it is healthy indeed
    assert board.hints == []


def test_a_loss_that_becomes_nan_says_the_sessions_words_and_a_tenth_of_the_rate_restarts_the_same_start():
    session, board = _run(dataset="moons", layers=[LayerSpec(8, "linear"), LayerSpec(8, "linear")],
                          optimizer="momentum", learning_rate=10.0, epochs=5)
    hint = _only(board, "rate_too_high")
    assert np.isnan(session.run_log.batches["loss"]).any()
    assert "diverged" in hint.message and "learning rate (10) is too high" in hint.message  # the session's message
    assert hint.evidence["learning rate"] == 10 and hint.evidence["non-finite loss at step"] == session.run_log.step
    start, diverged_run = session.initial_weights, session.run_log
    board.apply(hint, _fix(hint, "Rate 1, same start"))
    assert session.experiment.learning_rate == 1.0 and session.model.optimizer.learning_rate == 1.0
    assert session.run_log is not diverged_run and session.run_log.step == 0  # a new run ...
    assert _same(session.model.get_weights(), start)  # ... from the same starting weights
    assert board.hints == []


def test_a_paused_divergence_offers_to_resume_and_the_hint_goes_once_the_rate_is_lowered_by_hand():
    runner = ThreadRunner()
    session = Session(Experiment(dataset="moons", n_samples=200, batch_size=10, epochs=1000, optimizer="momentum",
                                 layers=[LayerSpec(8, "linear"), LayerSpec(8, "linear")], learning_rate=10.0),
                      runner=runner)
    session.load_data()
    board = HintBoard(session)
    session.train()
    while not board.hints:
        assert runner.deliver(), "the run never diverged"
    hint = _only(board, "rate_too_high")
    assert session.state is State.PAUSED and [fix.label for fix in hint.fixes] == ["Rate 1, same start",
                                                                                  "Rate 1, resume"]
    session.update(learning_rate=0.5)  # the advice, taken by hand
    assert board.hints == []
    session.stop()
    while session.state is not State.IDLE:
        runner.deliver()


def test_a_finite_loss_that_explodes_is_caught_without_a_nan():
    session, board = _run(dataset="moons", layers=[LayerSpec(16, "tanh"), LayerSpec(16, "tanh")], optimizer="sgd",
                          learning_rate=5.0, epochs=10)
    assert np.isfinite(session.run_log.batches["loss"]).all()
    hint = _only(board, "rate_too_high")  # its tanh units are saturated too: its doing, not a second hint
    assert hint.title == "The loss is exploding"
    assert hint.evidence["mean loss of the last 10 batches"] > 4 * hint.evidence["lowest"]
    assert [fix.label for fix in hint.fixes] == ["Rate 0.5, same start"]
    board.dismiss("rate_too_high")
    assert _only(board, "saturated_units").evidence["dense_1 saturated share"] > 0.9


def test_a_flat_loss_at_a_tiny_rate_asks_for_ten_times_the_rate_and_the_run_goes_on_with_it():
    session, board = _run(dataset="moons", layers=TINY, optimizer="sgd", learning_rate=1e-5, epochs=20)
    hint = _only(board, "loss_flat")
    evidence = hint.evidence
    assert abs(evidence["mean loss, second half"] - evidence["mean loss, first half"]) < 0.01 * \
        evidence["mean loss, first half"]
    assert "too low" in hint.message and evidence["learning rate"] == 1e-5
    run, step = session.run_log, session.run_log.step
    board.apply(hint, hint.fixes[0])
    assert session.experiment.learning_rate == 1e-4 and session.model.optimizer.learning_rate == 1e-4
    assert session.run_log is run and run.markers[-1] == {"step": step, "position": run.position, "text": "lr 0.0001"}


def test_a_flat_loss_from_a_vanishing_gradient_asks_for_relu_not_a_higher_rate():
    sigmoids = [LayerSpec(8, "sigmoid") for _ in range(6)]
    session, board = _run(dataset="moons", layers=sigmoids, optimizer="sgd", learning_rate=0.5, epochs=30)
    hint = _only(board, "loss_flat")
    assert hint.evidence["gradient norm of dense"] < 0.01 * hint.evidence["gradient norm of dense_5"]
    assert "fades on its way back" in hint.message and [fix.label for fix in hint.fixes] == ["ReLU (He)", "Adam"]
    board.apply(hint, hint.fixes[0])
    assert {(spec.activation, spec.initializer) for spec in session.experiment.layers} == {("relu", "auto")}
    session.train()
    _, losses = session.run_log.epoch_series("loss")
    assert losses[-1] < 0.5 * losses[0] and board.hints == []  # it learns now


def test_dead_relus_from_zero_weights_ask_for_he_initialisation_and_get_it_from_the_same_seed():
    zeros = [LayerSpec(8, initializer="zeros"), LayerSpec(8, initializer="zeros")]
    session, board = _run(dataset="moons", layers=zeros, learning_rate=0.01, epochs=10)
    hint = _only(board, "dead_units")  # the loss is flat too, and this is why: one hint, not two
    assert hint.evidence["dense dead share"] == 1.0 and hint.evidence["dense_1 dead share"] == 1.0
    assert [fix.label for fix in hint.fixes] == ["He initialisation", "Leaky ReLU"]
    board.apply(hint, hint.fixes[0])
    assert [spec.initializer for spec in session.experiment.layers] == ["auto", "auto"]
    reference = Session(session.experiment.replaced())
    reference.load_data()
    assert _same(session.model.get_weights(), reference.model.get_weights())  # He, from the same seed
    session.train()
    units = session.probe_results["unit_health"]["layers"]
    assert max(layer["dead_share"] for layer in units) < 0.5 and board.hints == []


def test_dead_relus_from_a_rate_too_high_ask_for_a_lower_rate_or_leaky_relu():
    session, board = _run(dataset="moons", layers=[LayerSpec(16), LayerSpec(16)], optimizer="sgd", learning_rate=3.0,
                          epochs=10, seed=3)
    hint = _only(board, "dead_units")
    assert hint.evidence["dense_1 dead share"] == 1.0
    assert [fix.label for fix in hint.fixes] == ["Rate 0.3, same start", "Leaky ReLU"]
    start = session.initial_weights
    board.apply(hint, hint.fixes[1])
    assert [spec.activation for spec in session.experiment.layers] == ["leaky_relu", "leaky_relu"]
    assert _same(session.model.get_weights(), start)  # leaky ReLU keeps He: the very same start


def test_saturated_tanh_units_ask_for_a_lower_rate():
    session, board = _run(dataset="moons", layers=[LayerSpec(16, "tanh"), LayerSpec(16, "tanh")],
                          learning_rate=0.3, epochs=10)
    hint = _only(board, "saturated_units")
    assert hint.evidence["dense_1 saturated share"] > 0.9
    assert "tanh" in hint.message and [fix.label for fix in hint.fixes] == ["Rate 0.03, same start", "Leaky ReLU"]


def test_saturated_units_from_a_bad_initialiser_ask_for_glorot():
    ones = [LayerSpec(8, "tanh", initializer="ones"), LayerSpec(8, "tanh", initializer="ones")]
    session, board = _run(dataset="gaussians", layers=ones, learning_rate=0.01, epochs=10)
    hint = _only(board, "saturated_units")
    board.apply(hint, _fix(hint, "Glorot"))
    assert [spec.initializer for spec in session.experiment.layers] == ["auto", "auto"]
    assert [spec.kernel_initializer() for spec in session.experiment.layers] == ["glorot_uniform"] * 2


def test_overfitting_is_caught_and_early_stopping_from_the_same_start_keeps_the_best_weights():
    session, board = _run(dataset="moons", n_samples=40, noise=0.4, layers=[LayerSpec(64), LayerSpec(64)],
                          learning_rate=0.01, epochs=200)
    hint = _only(board, "overfitting")
    evidence = hint.evidence
    assert evidence["validation loss now"] > 1.2 * evidence["best validation loss"]
    assert evidence["training loss now"] < evidence["training loss then"]
    assert [fix.label for fix in hint.fixes] == ["Dropout 0.2", "L2 0.001", "Early stop (20 epochs)"]
    start = session.initial_weights
    board.apply(hint, hint.fixes[2])
    assert session.experiment.patience == 20 and _same(session.model.get_weights(), start)
    session.train()
    log = session.run_log
    assert log.finish_reason == "early stopping" and log.complete_epochs < 200
    final = session.model.evaluate(session.dataset.x_test, session.dataset.y_test, verbose=0)[0]
    assert final == pytest.approx(log.best("val_loss"), rel=1e-4)  # the best epoch's weights came back
    assert board.hints == []


def test_dropout_and_l2_fixes_change_those_settings():
    session, board = _run(dataset="moons", n_samples=40, noise=0.4, layers=[LayerSpec(64), LayerSpec(64)],
                          learning_rate=0.01, epochs=200)
    hint = _only(board, "overfitting")
    board.apply(hint, hint.fixes[0])
    assert [spec.dropout for spec in session.experiment.layers] == [0.2, 0.2]
    assert sum(type(layer).__name__ == "Dropout" for layer in session.model.layers) == 2
    board.apply(hint, hint.fixes[1])
    assert session.experiment.l2 == 0.001 and session.model.layers[-1].kernel_regularizer.l2 == 0.001


def test_a_run_that_ends_while_still_improving_fast_trains_on_with_one_click():
    session, board = _run(dataset="moons", layers=TINY, learning_rate=0.003, epochs=8)
    hint = _only(board, "still_improving")
    assert hint.evidence["loss now"] < 0.9 * hint.evidence["loss then"]
    assert hint.evidence["validation loss now"] < hint.evidence["validation loss then"]
    assert [fix.label for fix in hint.fixes] == ["Train 8 more epochs", "Run until paused"]
    assert hint.fixes[1].changes == {"run_until_paused": True} and hint.fixes[1].train
    board.apply(hint, hint.fixes[0])
    assert session.run_log.complete_epochs == 16 and session.run_log.finish_reason == "completed"


def test_a_dismissed_hint_stays_quiet_for_its_run_and_speaks_again_for_the_next():
    session, board = _run(dataset="moons", layers=TINY, learning_rate=0.003, epochs=8)
    assert _only(board, "still_improving")
    board.dismiss("still_improving")
    assert board.hints == [] and board.check() == []
    session.reset(same_weights=True)
    session.train()
    assert _only(board, "still_improving")


def test_hints_are_checked_at_run_ends_not_at_every_epoch():
    session = Session(Experiment(dataset="moons", n_samples=200, batch_size=10, layers=TINY, epochs=50))
    session.load_data()
    board = HintBoard(session, clock=lambda: 0.0)  # a clock that never moves: no epoch end is due
    checks = []
    check = board.check
    board.check = lambda: checks.append(1) or check()
    session.train()
    assert len(session.run_log.epochs) == 50 and len(checks) <= 3  # run started, run finished


def _log(losses) -> RunLog:
    """A run log of these batch losses, one batch a tenth of an epoch."""
    log, n = RunLog(), len(losses)
    log.add_batches({"step": np.arange(1, n + 1), "position": np.arange(1, n + 1) / 10,
                     "loss": np.asarray(losses, float), "accuracy": np.zeros(n)})
    return log


def test_a_loss_that_grows_back_from_exactly_zero_is_exploding_without_a_ratio():
    """A network sure of every sample has a loss of exactly 0: the rule divided by it (ZeroDivisionError
    in the GUI's report handler, found by benchmarks/views.py on a trained spiral)."""
    from nnplayground.session.hints import HintContext, rate_too_high

    hint = rate_too_high(HintContext(_log([2.3] * 10 + [0.0] * 30 + [50.0] * 10), Experiment()))
    assert hint.id == "rate_too_high" and hint.evidence["lowest"] == 0.0
    assert "grown to 50, up from its lowest (0), and above the untrained network's (2.3)" in hint.message


def test_a_first_layer_gradient_of_exactly_zero_is_a_vanishing_gradient_without_a_ratio():
    from nnplayground.session.hints import HintContext, loss_flat

    log = _log([2.3] * 100)
    log.add_norms(100, ["dense", "dense_1", "dense_2"], [0.0, 0.5, 1.0], [0.0, 0.1, 0.1])
    hint = loss_flat(HintContext(log, Experiment(layers=[LayerSpec(8, "sigmoid"), LayerSpec(8, "sigmoid")])))
    assert hint.id == "loss_flat" and hint.evidence["gradient norm of dense"] == 0.0
    assert "The first hidden layer's (dense: 0) is below the last hidden layer's (dense_1: 0.5)" in hint.message
