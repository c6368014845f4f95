"""How many threads the BLAS library (OpenBLAS under NumPy) may use while a window trains.

Headless, BLAS spreads each matrix product over every core. Beside a GUI no one number is right. With the
machine otherwise quiet, a 128-64 network trained in the window at 92% of the headless rate with two BLAS
threads on two cores and at 52% with one (nnplayground bench --gui, rounds side by side). With anything
else running, a BLAS thread spinning beside the GUI thread takes the core the GUI needs, each product
waits for whichever of its threads was pushed aside, and two threads trained several times slower than
one. So a window's run measures: it tries each candidate in turn and keeps the fastest (BlasTuner).
"""

import contextlib
import os
from collections.abc import Callable, Sequence

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

    Each candidate trains for `trial` seconds in turn, the fastest is kept for `hold` seconds, then they
    are tried again (the machine's load changes). The rate is samples over wall time, so the time the job
    waits for the GUI and answers probes counts: a BLAS thread that slows the GUI's drawing shows. Fewer
    threads win unless more are faster by MARGIN. The job calls `batch_done` after each batch and
    `interrupted` after a pause (paused time measures nothing)."""

    MARGIN = 0.05

    def __init__(self, candidates: Sequence[int], set_threads: Callable[[int], None], trial: float = 0.5,
                 hold: float = 15.0):
        self.candidates = sorted(set(candidates))
        self.set_threads = set_threads
        self.trial, self.hold = trial, hold
        self.rates: dict[int, float] = {}
        self.to_try = list(self.candidates)
        self.current: int | None = None
        self.trialling = True
        self.since, self.samples_then = 0.0, 0

    def batch_done(self, samples: int, now: float) -> None:
        """After a batch: `samples` trained so far in the run, `now` a monotonic clock in seconds."""
        if self.current is None:
            self._use(self.to_try.pop(0), samples, now)
            return
        elapsed = now - self.since
        if elapsed < (self.trial if self.trialling else self.hold):
            return
        if not self.trialling:  # held long enough: measure again, the one in use first (no switch)
            self.trialling, self.rates = True, {}
            self.to_try = [count for count in self.candidates if count != self.current]
            self.since, self.samples_then = now, samples
            return
        self.rates[self.current] = (samples - self.samples_then) / elapsed
        if self.to_try:
            self._use(self.to_try.pop(0), samples, now)
            return
        self.trialling = False
        self._use(self.best(), samples, now)

    def best(self) -> int:
        """The fewest threads within MARGIN of the fastest rate measured."""
        fastest = max(self.rates.values())
        return min(count for count, rate in self.rates.items() if rate >= fastest * (1 - self.MARGIN))

    def interrupted(self, samples: int, now: float) -> None:
        """The run was paused: what follows is measured from now."""
        self.since, self.samples_then = now, samples

    def _use(self, count: int, samples: int, now: float) -> None:
        if count != self.current:
            self.set_threads(count)
        self.current, self.since, self.samples_then = count, now, samples
