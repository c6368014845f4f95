"""How many threads the BLAS library (OpenBLAS under NumPy) may use while a window trains.

Headless, BLAS spreads each matrix product over every core. Beside a GUI no one number is right. With the
machine otherwise quiet, a 128-64 network trained in the window at 92% of the headless rate with two BLAS
threads on two cores and at 52% with one (nnplayground bench --gui, rounds side by side); switching every
second within one window run, two threads trained it 22% faster, and the MNIST sample's 32-16 within 3%
of one. The job and the GUI take turns (app/worker.py), so while the job trains the GUI's core is mostly
free. With anything else running, a BLAS thread spinning beside the GUI thread takes the core the GUI
needs, each product waits for whichever of its threads was pushed aside, and two threads trained several
times slower than one. So a window's run measures: it tries each candidate in turn and keeps the fastest
(BlasTuner).
"""

import contextlib
import os
from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def beside_a_gui() -> int:
    """BLAS threads for a run that shares the machine with a GUI thread: every core but one."""
    return max(1, cores() - 1)


def candidates_beside_a_gui() -> tuple[int, ...]:
    """The thread counts a window's run tries: every core but one (the GUI's), and every core."""
    return tuple(dict.fromkeys((beside_a_gui(), cores())))


@contextlib.contextmanager
def blas_threads(limit: int):
    """At most `limit` BLAS threads inside the block (process-wide: BLAS has one pool), as before after."""
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def blas_setter() -> Callable[[int], None]:
    """A cheap way to set the BLAS threads, called between two batches (threadpoolctl looks for the
    libraries once, here, not at every change). Use it inside `blas_threads`, which restores them."""
    libraries = ThreadpoolController().select(user_api="blas").lib_controllers

    def set_threads(count: int) -> None:
        for library in libraries:
            library.set_num_threads(count)

    return set_threads


class BlasTuner:
    """Picks, as a run trains, the number of BLAS threads that trains fastest.

    The rate is samples over the batches' own compute time: validation, probes, waiting for the GUI and
    pauses are the same whatever BLAS does, and measured with the batches they only add noise (a 20%
    difference then came out either way). After `warmup` seconds (the run's first reports and views are
    slow whatever the count), the candidates take turns, `trial` seconds each, in `rounds` rounds ordered
    A B, B A, A B, B A (not one long trial each: the machine's speed drifts within seconds, and this order
    cancels an even drift). A candidate's rate is the median of its trials: a trial that met a burst of the
    GUI's work (it drew a view while the products ran) counts as one slow trial, not as a slow candidate.
    The fastest is kept for `hold` seconds, then they are measured again (the machine's load changes); a
    close call (no clear winner, see CLEAR) only for a fifth of that: another program's burst of work,
    come and gone within seconds, had made one thread win by 4% and kept it 15 s at two thirds the speed.
    Within MARGIN of the fastest, the most threads win: validation and the probes' products, which these
    batch times leave out, gain from them too. A count whose every trial beat every trial of the others by
    CLEAR wins as soon as each has had two trials: more trials would only train longer on a slow count.
    A run warms up on the count the last decision in this process kept (a user trains the same network
    again and again), or on the first candidate.
    Times are training seconds, not wall time."""

    MARGIN = 0.03
    CLEAR = 0.10
    last_kept: int | None = None  # the count the last decision kept, in any run of this process

    def __init__(self, candidates: Sequence[int], set_threads: Callable[[int], None], trial: float = 0.15,
                 rounds: int = 4, hold: float = 15.0, warmup: float = 1.0):
        self.candidates = sorted(set(candidates))
        self.set_threads = set_threads
        self.trial, self.rounds, self.hold = trial, rounds, hold
        self.current: int | None = None
        self.trialling = False
        self.rates: dict[int, float] = {}
        self._turns: list[int] = []
        self._trials: dict[int, list[float]] = {}  # candidate: the rate of each of its trials
        self._left = warmup  # training seconds until the next decision
        self._samples = self._seconds = 0.0

    def batch_done(self, samples: int, seconds: float) -> None:
        """After a batch of `samples` that took `seconds` to train."""
        if self.current is None:
            self._use(BlasTuner.last_kept if BlasTuner.last_kept in self.candidates else self.candidates[0])
        self._samples += samples
        self._seconds += seconds
        self._left -= seconds
        if self._left > 0:
            return
        if self.trialling and self._seconds > 0:
            self._trials.setdefault(self.current, []).append(self._samples / self._seconds)
            if self._clear_winner() is not None:
                self._turns = []
        self._samples = self._seconds = 0.0
        if not self._turns:
            if self.trialling:
                self.rates = {count: float(np.median(rates)) for count, rates in self._trials.items()}
                self.trialling = False
                self._use(self.best())
                BlasTuner.last_kept = self.current
                self._left = self.hold if self._clear_winner() is not None else self.hold / 5
                return
            self.trialling, self._trials = True, {}
            order = self._turns_order()
            # A B B A A B B A: a speed that drifts evenly through the trials favours neither.
            self._turns = [count for i in range(self.rounds) for count in (order if i % 2 == 0 else order[::-1])]
        self._use(self._turns.pop(0))
        self._left = self.trial

    def _turns_order(self) -> list[int]:
        """The one in use first (no switch to start with), then the others."""
        return [self.current, *(count for count in self.candidates if count != self.current)]

    def best(self) -> int:
        """The most threads within MARGIN of the fastest rate measured."""
        fastest = max(self.rates.values())
        return max(count for count, rate in self.rates.items() if rate >= fastest * (1 - self.MARGIN))

    def _clear_winner(self) -> int | None:
        """The count whose slowest trial beat every other count's fastest by CLEAR, once every candidate
        has had two trials at least."""
        trials = self._trials
        if len(trials) < len(self.candidates) or min(map(len, trials.values())) < 2:
            return None
        for count, rates in trials.items():
            if all(min(rates) >= max(other) * (1 + self.CLEAR) for each, other in trials.items() if each != count):
                return count
        return None

    def _use(self, count: int) -> None:
        if count != self.current:
            self.set_threads(count)
            self.current = count
