"""The BLAS tuner of a window's run: it keeps the thread count that trains fastest, and looks again."""

import numpy as np
import pytest

from nnplayground.session.threads import BlasTuner


class _Machine:
    """Batches of 32 samples at a speed that depends on the BLAS threads (samples a second per count), or
    on the training time too when `speeds` holds functions of it (a machine whose speed drifts)."""

    def __init__(self, speeds: dict):
        self.speeds, self.threads, self.now = speeds, None, 0.0
        self.history: list[int] = []

    def set_threads(self, count: int) -> None:
        self.threads = count
        self.history.append(count)

    def speed(self) -> float:
        speed = self.speeds[self.threads or 1]
        return speed(self.now) if callable(speed) else speed

    def train(self, tuner: BlasTuner, seconds: float) -> None:
        end = self.now + seconds
        while self.now < end:
            took = 32 / self.speed()
            self.now += took
            tuner.batch_done(32, took)


def _tuner(machine):
    return BlasTuner([1, 2], machine.set_threads, trial=0.15, rounds=4, hold=10.0, warmup=1.0)


def test_after_a_warmup_the_counts_take_turns_then_the_fastest_is_kept():
    machine = _Machine({1: 85_000, 2: 90_000})  # 6% faster: beyond the margin, not clear at once
    tuner = _tuner(machine)
    machine.train(tuner, 0.9)
    assert machine.history == [1] and not tuner.trialling  # warming up on every core but the GUI's
    machine.train(tuner, 2.0)
    # Turns 1 2 2 1 1 2 2 1, then 2 kept.
    assert machine.history == [1, 2, 1, 2, 1, 2] and tuner.current == 2 and not tuner.trialling
    assert tuner.rates[1] == pytest.approx(85_000) and tuner.rates[2] == pytest.approx(90_000)


def test_a_clear_winner_is_kept_after_two_trials_each():
    """Every trial of two threads beat every trial of one by more than CLEAR: after turns 1 2 2 1 it is
    kept, with no more time spent training on the slow count."""
    machine = _Machine({1: 50_000, 2: 90_000})
    tuner = _tuner(machine)
    machine.train(tuner, 1.0 + 4 * 0.15 + 0.05)  # the warm-up and four trials, and a few batches
    assert machine.history == [1, 2, 1, 2] and tuner.current == 2 and not tuner.trialling
    assert tuner.rates[1] == pytest.approx(50_000) and tuner.rates[2] == pytest.approx(90_000)


def test_the_next_run_starts_on_the_count_the_last_one_kept():
    machine = _Machine({1: 50_000, 2: 90_000})
    machine.train(_tuner(machine), 2.0)
    assert BlasTuner.last_kept == 2
    again = _Machine({1: 50_000, 2: 90_000})
    tuner = _tuner(again)
    again.train(tuner, 0.9)
    assert again.history == [2] and not tuner.trialling  # warming up on two threads
    again.train(tuner, 1.0)
    assert again.history == [2, 1, 2] and tuner.current == 2  # turns 2 1 1 2: the one in use first


def test_more_threads_win_a_near_tie():
    """In the window, every core trained faster overall than the batches alone showed (validation and the
    probes' products gain too), so a near tie goes to more threads."""
    machine = _Machine({1: 51_000, 2: 50_000})  # 2% slower: within the margin
    tuner = _tuner(machine)
    machine.train(tuner, 3.0)
    assert machine.history == [1, 2, 1, 2, 1, 2] and tuner.current == 2  # turns 1 2 2 1 1 2 2 1, then 2 kept


def test_a_clearly_faster_count_wins_over_more_threads():
    machine = _Machine({1: 60_000, 2: 50_000})  # something else runs on the second core
    tuner = _tuner(machine)
    machine.train(tuner, 5.0)
    assert tuner.current == 1


def test_one_slow_trial_does_not_decide():
    """A burst of the GUI's work during one trial (it drew a view while the products ran) slows that trial,
    not the count: each count is judged by the median of its trials. In total, the burst would have made
    two threads look slower than one."""
    def two_threads(now):
        return 20_000 if 1.16 < now < 1.29 else 90_000  # the first trial of two threads: 1.15 s to 1.30 s

    machine = _Machine({1: 80_000, 2: two_threads})
    tuner = _tuner(machine)
    machine.train(tuner, 4.0)
    assert tuner.current == 2 and tuner.rates[2] == pytest.approx(90_000, rel=0.01)


def test_turns_see_through_a_machine_that_slows_down_as_they_run():
    """The machine loses a third of its speed over the trials: one long trial each would credit the first
    count with the fast start. Taking turns, the count that is 10% faster wins."""
    def drifting(factor):
        return lambda now: factor * 100_000 * (1.0 - 0.3 * min(max(now - 1.0, 0.0), 1.2) / 1.2)

    machine = _Machine({1: drifting(1.0), 2: drifting(1.1)})
    tuner = _tuner(machine)
    machine.train(tuner, 4.0)
    assert tuner.current == 2 and tuner.rates[2] > tuner.rates[1]


def test_it_measures_again_after_holding_and_follows_a_change_of_load():
    machine = _Machine({1: 50_000, 2: 90_000})
    tuner = _tuner(machine)
    machine.train(tuner, 3.0)  # warm-up 1 s, trials 0.6 s (a clear winner): two threads from 1.6 s to 11.6 s
    assert tuner.current == 2
    machine.speeds = {1: 48_000, 2: 6_000}  # something else now runs on the second core
    machine.train(tuner, 8.5)
    assert tuner.current == 2 and len(machine.history) == 4  # held, however slow
    machine.train(tuner, 3.0)  # measured again, the one in use first, and left
    assert tuner.current == 1 and machine.history[-1] == 1
    assert tuner.rates[2] == pytest.approx(6_000) and tuner.rates[1] == pytest.approx(48_000)


def test_the_job_tells_its_tuner_each_batch_s_samples_and_training_time_not_its_pauses():
    """The training job feeds a tuner it is given (a window's runner gives one) with each batch's samples
    and the seconds it took to train: a pause between two batches is in none of them."""
    import time

    from nnplayground.session import Experiment, Session, State, ThreadRunner

    class Recorder:
        def __init__(self):
            self.batches = []

        def batch_done(self, samples, seconds):
            self.batches.append((samples, seconds))

    recorder = Recorder()

    class TunedRunner(ThreadRunner):
        def start(self, job, control, on_report, on_finished):
            job.blas_tuner = recorder
            super().start(job, control, on_report, on_finished)

    runner = TunedRunner()
    session = Session(Experiment(dataset="moons", batch_size=8, epochs=1000), runner=runner)
    session.load_data()
    started = time.perf_counter()
    session.train()
    while session.run_log.step < 10:
        assert runner.deliver()
    session.pause()
    while runner.deliver(timeout=0.5):  # paused for half a second at least
        pass
    paused_at = session.run_log.step
    session.train()  # resume
    while session.run_log.step < paused_at + 5:
        assert runner.deliver()
    session.stop()
    while session.state is not State.IDLE:
        assert runner.deliver()
    elapsed = time.perf_counter() - started
    samples, seconds = np.array(recorder.batches).T
    assert len(recorder.batches) == session.run_log.step
    # The job reports samples / seconds: multiplied back, it is the count to within float rounding
    assert samples.sum() == pytest.approx(session.last_progress["samples_per_second"] *
                                          session.last_progress["seconds"], rel=1e-12)
    assert samples.max() == 8 and samples.min() >= 1 and (seconds > 0).all()
    assert seconds.sum() < elapsed - 0.5  # the pause is not training time


def test_a_close_call_is_measured_again_sooner_than_a_clear_one():
    """One thread 4% faster, in a burst of another program's work: kept for a fifth of the hold (2 s
    here), then measured again, and two threads win once the burst is over."""
    machine = _Machine({1: 52_000, 2: 50_000})
    tuner = _tuner(machine)
    machine.train(tuner, 3.0)  # warm-up 1 s, eight trials 1.2 s: one thread from 2.2 s
    assert tuner.current == 1 and not tuner.trialling
    machine.speeds = {1: 52_000, 2: 90_000}  # the burst is over
    machine.train(tuner, 1.3)  # held until 4.2 s, then trials: one thread in use first
    assert tuner.trialling
    machine.train(tuner, 1.0)
    assert tuner.current == 2 and not tuner.trialling  # a clear winner after two trials each
