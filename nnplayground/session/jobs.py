"""Jobs: long tasks (training today; a learning-rate finder or a sweep later) that know nothing of a window.

The contract: ``job.run(control, report) -> finish reason``. The job calls ``control.wait_for_go()``
at every boundary where it may pause, stop or take commands, and ``report(dict)`` with what it has to
say; a runner decides on which thread the job runs and on which thread the reports arrive. Here: the
synchronous runner (the command line, scripts) and a plain-thread runner (tests); the window's runner
is a QThread in ``app/worker.py``.
"""

import math
import queue
import threading
import time

import numpy as np

from nnplayground.callbacks import Callback, EarlyStopping
from nnplayground.session.probes import ProbeContext, validation_of

UNLIMITED_EPOCHS = 10**9  # "run until paused": more epochs than anyone waits for; Pause or Stop ends it first
# Reports start every REPORT_INTERVAL: about 21 a second, smooth to the eye (the window's goal is 20 curve
# updates a second). Each report costs the job the GUI's drawing time (a window waits for it), so fewer
# reports are more training (nnplayground bench --gui measures it). Whatever the GUI takes, at least
# MIN_TRAINING passes between two reports.
REPORT_INTERVAL = 0.048
MIN_TRAINING = 0.025
# A slow probe (one second apart or more: evaluation, statistics, an embedding) shares a report with no
# other slow one: their costs, in the job and in the views that draw them, are spread over several reports.
SLOW_PROBE = 0.5


FAILURE_PREFIX = "Training stopped: "  # a job's failure, as its message begins

class Control:
    """Pause, step, stop and commands, from the session's thread to the job's; thread-safe.

    A job under a runner that cannot wait (the synchronous one: nobody is left to press Resume) treats
    a pause as the end of the run.
    """

    def __init__(self, paused: bool = False, can_wait: bool = True):
        self._condition = threading.Condition()
        self._paused, self._steps_allowed, self._stop = paused, 0, False
        self._commands: list = []
        self.can_wait = can_wait
        self.parked = False  # the job is waiting for go now: paused in fact, not only asked to

    def pause(self) -> None:
        with self._condition:
            self._paused, self._steps_allowed = True, 0

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def step(self) -> None:
        """Let exactly one more batch through, then stay paused."""
        with self._condition:
            self._paused = True
            self._steps_allowed += 1
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify_all()

    def submit(self, command) -> None:
        with self._condition:
            self._commands.append(command)
            self._condition.notify_all()

    def take_commands(self) -> list:
        """The commands the job never took (it ended first): the session applies them itself."""
        with self._condition:
            commands, self._commands = self._commands, []
            return commands

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopping(self) -> bool:
        return self._stop

    def wait_for_go(self, before_waiting=None, while_waiting=None) -> tuple[bool, list]:
        """Block while paused (first calling `before_waiting`, outside the lock); return (go on?, commands
        that arrived). Commands that arrive while it waits go to `while_waiting(commands)`, outside the
        lock, and the wait goes on: a save asked for during a pause is written now, not at Resume.
        Runs in the job's thread."""
        if not (self._paused or self._stop or self._commands):
            return True, ()  # the common case, every batch: no lock (a request that races it lands next batch)
        with self._condition:
            must_wait = self._paused and not self._steps_allowed and not self._stop
        if must_wait and not self.can_wait:
            self.stop()
        elif must_wait and before_waiting is not None:
            before_waiting()
        with self._condition:
            while self._paused and not self._steps_allowed and not self._stop:
                if self._commands and while_waiting is not None:
                    commands, self._commands = self._commands, []
                    self._condition.release()
                    try:
                        while_waiting(commands)
                    finally:
                        self._condition.acquire()
                    continue
                self.parked = True
                self._condition.wait()
            self.parked = False
            if self._steps_allowed and not self._stop:
                self._steps_allowed -= 1
            commands, self._commands = self._commands, []
            return not self._stop, commands


class TrainingJob:
    """`model.fit` on a dataset, reporting batches, whole epochs, progress, probe results and markers.

    Steps are the optimizer's own count (offset so that a run continues its numbering when the optimizer
    was replaced between two Trains); positions continue from `start_position`. `epochs` None: no limit,
    the job trains until it is stopped (its progress then has no ETA, no fraction and no planned end).
    """

    def __init__(self, model, data, *, epochs: int | None, batch_size: int, initial_epoch: int = 0, start_step: int = 0,
                 start_position: float = 0.0, validation_split: float = 0.0, patience: int = 0, probes=()):
        self.model, self.data = model, data
        self.epochs, self.batch_size, self.initial_epoch = epochs, batch_size, initial_epoch
        self.unlimited = epochs is None
        self.start_step, self.start_position = start_step, start_position
        self.validation_split, self.patience = validation_split, patience
        self.probes = list(probes)
        self.blas_tuner = None  # a window's runner gives one (session.threads.BlasTuner); headless keeps BLAS as is

    def run(self, control: Control, report) -> str:
        data, bridge = self.data, _Bridge(self, control, report)
        patience = _Patience(control, patience=self.patience) if self.patience else None
        # Patience first: the best weights are back before the bridge's last report shows the network.
        callbacks = [patience, bridge] if patience else [bridge]
        validation = None if self.validation_split else (data.x_test, data.y_test)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is handled, not warned
                self.model.fit(data.x_train, data.y_train, batch_size=self.batch_size,
                               epochs=self.initial_epoch + (UNLIMITED_EPOCHS if self.unlimited else self.epochs),
                               initial_epoch=self.initial_epoch,
                               validation_split=self.validation_split, validation_data=validation,
                               callbacks=callbacks, verbose=0)
        except Exception as error:  # noqa: BLE001 - any failure must reach the user, not kill the thread
            report({"message": f"{FAILURE_PREFIX}{error}"})
            return "failed"
        if control.stopping:
            return "stopped"
        if patience and patience.stopped_epoch:
            return "early stopping"
        return "completed"


class _Patience(EarlyStopping):
    """Early stopping for a playground run: the validation loss must improve within `patience` epochs.
    A user's Stop keeps the weights as they are (the partial epoch it validates is not judged), and the
    best epoch's weights come back only when patience ran out, not at every end of a run."""

    def __init__(self, control: Control, patience: int):
        super().__init__(monitor="val_loss", patience=patience, restore_best_weights=True)
        self.control = control

    def on_epoch_end(self, epoch, logs=None):
        if not self.control.stopping:
            super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if self.stopped_epoch:
            super().on_train_end(logs)


class _Bridge(Callback):
    """The engine callback in the job's thread: commands at batch boundaries, the last finite weights,
    reports batched at most every REPORT_INTERVAL."""

    def __init__(self, job: TrainingJob, control: Control, report):
        super().__init__()
        self.job, self.control, self.report = job, control, report

    def on_train_begin(self, logs=None):
        model = self.model
        self.steps = self.params["steps"]
        self.batch_size, self.n_samples = self.params["batch_size"], self.params["samples"]
        self.first_iteration = model.optimizer.iterations
        self.before = model.flat_weights.copy()  # the weights as this batch started
        self.good = model.flat_weights.copy()  # the last weights that gave a finite loss
        self.any_finite = False
        self.pending: list[tuple[int, float, float]] = []  # (optimizer steps done, loss, accuracy) a batch
        self.pending_epochs: list[dict] = []
        self.pending_markers: list[dict] = []
        self.next_report = 0.0
        self.last_probe = {probe.name: -math.inf for probe in self.job.probes}
        self.trained_seconds, self.samples, self.batch_in_epoch = 0.0, 0, 0
        self.epoch = self.job.initial_epoch

    @property
    def step(self) -> int:
        return self.job.start_step + self.model.optimizer.iterations - self.first_iteration

    @property
    def position(self) -> float:
        return self.job.start_position + (self.model.optimizer.iterations - self.first_iteration) / self.steps

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.batch_in_epoch = epoch, 0

    def on_train_batch_begin(self, batch, logs=None):
        go, commands = self.control.wait_for_go(before_waiting=self.flush, while_waiting=self.apply_while_paused)
        self.apply(commands)
        if not go:
            self.model.stop_training = True  # the engine then skips this batch: stop means no further step
            return
        np.copyto(self.before, self.model.flat_weights)
        self.batch_started = time.perf_counter()

    def apply(self, commands) -> None:
        for command in commands:
            outcome = command.apply(self.model)
            text = command.marker(outcome)
            if text:  # a command the run need not show (an autosave) leaves no marker
                self.pending_markers.append({"step": self.step, "position": self.position, "text": text,
                                             "said": outcome if command.said else ""})

    def apply_while_paused(self, commands) -> None:
        """Commands that came during a pause: applied now and reported at once (the job is parked, so
        the model is between two batches)."""
        self.apply(commands)
        self.flush(final=False)

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        seconds = now - self.batch_started
        self.trained_seconds += seconds
        self.batch_in_epoch = batch + 1
        samples = min(self.batch_size, self.n_samples - batch * self.batch_size)
        self.samples += samples
        raw = self.model.batch_logs
        loss = raw.get("loss", math.nan)
        done = self.model.optimizer.iterations - self.first_iteration
        self.pending.append((done, loss, raw.get("accuracy", math.nan)))  # the rest is worked out per report
        if not math.isfinite(loss):
            self._recover_from_divergence(loss)
            return
        self.any_finite = True
        self.good, self.before = self.before, self.good  # the weights this batch started from were fine
        if self.job.blas_tuner is not None:
            self.job.blas_tuner.batch_done(samples, seconds)
        if now >= self.next_report:
            self.flush(final=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.batch_in_epoch == self.steps:  # a run stopped mid-epoch has not ended that epoch
            self.pending_epochs.append({"logs": dict(logs or {}), "step": self.step, "position": self.position})
        if time.perf_counter() >= self.next_report:
            self.flush(final=False)

    def on_train_end(self, logs=None):
        self.flush()

    def flush(self, final: bool = True) -> None:
        """Send everything pending, and the answers of the probes that are due (all of them when final)."""
        now = time.perf_counter()
        payload = {"progress": self._progress()}
        if self.pending:
            done, loss, accuracy = np.array(self.pending, float).T
            payload["batches"] = {"step": self.job.start_step + done,
                                  "position": self.job.start_position + done / self.steps,
                                  "loss": loss, "accuracy": accuracy}
            self.pending = []
        if self.pending_epochs:
            payload["epochs"], self.pending_epochs = self.pending_epochs, []
        if self.pending_markers:
            payload["markers"], self.pending_markers = self.pending_markers, []
        context = ProbeContext(self.step, self.good, self.job.data,
                               validation_of(self.job.data, self.job.validation_split))
        due = self._due_probes(now, final)
        if due:
            payload["probes"] = {probe.name: probe(self.model, context) for probe in due}
            self.last_probe.update({probe.name: now for probe in due})
        self.report(payload)
        self.next_report = max(now + REPORT_INTERVAL, time.perf_counter() + MIN_TRAINING)

    def _due_probes(self, now: float, final: bool) -> list:
        """The active probes due in this report (all of them when final); of the slow ones, only the most
        overdue (see SLOW_PROBE). A probe is due in the report nearest its time: with reports 48 ms apart, a
        probe every 0.1 s answers in every second report, ten times a second, not in every third."""
        active = [probe for probe in self.job.probes if probe.active]
        if final:
            return active
        early = REPORT_INTERVAL / 2
        due = [probe for probe in active if now - self.last_probe[probe.name] >= probe.interval - early]
        slow = [probe for probe in due if probe.interval >= SLOW_PROBE]
        if len(slow) > 1:
            keep = min(slow, key=lambda probe: self.last_probe[probe.name] + probe.interval)
            due = [probe for probe in due if probe.interval < SLOW_PROBE or probe is keep]
        return due

    def _progress(self) -> dict:
        done = self.model.optimizer.iterations - self.first_iteration
        progress = {"epoch": self.epoch + 1, "batch": self.batch_in_epoch, "steps": self.steps, "step": self.step,
                    "position": self.position, "seconds": self.trained_seconds,
                    "samples_per_second": self.samples / self.trained_seconds if self.trained_seconds else 0.0}
        if self.job.unlimited:  # no end to count down to; the plots' x axis doubles as the run grows
            progress.update(epochs=None, eta=None, fraction=None,
                            end_position=self.job.start_position + _doubling_span(done / self.steps))
            return progress
        total = self.job.epochs * self.steps
        per_step = self.trained_seconds / max(done, 1)
        progress.update(epochs=self.job.initial_epoch + self.job.epochs, eta=max(0, total - done) * per_step,
                        fraction=min(1.0, done / max(total, 1)),
                        end_position=self.job.start_position + self.job.epochs)
        return progress

    def _recover_from_divergence(self, loss: float) -> None:
        start_is_finite = bool(np.isfinite(self.good).all())
        if start_is_finite:
            np.copyto(self.model.flat_weights, self.good)
        optimizer = self.model.optimizer
        optimizer.restart(self.model.trainable_flat_weights)  # its averages hold NaN/Inf now
        self.control.pause()
        what = "NaN" if math.isnan(loss) else "infinite"
        rate = optimizer.learning_rate
        if self.any_finite:  # it was finite, then blew up: the steps were too big
            then = "then press Resume" if self.control.can_wait else "and train again"
            message = (f"The loss became {what} at step {self.step}: the network diverged, most often because the "
                       f"learning rate ({rate:g}) is too high. Training is paused and the last weights with a "
                       f"finite loss are restored. Try a learning rate ten times smaller, {then}.")
        elif start_is_finite:  # never finite, from good weights: no learning rate does that
            message = (f"The loss was {what} from the first step, so the data holds NaN or infinite values "
                       f"(no learning rate causes that). Training is paused with the starting weights; "
                       f"check the data.")
        else:
            message = (f"The loss was {what} from the first step: the network's weights hold NaN or infinite "
                       f"values, so there are no good weights to go back to. Reset the network.")
        self.flush()
        self.report({"diverged": message})


def _doubling_span(epochs: float, first: int = 10) -> int:
    """The smallest of first, 2 first, 4 first, ... above `epochs`: a planned end that moves seldom."""
    span = first
    while span <= epochs:
        span *= 2
    return span


# ----- runners ------------------------------------------------------------------------------------


class SyncRunner:
    """Runs a job to its end on the calling thread; reports arrive as they are made."""

    can_wait = False

    def start(self, job, control: Control, on_report, on_finished) -> None:
        on_finished(job.run(control, on_report))


class ThreadRunner:
    """Runs a job on a plain thread; its reports wait in a queue until the owner's thread calls
    `deliver`, as a GUI's event loop would deliver them. For tests and scripts that want to pause."""

    can_wait = True

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None

    def start(self, job, control: Control, on_report, on_finished) -> None:
        def work():
            reason = job.run(control, lambda payload: self._queue.put((on_report, payload)))
            self._queue.put((on_finished, reason))

        self.thread = threading.Thread(target=work, name="training job", daemon=True)
        self.thread.start()

    def deliver(self, timeout: float = 10.0) -> bool:
        """Hand over the next report (waiting up to `timeout` s) and any more already waiting; False if none."""
        try:
            handler, payload = self._queue.get(timeout=timeout)
        except queue.Empty:
            return False
        handler(payload)
        while not self._queue.empty():
            handler, payload = self._queue.get_nowait()
            handler(payload)
        return True
