"""The training worker: a QThread that runs model.fit and is the only bridge to the GUI.

The engine calls back after every batch (``_Bridge``, a plain engine Callback); the bridge applies
the GUI's commands at batch boundaries (pause, step, stop, learning rate, regularization), keeps the
last weights that gave a finite loss, and turns progress into throttled Qt signals carrying copies
(never arrays the worker is still writing): at most ~30 curve updates and ~4 weight snapshots a second.
"""

import math
import threading
import time

import numpy as np
from PySide6.QtCore import QThread, Signal

from nnplayground.callbacks import Callback, EarlyStopping
from nnplayground.datasets.catalog import Dataset
from nnplayground.experiment import apply_regularization
from nnplayground.layers import Dense
from nnplayground.models import Sequential

CURVE_INTERVAL = 1 / 30
SNAPSHOT_INTERVAL = 0.25
# After each report the worker waits (holding no GIL) until the GUI has drawn it, at most this long.
# Without this, a small network's pure-Python training loop keeps the GIL and starves the GUI thread,
# whose every call into Qt then waits for it: drawing would fall behind and the event queue would grow.
# Taking turns beats overlapping here: measured, the GUI draws a report in a third of the time when it
# need not fight the worker for the GIL (nnplayground bench --gui).
GUI_WAIT = 0.25


class TrainingWorker(QThread):
    # Signals carry plain dicts so that views which do not exist yet can read what they need.
    batches = Signal(object)   # {"step": array, "epoch_position": array, "loss": array, "accuracy": array}
    progress = Signal(object)  # {"epoch", "epochs", "batch", "steps", "step", "samples_per_second", "eta"}
    epochs_done = Signal(object)  # [{"epoch", "step", "logs"}, ...]: every epoch ended since the last report
    snapshot = Signal(object)  # {"step", "kernels", "biases", "gradient_norms", "update_norms"}
    setting_changed = Signal(object)  # {"step", "name", "value"}: marked on the curves
    paused_changed = Signal(bool)
    diverged = Signal(str)
    failed = Signal(str)
    training_finished = Signal(str)  # "completed", "stopped" or "early stopping"

    def __init__(self, model: Sequential, data: Dataset, *, epochs: int, batch_size: int, initial_epoch: int = 0,
                 validation_split: float = 0.0, patience: int = 0, start_paused: bool = False, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingWorker")
        self.model, self.data = model, data
        self.epochs, self.batch_size, self.initial_epoch = epochs, batch_size, initial_epoch
        self.validation_split, self.patience = validation_split, patience
        self._condition = threading.Condition()
        self._paused = start_paused
        self._steps_allowed = 0
        self._stop = False
        self._commands: list = []
        self._gui_drawn = threading.Event()
        self.finish_reason = "completed"
        self.global_step = 0  # batches trained so far in the model's life, as the bridge counts them

    # ----- commands, called from the GUI thread -------------------------------------------------

    def pause(self) -> None:
        with self._condition:
            self._paused, self._steps_allowed = True, 0
        self.paused_changed.emit(True)

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()
        self.paused_changed.emit(False)

    def step(self) -> None:
        """Train exactly one more batch, then stay paused."""
        with self._condition:
            self._paused = True
            self._steps_allowed += 1
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify_all()

    def set_learning_rate(self, value: float) -> None:
        self._queue(lambda: self._apply_learning_rate(value))

    def set_regularization(self, l1: float, l2: float) -> None:
        self._queue(lambda: self._apply_regularization(l1, l2))

    def gui_ready(self) -> None:
        """The GUI has drawn the last report (called from the GUI thread once its event loop is idle)."""
        self._gui_drawn.set()

    def _report(self, emit) -> None:
        """Run `emit` (which sends signals), then wait, holding no GIL, until the GUI has drawn them."""
        self._gui_drawn.clear()
        emit()
        self._gui_drawn.wait(GUI_WAIT)

    @property
    def is_paused(self) -> bool:
        return self._paused

    def _queue(self, command) -> None:
        with self._condition:
            self._commands.append(command)

    # ----- the worker thread --------------------------------------------------------------------

    def run(self) -> None:
        data = self.data
        callbacks = [_Bridge(self)]
        if self.patience:
            callbacks.append(EarlyStopping(monitor="val_loss", patience=self.patience, restore_best_weights=True))
        validation = None if self.validation_split else (data.x_test, data.y_test)
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is handled, not warned
                self.model.fit(data.x_train, data.y_train, batch_size=self.batch_size,
                               epochs=self.initial_epoch + self.epochs, initial_epoch=self.initial_epoch,
                               validation_split=self.validation_split, validation_data=validation,
                               callbacks=callbacks, verbose=0)
        except Exception as error:  # noqa: BLE001 - any failure must reach the user, not kill the thread
            self.finish_reason = "failed"
            self.failed.emit(f"Training stopped: {error}")
        else:
            if self.patience and callbacks[1].stopped_epoch and not self._stop:
                self.finish_reason = "early stopping"
        self.training_finished.emit(self.finish_reason)

    def wait_for_go(self, before_waiting=None) -> bool:
        """Block while paused; return False when told to stop. Runs in the worker thread."""
        with self._condition:
            if self._paused and not self._steps_allowed and not self._stop and before_waiting is not None:
                self._condition.release()
                try:
                    before_waiting()  # report everything before going quiet
                finally:
                    self._condition.acquire()
            while self._paused and not self._steps_allowed and not self._stop:
                self._condition.wait()
            if self._steps_allowed:
                self._steps_allowed -= 1
            commands, self._commands = self._commands, []
        for command in commands:
            command()
        if self._stop:
            self.finish_reason = "stopped"
        return not self._stop

    def _apply_learning_rate(self, value):
        self.model.optimizer.learning_rate = value
        self.setting_changed.emit({"step": self.global_step, "name": "learning rate", "value": value})

    def _apply_regularization(self, l1, l2):
        apply_regularization(self.model, l1, l2)
        self.setting_changed.emit({"step": self.global_step, "name": "regularization", "value": (l1, l2)})



class _Bridge(Callback):
    """Engine callback living in the worker thread; reports to the GUI through the worker's signals."""

    def __init__(self, worker: TrainingWorker):
        super().__init__()
        self.worker = worker

    def on_train_begin(self, logs=None):
        model = self.model
        self.dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        self.spans = {(layer, name): span for layer, name, span in model.weight_spans()}
        self.before = model.flat_weights.copy()  # the weights as this batch started
        self.good = model.flat_weights.copy()  # the last weights that gave a finite loss
        self.pending = {"step": [], "epoch_position": [], "loss": [], "accuracy": []}
        self.pending_epochs: list[dict] = []
        self.last_curve = self.last_snapshot = 0.0
        self.trained_seconds, self.samples = 0.0, 0
        self.steps = self.params["steps"]
        self.global_step = self.worker.initial_epoch * self.steps
        self.epoch, self.batch = self.worker.initial_epoch, -1

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if not self.worker.wait_for_go(before_waiting=self._flush):
            self.model.stop_training = True
            return
        np.copyto(self.before, self.model.flat_weights)
        self.batch_started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.model.stop_training and self.worker._stop:
            return
        now = time.perf_counter()
        self.trained_seconds += now - self.batch_started
        self.global_step += 1
        self.worker.global_step = self.global_step
        self.batch = batch
        raw = self.model.batch_logs
        self.samples += self.params["batch_size"] if batch < self.steps - 1 else \
            self.params["samples"] - batch * self.params["batch_size"]
        for key, value in (("step", self.global_step), ("epoch_position", self.epoch + (batch + 1) / self.steps),
                           ("loss", raw.get("loss", math.nan)), ("accuracy", raw.get("accuracy", math.nan))):
            self.pending[key].append(value)
        if not math.isfinite(raw.get("loss", 0.0)):
            self._recover_from_divergence()
            return
        self.good, self.before = self.before, self.good  # the weights this batch started from were fine
        self._report_if_due(now)

    def on_epoch_end(self, epoch, logs=None):
        self.pending_epochs.append({"epoch": epoch, "step": self.global_step, "logs": dict(logs or {})})
        self._report_if_due(time.perf_counter())

    def on_train_end(self, logs=None):
        self._flush()

    def _report_if_due(self, now):
        snapshot_due = now - self.last_snapshot >= SNAPSHOT_INTERVAL
        if now - self.last_curve < CURVE_INTERVAL and not snapshot_due:
            return
        if snapshot_due:
            self.last_snapshot = now
        self._send(snapshot_due)
        self.last_curve = time.perf_counter()

    def _flush(self):
        self._send(snapshot=True)

    def _send(self, snapshot: bool):
        def emit():
            if snapshot:
                self._emit_snapshot()
            self._emit_curves()  # last: its progress report is what the GUI acknowledges
        self.worker._report(emit)

    def _recover_from_divergence(self):
        np.copyto(self.model.flat_weights, self.good)
        optimizer = self.model.optimizer
        optimizer.build(self.model.trainable_flat_weights)  # its averages hold NaN/Inf now
        self.worker.pause()
        self._flush()
        rate = optimizer.learning_rate
        self.worker.diverged.emit(
            f"The loss became {'NaN' if math.isnan(self.model.batch_logs['loss']) else 'infinite'} at step "
            f"{self.global_step}: the network diverged, most often because the learning rate ({rate:g}) is too "
            f"high. Training is paused and the last weights with a finite loss are restored. Try a learning "
            f"rate ten times smaller, then press Resume.")

    def _emit_curves(self):
        if self.pending["step"]:
            self.worker.batches.emit({key: np.asarray(values) for key, values in self.pending.items()})
            self.pending = {key: [] for key in self.pending}
        if self.pending_epochs:
            self.worker.epochs_done.emit(self.pending_epochs)
            self.pending_epochs = []
        epochs_total = self.params["epochs"] - self.worker.initial_epoch
        done_steps = (self.epoch - self.worker.initial_epoch) * self.steps + self.batch + 1
        seconds_per_step = self.trained_seconds / max(done_steps, 1)
        self.worker.progress.emit({
            "epoch": self.epoch + 1, "epochs": self.params["epochs"], "batch": self.batch + 1, "steps": self.steps,
            "step": self.global_step, "eta": (epochs_total * self.steps - done_steps) * seconds_per_step,
            "samples_per_second": self.samples / self.trained_seconds if self.trained_seconds else 0.0,
            "fraction": done_steps / (epochs_total * self.steps)})

    def _emit_snapshot(self):
        weights, previous = self.model.flat_weights, self.good
        gradient_norms, update_norms = [], []
        for layer in self.dense:
            span = self.spans[(layer, "kernel")]
            gradient_norms.append(float(np.linalg.norm(layer.grads["kernel"])))
            update_norms.append(float(np.linalg.norm(weights[span] - previous[span])))
        self.worker.snapshot.emit({
            "step": self.global_step,
            "kernels": [layer.kernel.copy() for layer in self.dense],
            "biases": [layer.bias.copy() if layer.use_bias else None for layer in self.dense],
            "gradient_norms": gradient_norms, "update_norms": update_norms})
