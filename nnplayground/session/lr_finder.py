"""The learning-rate range test (Leslie N. Smith, "Cyclical Learning Rates for Training Neural Networks",
2017; the "LR finder" of fast.ai): train a copy of the network for a few hundred batches while the rate
grows exponentially from tiny to huge, and watch the loss. Where it falls fastest is a good rate to train
at; where it blows up, the rate is too high.

The job trains a copy (same layers and weights, a fresh optimizer of the same kind and settings), never
the session's network: its weights and its optimizer's state are the same before and after, bit for bit.
It runs as a session side job (`Session.run_job`): on the window's worker thread with progress and
cancel, or to the end on the command line.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from nnplayground import optimizers
from nnplayground.models import Sequential
from nnplayground.session.jobs import FAILURE_PREFIX, REPORT_INTERVAL, Control

START, END, STEPS = 1e-6, 10.0, 300  # the rates tried, from START to END over STEPS batches
SMOOTHING = 0.95  # the loss's exponential moving average: each batch weighs 5%
BLOW_UP = 4.0  # stop once the smoothed loss is this many times its lowest
SETTLE = 0.1  # the share of the planned steps at the start the suggestion ignores: the average settles there


def rates_between(start: float, end: float, steps: int) -> np.ndarray:
    """`steps` rates growing exponentially (evenly on a log scale) from `start` to `end`."""
    return np.geomspace(start, end, steps)


def smooth(losses: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """The exponential moving average of `losses` with bias correction: average_i = beta average_(i-1) +
    (1 - beta) loss_i from average_(-1) = 0, divided by (1 - beta^(i+1)), so that the first values are not
    pulled towards zero."""
    out = np.empty(len(losses))
    average = 0.0
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * float(loss)
        out[i] = average / (1 - beta ** (i + 1))
    return out


def suggest(rates: np.ndarray, smoothed: np.ndarray, settle: int = 0) -> float | None:
    """The suggested learning rate: where the smoothed loss falls fastest before its minimum.

    Exactly: with x = log10(rate) and h the number of points in half a decade of rates (at least 1), the
    slope at point i is (smoothed[i + h] - smoothed[i - h]) / (x[i + h] - x[i - h]): the fall over a whole
    decade centred on i, which a few noisy batches cannot fake. Among the points i from `settle` + h (the
    first `settle` points, while the average settles, are left out) to m - h, where m is the point of the
    lowest smoothed loss, the one with the most negative slope gives the suggestion: its rate, rounded to
    two significant digits. None if no slope there is negative (the loss never fell) or there is no such i.
    """
    rates, smoothed = np.asarray(rates, float), np.asarray(smoothed, float)
    finite = np.isfinite(smoothed)
    if len(rates) < 3 or not finite.any():
        return None
    x = np.log10(rates)
    h = max(1, round(0.5 / ((x[-1] - x[0]) / (len(x) - 1))))
    lowest = int(np.argmin(np.where(finite, smoothed, np.inf)))
    centres = np.arange(settle + h, lowest - h + 1)
    if not len(centres):
        return None
    slopes = (smoothed[centres + h] - smoothed[centres - h]) / (x[centres + h] - x[centres - h])
    steepest = int(np.argmin(slopes))
    if not slopes[steepest] < 0:
        return None
    return float(f"{rates[centres[steepest]]:.2g}")


@dataclass
class RangeTest:
    """A range test's curve so far: one entry per batch trained."""

    rates: list[float] = field(default_factory=list)  # the rate each batch was trained at
    losses: list[float] = field(default_factory=list)  # its loss (before its step)
    smoothed: list[float] = field(default_factory=list)  # the smoothed loss (see smooth)
    planned: int = STEPS  # batches the whole range takes
    suggestion: float | None = None  # set when the test ends (see suggest)
    ended: str = ""  # "range done", "loss blew up", "cancelled" or "failed"

    def add(self, rates, losses, smoothed) -> None:
        self.rates += list(rates)
        self.losses += list(losses)
        self.smoothed += list(smoothed)

    def table(self, rows: int = 12) -> list[tuple[float, float]]:
        """About `rows` (rate, smoothed loss) pairs spread evenly over the curve, and always its last."""
        if not self.rates:
            return []
        picks = sorted(set(np.linspace(0, len(self.rates) - 1, min(rows, len(self.rates))).round().astype(int)))
        return [(self.rates[i], self.smoothed[i]) for i in picks]


def copy_for_test(model: Sequential) -> Sequential:
    """A separate network with `model`'s layers and weights, and a fresh optimizer of the same kind and
    settings (no momentum or averages carried over). Nothing is shared with `model`."""
    twin = Sequential.from_config(model.get_config(), rng=np.random.default_rng(0))
    twin.set_weights(model.get_weights())
    twin.compile(optimizer=optimizers.deserialize(optimizers.serialize(model.optimizer)), loss=model.loss)
    return twin


class RangeTestJob:
    """The range test as a session job: ``run(control, report) -> finish reason``.

    The copy of the network is made here, on the caller's thread, while the session's network is at rest;
    the job then never reads it. Reports ``{"range_test": {"rates", "losses", "smoothed": the new points,
    "done", "planned"}}`` about REPORT_INTERVAL apart; `result` holds the whole curve and, once ended,
    the suggestion.
    """

    def __init__(self, model: Sequential, x: np.ndarray, y: np.ndarray, *, batch_size: int, start: float = START,
                 end: float = END, steps: int = STEPS, seed: int = 0):
        if not 0 < start < end or steps < 10:
            raise ValueError("the range test needs 0 < start < end and at least 10 steps")
        self.model = copy_for_test(model)
        self.x, self.y = x, y
        self.batch_size = max(1, min(batch_size, len(x)))
        self.rates = rates_between(start, end, steps)
        self.rng = np.random.default_rng(seed)
        self.result = RangeTest(planned=steps)

    def run(self, control: Control, report) -> str:
        result, pending = self.result, ([], [], [])
        average, lowest, last_report = 0.0, math.inf, -math.inf  # the first point is reported at once
        order, position = self.rng.permutation(len(self.x)), 0
        ended = "range done"
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for i, rate in enumerate(self.rates):
                    go, _ = control.wait_for_go()
                    if not go:
                        ended = "cancelled"
                        break
                    if position + self.batch_size > len(order):  # a new pass over the data
                        order, position = self.rng.permutation(len(self.x)), 0
                    batch = order[position: position + self.batch_size]
                    position += self.batch_size
                    self.model.optimizer.learning_rate = float(rate)
                    loss = float(self.model.train_on_batch(self.x[batch], self.y[batch]))
                    average = SMOOTHING * average + (1 - SMOOTHING) * loss
                    smoothed = average / (1 - SMOOTHING ** (i + 1))
                    for column, value in zip(pending, (float(rate), loss, smoothed), strict=True):
                        column.append(value)
                    if not math.isfinite(smoothed) or smoothed > BLOW_UP * lowest:
                        ended = "loss blew up"
                        break
                    lowest = min(lowest, smoothed)
                    if time.perf_counter() - last_report >= REPORT_INTERVAL:
                        self._report(report, pending)
                        pending, last_report = ([], [], []), time.perf_counter()
        except Exception as error:  # noqa: BLE001 - any failure must reach the user, not kill the thread
            self._report(report, pending)
            result.ended = "failed"
            report({"message": f"{FAILURE_PREFIX}{error}"})
            return "failed"
        self._report(report, pending)
        result.ended = ended
        result.suggestion = suggest(np.asarray(result.rates), np.asarray(result.smoothed),
                                    settle=int(SETTLE * result.planned))
        report({"range_test_ended": result})
        return "stopped" if ended == "cancelled" else "completed"

    def _report(self, report, pending) -> None:
        self.result.add(*pending)
        report({"range_test": {"rates": pending[0], "losses": pending[1], "smoothed": pending[2],
                               "done": len(self.result.rates), "planned": self.result.planned}})


def training_data(session) -> tuple[np.ndarray, np.ndarray]:
    """The samples the session's runs train on (without the part a validation split holds out)."""
    data, split = session.dataset, session.experiment.validation_split
    n = int(len(data.x_train) * (1 - split)) if split else len(data.x_train)
    return data.x_train[:n], data.y_train[:n]


def start_range_test(session, on_report, on_finished, **options) -> RangeTestJob | None:
    """Run the range test on the session's network and data as a side job (see Session.run_job); the
    reports go to `on_report`, the finish reason to `on_finished`. Returns the job (its `result` grows as
    it runs), or None if it cannot run now (said on the session's ``message`` event): no network yet, or a
    run is under way. `options`: start, end, steps."""
    if session.model is None or session.dataset is None:
        session.events.emit("message", "There is no network to test yet: pick data and layers first.")
        return None
    refusal = session.side_job_refusal()
    if refusal:
        session.events.emit("message", refusal)
        return None
    x, y = training_data(session)
    job = RangeTestJob(session.model, x, y, batch_size=session.experiment.batch_size, seed=session.experiment.seed,
                       **options)
    return job if session.run_job(job, on_report, on_finished) else None
