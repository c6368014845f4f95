"""The BLAS tuner of a window's run: it keeps the thread count that trains fastest, and looks again."""

import numpy as np
import pytest

from nnplayground.session.threads import BlasTuner


class _Machine:
    """Batches of 32 samples at a speed that depends on the BLAS threads (samples a second per count)."""

    def __init__(self, speeds: dict[int, float]):
        self.speeds, self.threads, self.now, self.samples = speeds, None, 0.0, 0
        self.history: list[int] = []

    def set_threads(self, count: int) -> None:
        self.threads = count
        self.history.append(count)

    def train(self, tuner: BlasTuner, seconds: float) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now += 32 / self.speeds[self.threads or 1]
            self.samples += 32
            tuner.batch_done(self.samples, self.now)


def test_it_tries_each_count_then_keeps_the_fastest():
    machine = _Machine({1: 50_000, 2: 90_000})
    tuner = BlasTuner([1, 2], machine.set_threads, trial=0.5, hold=10.0)
    machine.train(tuner, 5.0)
    assert machine.history == [1, 2] and tuner.current == 2 and not tuner.trialling
    assert tuner.rates[1] == pytest.approx(50_000) and tuner.rates[2] == pytest.approx(90_000)


def test_fewer_threads_win_a_near_tie():
    machine = _Machine({1: 50_000, 2: 51_500})  # 3% faster: not worth a second core
    tuner = BlasTuner([2, 1], machine.set_threads, trial=0.5, hold=10.0)
    machine.train(tuner, 5.0)
    assert machine.history == [1, 2, 1] and tuner.current == 1


def test_it_measures_again_after_holding_and_follows_a_change_of_load():
    machine = _Machine({1: 50_000, 2: 90_000})
    tuner = BlasTuner([1, 2], machine.set_threads, trial=0.5, hold=10.0)
    machine.train(tuner, 5.0)
    assert tuner.current == 2
    machine.speeds = {1: 48_000, 2: 6_000}  # something else now runs on the second core
    machine.train(tuner, 5.5)  # held (until 11 s): two threads, however slow
    assert tuner.current == 2 and machine.history == [1, 2]
    machine.train(tuner, 5.0)  # measured again: the one in use first (no switch), then the other
    assert machine.history == [1, 2, 1] and tuner.current == 1
    assert tuner.rates[2] < 10_000 and tuner.rates[1] > 40_000


def test_paused_time_measures_nothing():
    machine = _Machine({1: 50_000, 2: 90_000})
    tuner = BlasTuner([1, 2], machine.set_threads, trial=0.5, hold=10.0)
    machine.train(tuner, 0.2)  # part of the one-thread trial
    machine.now += 60.0  # the user pauses for a minute
    tuner.interrupted(machine.samples, machine.now)
    machine.train(tuner, 2.0)
    assert tuner.rates[1] == pytest.approx(50_000) and tuner.current == 2


def test_the_job_tells_its_tuner_every_batch_and_each_pause():
    """The training job feeds a tuner it is given (a window's runner gives one) with its sample count after
    every batch, and says when it was paused, so that paused time is never measured."""
    from nnplayground.session import Experiment, Session, State, ThreadRunner

    class Recorder:
        def __init__(self):
            self.batches, self.pauses = [], []

        def batch_done(self, samples, now):
            self.batches.append(samples)

        def interrupted(self, samples, now):
            self.pauses.append(samples)

    recorder = Recorder()

    class TunedRunner(ThreadRunner):
        def start(self, job, control, on_report, on_finished):
            job.blas_tuner = recorder
            super().start(job, control, on_report, on_finished)

    runner = TunedRunner()
    session = Session(Experiment(dataset="moons", batch_size=8, epochs=1000), runner=runner)
    session.load_data()
    session.train()
    while session.run_log.step < 10:
        assert runner.deliver()
    session.pause()
    while runner.deliver(timeout=0.5):
        pass
    paused_at = session.run_log.step
    assert recorder.pauses == [] and len(recorder.batches) == paused_at
    trained = recorder.batches[-1]
    session.train()  # resume
    while session.run_log.step < paused_at + 5:
        assert runner.deliver()
    session.stop()
    while session.state is not State.IDLE:
        assert runner.deliver()
    assert recorder.pauses == [trained]  # once, as the run went on, with the samples trained by then
    assert len(recorder.batches) == session.run_log.step
    steps = np.diff(recorder.batches)
    assert steps.min() > 0 and steps.max() <= 8
