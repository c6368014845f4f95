"""The Keras callback protocol, History, a progress bar, EarlyStopping, TerminateOnNaN, LambdaCallback.

A callback sees the model (``self.model``) and the run's parameters (``self.params``: epochs, steps,
verbose, batch_size, samples) and is called at the start and end of training, of each epoch and of
each batch, with ``logs``: running means of loss and metrics so far in the epoch (plus the
validation figures at epoch end). Setting ``model.stop_training = True`` stops after the current batch;
set in ``on_train_batch_begin`` it stops before that batch, which is then not trained.
"""

import math
import sys
import time

import numpy as np


class Callback:
    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...


class CallbackList(Callback):
    """Calls every callback in turn, in the order given."""

    def __init__(self, callbacks, model, params):
        super().__init__()
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)

    def _call(self, method, *args):
        for callback in self.callbacks:
            getattr(callback, method)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)


class History(Callback):
    """Records the epoch logs: ``history.history['loss']`` is the list of epoch losses, and so on."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


class ProgbarLogger(Callback):
    """verbose=1: a bar per epoch, redrawn at most 10 times a second; verbose=2: one line per epoch."""

    def __init__(self, verbose: int = 1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self.started = self.last_draw = time.perf_counter()
        if self.verbose == 1:
            self.stream.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.verbose == 1 and now - self.last_draw > 0.1 and self.stream.isatty():
            self.last_draw = now
            self._draw(batch + 1, logs, end="\r")

    def _draw(self, done, logs, end):
        steps = self.params["steps"]
        filled = int(30 * done / max(steps, 1))
        elapsed = time.perf_counter() - self.started
        bar = "━" * filled + " " * (30 - filled)
        self.stream.write(f"{done}/{steps} {bar} {elapsed:.1f}s - {_format_logs(logs or {})}{end}")
        self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1:
            self._draw(self.params["steps"], logs, end="\n")
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"Epoch {epoch + 1}/{self.params['epochs']} - {elapsed:.1f}s - "
                              f"{_format_logs(logs or {})}\n")
            self.stream.flush()


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    With ``restore_best_weights`` the model ends training with the weights of its best epoch.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', not {mode!r}")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.monitor, self.patience, self.verbose, self.baseline = monitor, patience, verbose, baseline
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self.mode, self.restore_best_weights, self.start_from_epoch = mode, restore_best_weights, start_from_epoch

    def _improved(self, value, reference):
        if reference is None:
            return True
        return value - self.min_delta > reference if self.mode == "max" else value - self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class TerminateOnNaN(Callback):
    """Stop as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, **hooks):
        super().__init__()
        for name, function in hooks.items():
            if not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback has no hook {name!r}")
            setattr(self, name, function)


class LearningRateScheduler(Callback):
    """Sets the learning rate at each epoch's start to schedule(epoch, current_rate)."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        rate = float(self.schedule(epoch, self.model.optimizer.learning_rate))
        if not np.isfinite(rate):
            raise ValueError(f"the schedule returned {rate} for epoch {epoch}")
        self.model.optimizer.learning_rate = rate
