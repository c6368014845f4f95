"""Sweeps: the comparison done for you. One experiment trained over a list of values of one or two
settings (the grid of both), each run a real headless training on the same data, side by side in worker
processes, each result recorded in the run history.

    sweep = Sweep(experiment, {"learning_rate": [0.001, 0.01, 0.1], "activation": ["relu", "tanh"]},
                  dataset, history=RunHistory())
    results = sweep.run(on_result=print)          # blocks; or start() and poll take_finished()

Runs go to a `concurrent.futures.Executor`: by default a process pool with one worker per core (each
worker's BLAS limited to its share of the cores, so that workers do not fight over them), but any
executor works, e.g. a Dask ``distributed`` Client's ``get_executor()`` or a Ray pool; the task
(`train_task`) and its argument (`SweepTask`) are top-level, picklable plain data. A run trains exactly as
the window and the command line train (a `Session` with the synchronous runner), so a sweep's results
equal a sequential run of the same seeds, weight for weight, given as many BLAS threads (a BLAS may sum a
matrix product in another order with more threads).

Cancelling cancels the runs not yet started; the runs in progress on this machine stop at their next
batch (they watch for a flag file), others (on a cluster) finish and are ignored.
"""

import contextlib
import itertools
import math
import multiprocessing
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from nnplayground.session.experiment import HIDDEN_ACTIVATIONS, OPTIMIZERS, Experiment, LayerSpec
from nnplayground.session.history import RunRecord, layers_in_words, new_id
from nnplayground.session.threads import blas_threads, cores

MAX_RUNS = 64  # a grid larger than this is a mistake in the values, not a sweep anyone waits for
CANCEL_POLL = 0.1  # seconds between a worker's looks at its sweep's cancel flag


# ----- the settings a sweep varies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One setting a sweep can vary: how a value is read from text, put into an experiment and written."""

    name: str  # the Experiment field (or "activation" and "dropout": every hidden layer's)
    label: str  # in words, for people: "learning rate"
    parse: Callable[[str], object]
    apply: Callable[[Experiment, object], None]  # on a copy
    current: Callable[[Experiment], object]
    suggest: Callable[[Experiment], list]  # values worth comparing, around the experiment's own

    def show(self, value) -> str:
        if self.name == "layers":
            return layers_in_words([{"units": units} for units in value])
        return f"{value:g}" if isinstance(value, float) else str(value)


def _choice(choices):
    def parse(text):
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text
    return parse


def _number(kind, low, high, high_open=False):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not (low <= value and (value < high if high_open else value <= high)) or not math.isfinite(value):
            raise ValueError(f"{text} is outside {low:g} to {high:g}")
        return value
    return parse


def _units(text):
    if text.strip().lower() == "none":
        return []
    try:
        units = [int(part) for part in text.replace("x", "-").split("-")]
    except ValueError:
        raise ValueError(f"{text!r} is not layer sizes like 32-16 (or none)") from None
    if any(not 1 <= u <= 4096 for u in units):
        raise ValueError(f"{text!r}: a layer has 1 to 4,096 units")
    return units


def _set_layers(e: Experiment, units) -> None:
    """New hidden layer sizes; each layer keeps the activation, dropout and initializer of the first."""
    first = e.layers[0] if e.layers else LayerSpec()
    e.layers = [LayerSpec(n, first.activation, first.dropout, first.initializer) for n in units]


def _every_layer(key):
    def apply(e, value):
        for spec in e.layers:
            setattr(spec, key, value)
    return apply


def _first_layer(key, default):
    return lambda e: getattr(e.layers[0], key) if e.layers else default


def _around(value, factors, kind=float):
    return sorted({kind(value * f) if kind is int else float(f"{value * f:.3g}") for f in factors})


def _setattr(key):
    return lambda e, value: setattr(e, key, value)


def _getattr(key):
    return lambda e: getattr(e, key)


SETTINGS = {setting.name: setting for setting in (
    Setting("learning_rate", "learning rate", _number(float, 1e-6, 10), _setattr("learning_rate"),
            _getattr("learning_rate"), lambda e: _around(e.learning_rate, (0.1, 1, 10))),
    Setting("activation", "activation", _choice(HIDDEN_ACTIVATIONS), _every_layer("activation"),
            _first_layer("activation", "relu"), lambda e: ["relu", "tanh", "sigmoid"]),
    Setting("optimizer", "optimizer", _choice(OPTIMIZERS), _setattr("optimizer"), _getattr("optimizer"),
            lambda e: ["sgd", "momentum", "adam"]),
    Setting("batch_size", "batch size", _number(int, 1, 65536), _setattr("batch_size"), _getattr("batch_size"),
            lambda e: _around(e.batch_size, (0.5, 1, 2), int)),
    Setting("layers", "layers", _units, _set_layers, lambda e: [spec.units for spec in e.layers],
            lambda e: [[8], [8, 8], [32, 32]]),
    Setting("l2", "L2", _number(float, 0, 1), _setattr("l2"), _getattr("l2"), lambda e: [0.0, 0.001, 0.01]),
    Setting("dropout", "dropout", _number(float, 0, 1, high_open=True), _every_layer("dropout"),
            _first_layer("dropout", 0.0), lambda e: [0.0, 0.2, 0.5]),
    Setting("seed", "seed", _number(int, 0, 2**31 - 1), _setattr("seed"), _getattr("seed"),
            lambda e: [e.seed, e.seed + 1, e.seed + 2]),
)}
ALIASES = {"lr": "learning_rate", "activations": "activation", "hidden": "layers", "units": "layers"}


def setting(name: str) -> Setting:
    """The setting `name` ("learning_rate", "learning-rate", "lr", ...); ValueError naming those there are."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in SETTINGS:
        raise ValueError(f"a sweep cannot vary {name!r}; it varies {', '.join(SETTINGS)}")
    return SETTINGS[key]


def parse_values(name: str, text: str) -> list:
    """"0.001, 0.01" -> [0.001, 0.01] for `name`'s setting; ValueError saying which value is wrong."""
    found = setting(name)
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{found.label}: no values given")
    values = []
    for item in items:
        try:
            value = found.parse(item)
        except ValueError as error:
            raise ValueError(f"{found.label}: {error}") from None
        if value not in values:
            values.append(value)
    return values


def parse_vary(text: str) -> tuple[str, list]:
    """"learning_rate=0.001,0.01" -> ("learning_rate", [0.001, 0.01]) (the command line's --vary)."""
    name, equals, values = text.partition("=")
    if not equals:
        raise ValueError(f"--vary takes SETTING=VALUE,VALUE (e.g. learning_rate=0.001,0.01), not {text!r}")
    return setting(name).name, parse_values(name, values)


def grid(vary: dict[str, list]) -> list[dict]:
    """Every combination of the values, the first setting's varying slowest: [{setting: value}, ...]."""
    names = list(vary)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(vary[n] for n in names))]


def point_name(settings: dict) -> str:
    """{"learning_rate": 0.01, "activation": "tanh"} -> "learning rate 0.01, activation tanh"."""
    return ", ".join(f"{SETTINGS[name].label} {SETTINGS[name].show(value)}" for name, value in settings.items())


def experiment_at(experiment: Experiment, settings: dict) -> Experiment:
    """A copy of `experiment` with the sweep's `settings` applied."""
    twin = experiment.replaced()
    for name, value in settings.items():
        SETTINGS[name].apply(twin, value)
    return twin


# ----- one run, in a worker ----------------------------------------------------------------------------


@dataclass
class SweepTask:
    """Everything one run needs, as picklable data: sent to a worker process (or a cluster)."""

    experiment: Experiment
    dataset: object  # a catalog.Dataset, or None: the worker loads the experiment's data itself
    record_id: str
    name: str
    sweep: dict  # {"id", "settings"} for the record
    blas_threads: int | None = None  # BLAS threads in the worker; None: as the worker has them
    cancel_flag: str | None = None  # a path: once it exists, the run stops at its next batch


@dataclass
class SweepResult:
    """One run's outcome: its record (curves, metrics), its final weights, or why it failed."""

    index: int  # its place in the sweep's grid
    settings: dict
    record: RunRecord | None = None
    weights: list = field(default_factory=list)  # the trained network's weights (numpy arrays)
    cancelled: bool = False  # stopped by the sweep's cancel before its end
    error: str | None = None


class _WorkerRunner:
    """The synchronous runner, plus a watcher that stops the job once the sweep's cancel flag (a file)
    appears: a file, because a path pickles anywhere, and a worker needs nothing else to see it."""

    can_wait = False

    def __init__(self, flag: str):
        self.flag = flag
        self.cancelled = False

    def start(self, job, control, on_report, on_finished) -> None:
        finished = threading.Event()

        def watch():
            while not finished.wait(CANCEL_POLL):
                if os.path.exists(self.flag):
                    self.cancelled = True
                    control.stop()
                    return
        watcher = threading.Thread(target=watch, name="sweep cancel watcher", daemon=True)
        watcher.start()
        try:
            reason = job.run(control, on_report)
        finally:
            finished.set()
            watcher.join()
        on_finished(reason)


def train_task(task: SweepTask) -> dict:
    """Train one run of a sweep, headless: the task's experiment on its data (loaded here if None), as
    the window and the command line train it. Returns plain data (see `SweepResult`): the record, the
    final weights, and whether the sweep's cancel stopped it. Runs in a worker process."""
    from nnplayground.session.session import Session  # the worker's import; session imports nothing of ours

    if task.cancel_flag and os.path.exists(task.cancel_flag):
        return {"cancelled": True}
    runner = _WorkerRunner(task.cancel_flag) if task.cancel_flag else None
    limit = blas_threads(task.blas_threads) if task.blas_threads else contextlib.nullcontext()
    with limit:
        session = Session(task.experiment, runner=runner)
        diverged = []
        session.events.connect("diverged", diverged.append)
        if task.dataset is not None:
            session.use_data(task.dataset, task.experiment)
        else:
            session.load_data()
        session.run_log.name = task.name
        session.train()
    log = session.run_log
    if diverged:
        log.finish_reason = "diverged"
    record = RunRecord.of_run(log, task.record_id, sweep=task.sweep)
    weights = session.model.get_weights() if session.model is not None else []
    return {"record": record, "weights": weights, "cancelled": bool(runner and runner.cancelled)}


# ----- the sweep ---------------------------------------------------------------------------------------


class SequentialExecutor(Executor):
    """Runs each task at once, on the calling thread: the sweep one run after another (for comparison,
    and where processes are not wanted)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - handed to whoever reads the future, as any executor does
            future.set_exception(error)
        return future


def start_method() -> str:
    """"forkserver" where there is one (Linux, macOS): workers fork from a clean server process, never from
    a window's process with Qt's threads running (forking that is unsafe); else "spawn"."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class Sweep:
    """A grid of runs of one experiment over one or two settings' values (see the module's description).

    `vary`: {setting name: [values]}, one or two settings. `dataset`: the data every run trains on (the
    session's, so every run sees the same split); None: each worker loads the experiment's data itself
    (for a cluster, where shipping the data costs more than loading it). `history`: where results are
    recorded (on the thread that takes them: `take_finished`, `wait`, `run`). `executor`: any
    concurrent.futures.Executor; None: a process pool of `workers` processes (default: one per core),
    shut down when the sweep is over or cancelled.
    """

    def __init__(self, experiment: Experiment, vary: dict[str, list], dataset=None, *, history=None,
                 executor: Executor | None = None, workers: int | None = None, threads: int | None = None):
        if not 1 <= len(vary) <= 2:
            raise ValueError("a sweep varies one or two settings")
        self.vary = {setting(name).name: list(values) for name, values in vary.items()}
        self.points = grid(self.vary)
        if not 1 <= len(self.points) <= MAX_RUNS:
            raise ValueError(f"a sweep of {len(self.points)} runs: give between 1 and {MAX_RUNS}")
        self.experiments = [experiment_at(experiment, point) for point in self.points]
        for point, e in zip(self.points, self.experiments, strict=True):
            problems = e.problems()
            if problems:
                raise ValueError(f"{point_name(point)}: {next(iter(problems.values()))}")
            if e.run_until_paused:  # a sweep's runs must end: each trains its epochs
                e.run_until_paused = False
        self.id = new_id()
        self.dataset, self.history = dataset, history
        self.workers = max(1, workers or cores())
        self._own_pool = executor is None
        self.executor = executor
        self.threads = threads if threads is not None else \
            (max(1, cores() // min(self.workers, len(self.points))) if self._own_pool else None)
        self.futures: list[Future] = []
        self.results: list[SweepResult | None] = [None] * len(self.points)
        self.cancelled = False
        self._taken: set[int] = set()
        # Workers on this machine see cancel as a file appearing; the folder goes with the sweep (or at exit).
        flags = tempfile.mkdtemp(prefix="nnplayground-sweep-")
        self.cancel_flag = os.path.join(flags, "cancel")
        weakref.finalize(self, shutil.rmtree, flags, ignore_errors=True)

    @property
    def total(self) -> int:
        return len(self.points)

    @property
    def finished(self) -> int:
        """Runs over (trained, failed or cancelled)."""
        return sum(future.done() for future in self.futures)

    @property
    def done(self) -> bool:
        return bool(self.futures) and all(future.done() for future in self.futures)

    def tasks(self) -> list[SweepTask]:
        return [SweepTask(e, self.dataset, f"{self.id}-{i + 1:02d}", point_name(point),
                          {"id": self.id, "settings": point}, self.threads, self.cancel_flag)
                for i, (point, e) in enumerate(zip(self.points, self.experiments, strict=True))]

    def start(self) -> None:
        """Hand every run to the executor (with a SequentialExecutor: train them all now)."""
        if self.executor is None:
            context = multiprocessing.get_context(start_method())
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload([__name__])  # each worker starts with the engine imported
            self.executor = ProcessPoolExecutor(min(self.workers, self.total), mp_context=context)
        self.futures = [self.executor.submit(train_task, task) for task in self.tasks()]

    def take_finished(self) -> list[SweepResult]:
        """The results that arrived since the last call, in the grid's order, recorded in the history; never
        blocks (the window polls this). Runs cancelled or stopped by cancel are not recorded."""
        fresh = []
        for index, future in enumerate(self.futures):
            if index in self._taken or not future.done():
                continue
            self._taken.add(index)
            result = self._result(index, future)
            self.results[index] = result
            if result.record is not None and not result.cancelled and self.history is not None:
                try:
                    self.history.save(result.record)
                except OSError as error:
                    result.error = f"could not be recorded: {error.strerror or error}"
            fresh.append(result)
        if self.done:
            self._shut_down()
        return fresh

    def wait(self, on_result: Callable[[SweepResult], None] | None = None,
             timeout: float | None = None) -> list[SweepResult]:
        """Block until every run is over (or `timeout`), calling `on_result` on this thread for each as it
        arrives; the results in the grid's order (None for a run not over)."""
        while True:
            # Those not over before taking the finished ones: when none is left, every result has been taken.
            # (A future cancelled by cancel() is done, but concurrent.futures.wait never counts it as such: its
            # executor never notifies it, and waiting for it would never end.)
            pending = [future for future in self.futures if not future.done()]
            for result in self.take_finished():
                if on_result is not None:
                    on_result(result)
            if not pending or not wait(pending, timeout=timeout, return_when="FIRST_COMPLETED").done:
                return list(self.results)

    def run(self, on_result=None) -> list[SweepResult]:
        """start() and wait(): the whole sweep, on this thread."""
        self.start()
        return self.wait(on_result)

    def cancel(self) -> None:
        """No further run starts; the runs in progress on this machine stop at their next batch."""
        self.cancelled = True
        for future in self.futures:
            future.cancel()
        with contextlib.suppress(OSError):  # a full disk: the runs in progress then finish, and are ignored
            open(self.cancel_flag, "x").close()
        self._shut_down()

    def close(self) -> None:
        """Cancel whatever is left and let the pool's processes go (a closing window)."""
        if not self.done:
            self.cancel()
        self._shut_down()

    def _shut_down(self) -> None:
        if self._own_pool and self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    def _result(self, index: int, future: Future) -> SweepResult:
        result = SweepResult(index, self.points[index])
        try:
            outcome = future.result()
        except CancelledError:
            result.cancelled = True
            return result
        except Exception as error:  # noqa: BLE001 - a failed run (or a broken pool) is said, never raised
            result.error = str(error) or type(error).__name__
            return result
        result.record, result.cancelled = outcome.get("record"), outcome["cancelled"]
        result.weights = outcome.get("weights", [])
        return result


def results_table(results: list[SweepResult]) -> list[dict]:
    """One row per run (of those over): its settings, best validation accuracy, final losses, epochs, time,
    how it ended; for a table printed or shown."""
    rows = []
    for result in results:
        if result is None:
            continue
        record = result.record
        final = record.final if record is not None else {}
        rows.append({"settings": result.settings, "name": point_name(result.settings),
                     "best_val_accuracy": record.best_val_accuracy if record else None,
                     "val_loss": final.get("val_loss"), "loss": final.get("loss"),
                     "epochs": record.epochs if record else 0, "seconds": record.seconds if record else 0.0,
                     "outcome": result.error or ("cancelled" if result.cancelled else
                                                 record.finish_reason if record else "not run"),
                     "id": record.id if record else None})
    return rows


def same_weights(a: list, b: list) -> bool:
    """Whether two networks' weights are equal, array for array (a sweep against a sequential run)."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
