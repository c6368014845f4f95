"""The learning-rate range test without Qt: on real small problems it suggests a finite rate below where
the loss blew up; the session's network and optimizer are untouched bit for bit; it can be cancelled; it
never runs beside a training run."""

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session, State, ThreadRunner
from nnplayground.session.lr_finder import END, START, RangeTestJob, rates_between, smooth, start_range_test, suggest


def _session(**fields) -> Session:
    session = Session(Experiment(**{"dataset": "moons", "n_samples": 200, "batch_size": 10,
                                    "layers": [LayerSpec(8), LayerSpec(8)], **fields}))
    session.load_data()
    return session


def _find(session, **options):
    reports, reasons = [], []
    job = start_range_test(session, reports.append, reasons.append, **options)
    return job, reports, reasons


def _state(session) -> tuple[bytes, dict, float]:
    optimizer = session.model.optimizer
    return (session.model.flat_weights.tobytes(), {k: np.array(v).tobytes() for k, v in optimizer.get_state().items()},
            optimizer.learning_rate)


def test_on_moons_the_suggestion_is_finite_in_range_and_below_where_the_loss_blew_up():
    session = _session(epochs=1)
    job, reports, reasons = _find(session)
    result = job.result
    assert reasons == ["completed"] and result.ended == "loss blew up"
    rates, smoothed = np.array(result.rates), np.array(result.smoothed)
    assert 20 < len(rates) < result.planned == 300  # stopped early, when the loss blew up
    np.testing.assert_allclose(rates, rates_between(START, END, 300)[: len(rates)])
    assert smoothed[-1] > 4 * smoothed[:-1].min()
    assert np.isfinite(result.suggestion) and START <= result.suggestion < rates[-1]
    assert result.suggestion < rates[int(np.argmin(smoothed))]  # on the way down, before the lowest loss
    assert 1e-3 <= result.suggestion <= 0.3  # moons with Adam: what trains it well
    points = sum(len(report["range_test"]["rates"]) for report in reports if "range_test" in report)
    assert points == len(rates) and reports[-1]["range_test_ended"] is result


def test_the_suggested_rate_trains_the_network():
    session = _session(epochs=20)
    job, _, _ = _find(session)
    session.update(learning_rate=job.result.suggestion)
    session.train()
    assert session.run_log.epochs[-1]["val_accuracy"] > 0.95


def test_a_range_that_never_blows_up_runs_its_planned_length():
    session = _session()
    job, _, reasons = _find(session, start=1e-5, end=1e-2, steps=120)
    assert reasons == ["completed"] and job.result.ended == "range done" and len(job.result.rates) == 120


def test_the_real_network_and_its_optimizer_are_untouched_bit_for_bit():
    session = _session(epochs=3)
    session.train()  # an optimizer with state: moments, a step count
    before = _state(session)
    start_weights = [w.copy() for w in session.initial_weights]
    job, _, _ = _find(session)
    assert len(job.result.rates) > 100
    assert _state(session) == before
    assert job.model is not session.model and job.model.optimizer is not session.model.optimizer
    assert all(np.array_equal(a, b) for a, b in zip(session.initial_weights, start_weights, strict=True))
    assert session.run_log.step == 3 * 10 and session.state is State.IDLE  # no batch counted in the run


def test_cancel_stops_it_at_once():
    session = _session()
    reasons = []
    job = start_range_test(session, lambda report: session.stop(), reasons.append)  # Cancel at the first report
    assert reasons == ["stopped"] and job.result.ended == "cancelled"
    assert len(job.result.rates) == 1 and session.side_control is None
    assert session.train()  # and Train works again


def test_it_is_refused_while_a_run_trains_or_is_paused_and_train_waits_for_it():
    runner = ThreadRunner()
    session = Session(Experiment(dataset="moons", n_samples=200, batch_size=10, epochs=1000), runner=runner)
    session.load_data()
    said = []
    session.events.connect("message", said.append)
    session.train()
    assert start_range_test(session, None, None) is None and "Stop the training run first" in said[-1]
    session.pause()
    assert start_range_test(session, None, None) is None
    session.stop()
    while session.state is not State.IDLE:
        runner.deliver()
    ended = []
    job = start_range_test(session, lambda report: None, ended.append, steps=10**6, end=1e-4)  # never blows up
    assert job is not None and session.side_control is not None
    assert not session.train() and "learning-rate finder is running" in said[-1]
    session.stop()
    while not ended:
        assert runner.deliver()
    assert ended == ["stopped"] and job.result.ended == "cancelled"
    assert session.train()
    session.stop()
    while session.state is not State.IDLE:
        runner.deliver()


def test_smoothing_is_bias_corrected():
    losses = np.array([2.0, 2.0, 2.0, 1.0])
    smoothed = smooth(losses, beta=0.9)
    assert smoothed[:3] == pytest.approx([2.0, 2.0, 2.0])  # no pull towards zero at the start
    assert smoothed[3] == pytest.approx((0.9 * 0.2 * (1 + 0.9 + 0.81) + 0.1) / (1 - 0.9**4))


def test_the_suggestion_is_the_steepest_fall_before_the_lowest_loss():
    rates = rates_between(1e-4, 1.0, 81)  # 20 points a decade: h = 10
    x = np.log10(rates)
    loss = 1.0 - 0.5 * np.tanh(3 * (x + 2)) + np.where(x > -1, 5 * (x + 1) ** 2, 0)  # steepest at 0.01
    assert suggest(rates, loss) == pytest.approx(0.01)
    assert suggest(rates, np.linspace(1, 2, 81)) is None  # the loss never fell


def test_a_job_refuses_a_range_that_makes_no_sense():
    session = _session()
    with pytest.raises(ValueError):
        RangeTestJob(session.model, session.dataset.x_train, session.dataset.y_train, batch_size=10, start=1.0, end=0.1)
