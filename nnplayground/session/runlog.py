"""One training run's record: every batch, every epoch, the markers, the weight norms; and earlier runs.

A run is one network's training from its starting weights. Pressing Train again after a stop or a
finished run continues the same run; a reset, new data or new layers start a new one, and the old run
(with its network) moves to the session's list of earlier runs, where it can be brought back.

Positions are measured in epochs (1.5 = one and a half passes over the training data) and always grow:
a run stopped mid-epoch continues from where it stopped, never from the epoch's start.
"""

import time

import numpy as np

SMOOTHING = 0.9  # exponential moving average of the batch loss and accuracy, as TensorBoard shows it
EPOCH_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


class Table:
    """Named float columns that grow by appending, in amortised O(1) (capacity doubles)."""

    def __init__(self, names, width: int | None = None):
        """1-D columns, or 2-D ones of `width` values per row."""
        self.names = tuple(names)
        self.width = width
        self.size = 0
        self._data = {name: np.empty((256, width) if width is not None else 256) for name in self.names}

    def extend(self, **columns) -> None:
        count = len(next(iter(columns.values())))
        needed = self.size + count
        for name, array in self._data.items():
            if needed > len(array):
                grown = np.empty((max(needed, 2 * len(array)), *array.shape[1:]))
                grown[: self.size] = array[: self.size]
                self._data[name] = array = grown
            array[self.size:needed] = columns[name]
        self.size = needed

    def __getitem__(self, name: str) -> np.ndarray:
        """The column so far (a view: valid until the next extend)."""
        return self._data[name][: self.size]

    def __len__(self) -> int:
        return self.size


EMA_BLOCK = 128  # SMOOTHING ** -EMA_BLOCK stays near 1e6: no overflow, no lost digits


def moving_average(values: np.ndarray, ema: float | None) -> tuple[np.ndarray, float | None]:
    """The exponential moving average of `values` continuing from `ema` (None: it starts at the first finite
    value), and the average after the last value. NaN and infinities never poison it: the average stays
    as it was there. Vectorised by blocks (the reports bring a few hundred batches each, 20 times a second):
    within a block, ema_i = s^n_i * (ema_0 + (1 - s) * sum over finite j <= i of v_j * s^-n_j), where n_i
    counts the finite values up to i."""
    values = np.asarray(values, float)
    out = np.empty_like(values)
    for start in range(0, len(values), EMA_BLOCK):
        block = values[start:start + EMA_BLOCK]
        finite = np.isfinite(block)
        fresh = ema is None
        if fresh:
            if not finite.any():
                out[start:start + len(block)] = np.nan
                continue
            ema = float(block[np.argmax(finite)])  # the first finite value leaves it unchanged
        counts = np.cumsum(finite)
        scale = SMOOTHING ** counts
        kept = np.where(finite, block, 0.0)
        # Measured in units of the block's largest value: s^-n (up to 1e6) times a loss near the float
        # range's end would overflow, and an infinity would then stay in every later average.
        unit = max(float(np.abs(kept).max()), abs(ema)) or 1.0
        terms = kept / unit * (1 - SMOOTHING) / scale
        smoothed = scale * (ema / unit + np.cumsum(terms)) * unit
        # Before the first finite value of all there is no average yet.
        out[start:start + len(block)] = np.where((counts > 0) | (not fresh), smoothed, np.nan)
        ema = float(smoothed[-1])
    return out, ema


class RunLog:
    """Everything a run produced, kept on the session's thread; views read it, never write it."""

    def __init__(self, experiment: dict | None = None, number: int = 1):
        self.number = number
        self.name = f"run {number}"
        self.experiment = experiment or {}  # the Experiment's plain data as the run started
        self.batches = Table(("step", "position", "loss", "accuracy", "smooth_loss", "smooth_accuracy"))
        self.epochs: list[dict] = []  # Keras-style logs, one per whole epoch
        self.epoch_points: list[tuple[int, float]] = []  # (step, position) where each of those epochs ended
        self.epoch_table = Table(("position", *EPOCH_KEYS))  # the same, as arrays views can draw at once
        self.markers: list[dict] = []  # {"step", "position", "text"}
        self.norm_steps = Table(("step",))
        self.norms: Table | None = None  # gradient and update norm per layer with weights, by snapshot
        self.layer_names: list[str] = []
        self.started = time.time()  # set again when training begins
        self.seconds = 0.0  # training time, pauses excluded
        self.finish_reason: str | None = None
        self.model = None  # the network, once the run is over and kept in the history
        self.initial_weights = None  # ... and the weights it started from
        self.source: str | None = None  # the file the network was opened from, if it was
        self.record_id: str | None = None  # its record in the run history (session.history), once written
        self.steps_per_epoch = 1
        self._ema: list[float | None] = [None, None]

    # ----- where the run is ---------------------------------------------------------------------

    @property
    def step(self) -> int:
        """Batches trained in this run so far."""
        return int(self.batches["step"][-1]) if len(self.batches) else 0

    @property
    def position(self) -> float:
        """Epochs trained so far, fractional after a stop mid-epoch."""
        return float(self.batches["position"][-1]) if len(self.batches) else 0.0

    @property
    def complete_epochs(self) -> int:
        return len(self.epochs)

    def best(self, key: str = "val_accuracy") -> float | None:
        values = [logs[key] for logs in self.epochs if key in logs and np.isfinite(logs[key])]
        if not values:
            return None
        return min(values) if "loss" in key else max(values)

    # ----- adding what the training job reports ----------------------------------------------------

    def add_batches(self, chunk: dict) -> dict:
        """Append a chunk of batches (arrays step, position, loss, accuracy); returns it with the smoothed
        series added, which is what views draw."""
        loss, accuracy = np.asarray(chunk["loss"], float), np.asarray(chunk["accuracy"], float)
        smooth_loss, smooth_accuracy = self._smooth(0, loss), self._smooth(1, accuracy)
        self.batches.extend(step=chunk["step"], position=chunk["position"], loss=loss, accuracy=accuracy,
                            smooth_loss=smooth_loss, smooth_accuracy=smooth_accuracy)
        return {**chunk, "smooth_loss": smooth_loss, "smooth_accuracy": smooth_accuracy}

    def _smooth(self, which: int, values: np.ndarray) -> np.ndarray:
        out, self._ema[which] = moving_average(values, self._ema[which])
        return out

    def add_epoch(self, logs: dict, step: int, position: float) -> None:
        self.add_epochs([{"logs": logs, "step": step, "position": position}])

    def add_epochs(self, epochs: list[dict]) -> None:
        """Whole epochs, each a dict of its logs, step and position (as a job reports them)."""
        self.epochs.extend(dict(epoch["logs"]) for epoch in epochs)
        self.epoch_points.extend((epoch["step"], epoch["position"]) for epoch in epochs)
        self.epoch_table.extend(position=[epoch["position"] for epoch in epochs],
                                **{key: [epoch["logs"].get(key, np.nan) for epoch in epochs] for key in EPOCH_KEYS})

    def epoch_series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(positions where whole epochs ended, their `key` log: loss, accuracy, val_loss or val_accuracy; NaN
        where an epoch has none)."""
        return self.epoch_table["position"], self.epoch_table[key]

    def add_marker(self, text: str) -> dict:
        marker = {"step": self.step, "position": self.position, "text": text}
        self.markers.append(marker)
        return marker

    def add_norms(self, step: int, names: list[str], gradients: list[float], updates: list[float]) -> None:
        if self.norms is None or names != self.layer_names:
            self.layer_names = list(names)
            self.norm_steps = Table(("step",))
            self.norms = Table(("gradient", "update"), width=len(names))
        self.norm_steps.extend(step=[step])
        self.norms.extend(gradient=[gradients], update=[updates])

    # ----- plain data ---------------------------------------------------------------------------

    def to_csv(self) -> str:
        """One row per batch (step, position in epochs, loss, accuracy, their smoothed curves); the whole
        epochs' figures on the row where each epoch ended, empty elsewhere. For a spreadsheet or pandas."""
        names = ("step", "epoch", "loss", "accuracy", "smooth_loss", "smooth_accuracy",
                 "epoch_loss", "epoch_accuracy", "val_loss", "val_accuracy")
        ends = {int(step): logs for logs, (step, _) in zip(self.epochs, self.epoch_points, strict=True)}
        batches = self.batches
        lines = [",".join(names)]
        for i in range(len(batches)):
            step = int(batches["step"][i])
            logs = ends.get(step, {})
            values = [batches[key][i] for key in ("position", "loss", "accuracy", "smooth_loss", "smooth_accuracy")]
            values += [logs.get(key) for key in EPOCH_KEYS]
            lines.append(",".join([str(step)] + ["" if v is None or not np.isfinite(v) else f"{v:.6g}"
                                                 for v in values]))
        return "\n".join(lines) + "\n"

    def summary(self) -> dict:
        """What a list of runs shows: name, data, layers, optimizer, rate, best validation accuracy, epochs, time."""
        e = self.experiment
        return {"name": self.name, "dataset": e.get("dataset"),
                "layers": "-".join(str(layer.get("units")) for layer in e.get("layers", [])),
                "optimizer": e.get("optimizer"), "learning_rate": e.get("learning_rate"),
                "best_val_accuracy": self.best("val_accuracy"), "epochs": self.complete_epochs,
                "seconds": self.seconds, "finish_reason": self.finish_reason}
