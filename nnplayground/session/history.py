"""The run history: every training run recorded on disk, so that runs can be listed, compared, renamed,
brought back and deleted long after the window (or the command) that trained them has closed.

One JSON file per run in the user's data folder (``runs/`` under ~/.local/share/nnplayground, or under
$NNPLAYGROUND_DATA_DIR): the run's experiment (`Experiment.to_dict`), its curves per epoch and per batch
(at most MAX_POINTS points per series: a longer run is averaged over buckets), its markers, final
metrics, best validation accuracy, epochs, training time, start time and a name the user may edit.

Files are written atomically. A record that cannot be read is skipped with a message naming the file
and the problem (`RunRecordError`), never a crash, and it stays on disk as it was.
"""

import dataclasses
import json
import math
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import platformdirs

from nnplayground import fileio
from nnplayground.session.experiment import Experiment

FORMAT = 1  # the version this module writes and the newest it reads
SUFFIX = ".json"
MAX_POINTS = 2000  # per series: about one per pixel of a wide plot, ~100 kB per run on disk
MAX_BYTES = 8 << 20  # a record is at most a few hundred kB; anything this large is another kind of file
LATEST = 253402300799  # the last second of the year 9999: a start time beyond it is no time at all
READ_WAIT = 5.0  # seconds a read waits for the writes before it (a stuck disk must not hang the window)
SAVE_EVERY = 30.0  # seconds: a run in progress is written this often (at an epoch's end), so a crash keeps it
EPOCH_COLUMNS = ("position", "loss", "accuracy", "val_loss", "val_accuracy")
BATCH_COLUMNS = ("step", "position", "loss", "accuracy")
_X_COLUMNS = ("step", "position")  # where a point is, not what it measures


class RunRecordError(ValueError):
    """A run record that cannot be read (or written); the message names the file and the problem."""


def default_folder() -> Path:
    """$NNPLAYGROUND_DATA_DIR/runs, else runs/ in the user data folder (~/.local/share/nnplayground/runs)."""
    folder = os.environ.get("NNPLAYGROUND_DATA_DIR") or platformdirs.user_data_dir("nnplayground")
    return Path(folder) / "runs"


def new_id(started: float | None = None) -> str:
    """A record's id and file name: its start time (so that names sort by it) and 6 random hex digits."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if started is None else started))
    return f"{stamp}-{secrets.token_hex(3)}"


def decimate(columns: dict[str, np.ndarray], limit: int = MAX_POINTS) -> dict[str, np.ndarray]:
    """At most `limit` rows of equally long columns: consecutive rows averaged in equal buckets (NaN
    ignored; a bucket of NaN only stays NaN), each bucket placed where it ends (its last step and
    position), so the last point is the run's last. Fewer rows come back as they are (as float copies)."""
    arrays = {name: np.asarray(values, float) for name, values in columns.items()}
    n = len(next(iter(arrays.values()), ()))
    if n <= limit:
        return {name: array.copy() for name, array in arrays.items()}
    size = -(-n // limit)
    starts = np.arange(0, n, size)
    ends = np.minimum(starts + size, n)
    out = {}
    for name, array in arrays.items():
        if name in _X_COLUMNS:
            out[name] = array[ends - 1]
            continue
        finite = np.isfinite(array)
        sums = np.add.reduceat(np.where(finite, array, 0.0), starts)
        counts = np.add.reduceat(finite.astype(int), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return out


@dataclasses.dataclass
class RunRecord:
    """One run as recorded. Curves are float arrays (NaN where a value is missing); a record listed from
    the folder (`RunHistory.records`) carries none: `RunHistory.read` brings them."""

    id: str
    name: str
    experiment: dict  # Experiment.to_dict() as the run trained
    started: float  # when training began, seconds since 1970
    seconds: float = 0.0  # training time, pauses excluded
    epochs: int = 0  # whole epochs trained
    best_val_accuracy: float | None = None
    final: dict = dataclasses.field(default_factory=dict)  # the last whole epoch's logs
    finish_reason: str | None = None  # completed, stopped, early stopping, failed; None while it trains
    markers: list = dataclasses.field(default_factory=list)  # {"step", "position", "text"}
    epoch_curves: dict = dataclasses.field(default_factory=dict)  # EPOCH_COLUMNS -> arrays
    batch_curves: dict = dataclasses.field(default_factory=dict)  # BATCH_COLUMNS -> arrays
    sweep: dict | None = None  # {"id": the sweep's, "settings": {setting: value}} for a run of a sweep

    @property
    def has_curves(self) -> bool:
        return bool(self.epoch_curves or self.batch_curves)

    def without_curves(self) -> "RunRecord":
        return dataclasses.replace(self, epoch_curves={}, batch_curves={})

    def summary(self) -> dict:
        """What a list of runs shows: the columns of the Runs view and of `nnplayground runs`."""
        e = self.experiment
        layers = e.get("layers") if isinstance(e.get("layers"), list) else []
        return {"id": self.id, "name": self.name, "dataset": e.get("dataset"),
                "layers": layers_in_words(layers), "optimizer": e.get("optimizer"),
                "learning_rate": e.get("learning_rate"), "best_val_accuracy": self.best_val_accuracy,
                "epochs": self.epochs, "seconds": self.seconds, "started": self.started,
                "finish_reason": self.finish_reason}

    # ----- plain data -----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {"format": FORMAT, "kind": "nnplayground run", "id": self.id, "name": self.name,
                "started": self.started, "seconds": self.seconds, "epochs": self.epochs,
                "best_val_accuracy": _number(self.best_val_accuracy),
                "final": {key: _number(value) for key, value in self.final.items()},
                "finish_reason": self.finish_reason, "experiment": self.experiment,
                "markers": [{"step": int(m["step"]), "position": _number(m["position"]), "text": str(m["text"])}
                            for m in self.markers],
                "curves": {"epoch": {key: _numbers(values) for key, values in self.epoch_curves.items()},
                           "batch": {key: _numbers(values) for key, values in self.batch_curves.items()}},
                "sweep": self.sweep}

    @classmethod
    def from_dict(cls, data, record_id: str) -> "RunRecord":
        """A record from to_dict's output; ValueError naming the first problem (the reader adds the file)."""
        check = _Check(data)
        version = check.integer("format", low=1)
        if version > FORMAT:
            raise ValueError(f"it is of format {version}, newer than this nnplayground reads ({FORMAT}): "
                             "update nnplayground")
        curves = check.mapping("curves")
        record = cls(id=record_id, name=check.text("name"), experiment=check.mapping("experiment"),
                     started=check.number("started", low=0, high=LATEST), seconds=check.number("seconds", low=0),
                     epochs=check.integer("epochs", low=0),
                     best_val_accuracy=check.number("best_val_accuracy", optional=True),
                     final=_Check(check.mapping("final"), "final").numbers(),
                     finish_reason=check.text("finish_reason", optional=True),
                     markers=[_marker(item, i) for i, item in enumerate(check.listing("markers"))],
                     epoch_curves=_curves(curves, "epoch", EPOCH_COLUMNS),
                     batch_curves=_curves(curves, "batch", BATCH_COLUMNS),
                     sweep=_sweep(data.get("sweep")))
        if not record.name.strip():
            raise ValueError("its name is empty")
        return record

    @classmethod
    def of_run(cls, log, record_id: str, sweep: dict | None = None) -> "RunRecord":
        """The record of a session's RunLog as it is now (curves decimated to MAX_POINTS)."""
        table = log.epoch_table
        batches = log.batches
        return cls(id=record_id, name=log.name, experiment=dict(log.experiment), started=log.started,
                   seconds=float(log.seconds), epochs=log.complete_epochs, best_val_accuracy=log.best("val_accuracy"),
                   final={key: float(value) for key, value in (log.epochs[-1] if log.epochs else {}).items()},
                   finish_reason=log.finish_reason,
                   markers=[{"step": int(m["step"]), "position": float(m["position"]), "text": str(m["text"])}
                            for m in log.markers],
                   epoch_curves=decimate({key: table[key] for key in EPOCH_COLUMNS}),
                   batch_curves=decimate({key: batches[key] for key in BATCH_COLUMNS}), sweep=sweep)


# ----- reading plain data strictly -----------------------------------------------------------------


class _Check:
    """Typed reads from a dict, each raising ValueError that names the key and what was wrong."""

    def __init__(self, data, where: str = ""):
        if not isinstance(data, dict):
            raise ValueError(f"{where or 'the record'} is not a JSON object")
        self.data, self.where = data, f"{where}." if where else ""

    def _get(self, key, optional):
        if key not in self.data:
            if optional:
                return None
            raise ValueError(f"it has no {self.where}{key}")
        return self.data[key]

    def _wrong(self, key, wanted):
        return ValueError(f"{self.where}{key} is {_shown(self.data[key])}, not {wanted}")

    def number(self, key, low=None, optional=False, high=None) -> float | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or (low is not None and value < low) or (high is not None and value > high):
            raise self._wrong(key, "a number" + (f" from {low} to {high}" if high is not None else
                                                 f" of at least {low}" if low is not None else ""))
        return float(value)

    def integer(self, key, low=None) -> int:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low):
            raise self._wrong(key, "a whole number" + (f" of at least {low}" if low is not None else ""))
        return value

    def text(self, key, optional=False) -> str | None:
        value = self._get(key, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self._wrong(key, "text")
        return value

    def mapping(self, key) -> dict:
        value = self._get(key, False)
        if not isinstance(value, dict):
            raise self._wrong(key, "a table of values")
        return value

    def listing(self, key) -> list:
        value = self._get(key, False)
        if not isinstance(value, list):
            raise self._wrong(key, "a list")
        return value

    def numbers(self) -> dict:
        """Every value a number (or null, kept as NaN)."""
        out = {}
        for key, value in self.data.items():
            out[key] = math.nan if value is None else self.number(key)
        return out


def _shown(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _marker(item, index: int) -> dict:
    check = _Check(item, f"markers[{index}]")
    return {"step": check.integer("step", low=0), "position": check.number("position", low=0),
            "text": check.text("text")}


def _curves(curves: dict, group: str, names: tuple[str, ...]) -> dict:
    columns = _Check(curves, "curves").mapping(group) if group in curves else {}
    out, length = {}, None
    for name in names:
        if name not in columns:
            continue
        values = columns[name]
        if not isinstance(values, list) or not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool))
                                                   for v in values):
            raise ValueError(f"curves.{group}.{name} is not a list of numbers")
        if length is not None and len(values) != length:
            raise ValueError(f"curves.{group} has columns of different lengths ({length} and {len(values)} values)")
        length = len(values)
        out[name] = np.array([math.nan if v is None else v for v in values], float)
    return out


def _sweep(value) -> dict | None:
    if value is None:
        return None
    check = _Check(value, "sweep")
    return {"id": check.text("id"), "settings": check.mapping("settings")}


def _number(value):
    """A float as JSON takes it: None for NaN and infinities, 7 significant digits (what float32 holds)."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{float(value):.7g}")


def _numbers(values) -> list:
    return [_number(v) for v in np.asarray(values, float).tolist()]


def layers_in_words(layers: list) -> str:
    """[{"units": 32}, {"units": 16}] -> "32-16"; no hidden layer -> "none"."""
    units = [str(layer.get("units")) for layer in layers if isinstance(layer, dict)]
    return "-".join(units) if units else "none"


def duration(seconds: float) -> str:
    """12.3 -> "12.3 s"; 125 -> "2:05"; 3725 -> "1:02:05"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60}:{whole % 60:02d}"


# ----- the folder ----------------------------------------------------------------------------------


def read_record(path) -> RunRecord:
    """One record file (RunRecordError naming the file and the problem)."""
    path = Path(path)
    try:
        with fileio.open_regular(path) as file:
            raw = file.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ValueError(f"it is larger than {MAX_BYTES >> 20} MB, so not a run record")
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        return RunRecord.from_dict(data, path.stem)
    except (OSError, UnicodeDecodeError, RecursionError, ValueError) as error:  # JSONDecodeError is one
        if isinstance(error, fileio.NotARegularFile):
            raise RunRecordError(str(error)) from None  # it names the file itself
        problem = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise RunRecordError(f"{path}: {problem}") from None


def _no_constant(name: str):
    raise ValueError(f"it holds {name}, which is not a number JSON knows")


def write_record(folder: Path, record: RunRecord) -> Path:
    """Write `record` atomically into `folder` (made if missing); OSError if it cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record.id}{SUFFIX}"
    text = json.dumps(record.to_dict(), separators=(",", ":"), allow_nan=False)
    fileio.atomic_write(path, lambda file: file.write(text.encode("utf-8")))
    return path


def scan(folder: Path) -> tuple[dict[str, RunRecord], list[str]]:
    """Every record in `folder` without its curves (in `_ordered`'s order), and why each unreadable one was
    skipped. Reads files only: may run on any thread."""
    try:
        paths = sorted(path for path in folder.iterdir() if path.suffix == SUFFIX and not path.name.startswith("."))
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        return {}, [f"{folder}: the run history cannot be read ({error.strerror or error})"]
    records, problems = {}, []
    for path in paths:
        try:
            record = read_record(path)
        except RunRecordError as error:
            problems.append(str(error))
            continue
        records[record.id] = record.without_curves()
    return _ordered(records), problems


def _ordered(records: dict[str, RunRecord]) -> dict[str, RunRecord]:
    """Oldest first by the time training began; the runs of a sweep together, in its grid's order (their
    ids), where its first run began."""
    def group(record):
        return record.sweep["id"] if record.sweep else record.id
    begun: dict[str, float] = {}
    for record in records.values():
        begun[group(record)] = min(record.started, begun.get(group(record), record.started))
    return dict(sorted(records.items(), key=lambda item: (begun[group(item[1])], group(item[1]), item[0])))


class RunHistory:
    """The recorded runs: the folder, and an index of its records (without curves) kept in memory.

    `load()` (or `scan` on another thread, then `adopt`) fills the index; `save`, `rename` and `delete`
    change file and index together. Made with `background=True` (the window), files are written on one
    thread of their own, in order, and a write that fails is said through `on_write_failure(message)`,
    called on that thread; otherwise they are written at once and a failure raises OSError.

    Following a session (`follow`), it records the session's runs: each run's record is written when the
    run ends or pauses, and every SAVE_EVERY seconds at an epoch's end while it trains; its changes are
    announced on the session's ``history_changed`` event.
    """

    def __init__(self, folder=None, *, background: bool = False):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.records: dict[str, RunRecord] = {}
        self.problems: list[str] = []
        self.loaded = False
        self.session = None
        self.on_write_failure = None
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="run history") if background else None
        self._pending = None  # the last write handed to the writer
        self._deleted: set[str] = set()  # never recorded again (a run still in memory keeps its id)
        self._last_save: dict[str, float] = {}

    # ----- reading --------------------------------------------------------------------------------

    def path(self, record_id: str) -> Path:
        return self.folder / f"{record_id}{SUFFIX}"

    def load(self) -> "RunHistory":
        """Read the folder's records into the index now (on this thread)."""
        self.adopt(scan(self.folder))
        return self

    def scan(self) -> tuple[dict[str, RunRecord], list[str]]:
        """The folder's records, for `adopt`: reads files only, so it may run on another thread."""
        return scan(self.folder)

    def adopt(self, scanned: tuple[dict[str, RunRecord], list[str]]) -> None:
        """Take a scan's records into the index; records saved meanwhile stay as saved, deleted ones stay
        gone. Says which records were skipped, and why, as a message."""
        records, problems = scanned
        merged = {key: record for key, record in records.items() if key not in self._deleted}
        merged.update(self.records)
        self.records = _ordered(merged)
        self.problems = problems
        self.loaded = True
        if problems:
            count = len(problems)
            self._say(f"{count} run record{'s' if count > 1 else ''} could not be read and "
                      f"{'were' if count > 1 else 'was'} skipped (the files are left as they are): "
                      + "; ".join(problems))
        self._changed()

    def read(self, record_id: str) -> RunRecord:
        """A record with its curves, from its file (RunRecordError if it cannot be read)."""
        self.flush(READ_WAIT)
        return read_record(self.path(record_id))

    # ----- writing --------------------------------------------------------------------------------

    def save(self, record: RunRecord) -> None:
        """Record `record` (with its curves): the index now, the file now or on the writer's thread."""
        if record.id in self._deleted:
            return
        self.records[record.id] = record.without_curves()
        self.records = _ordered(self.records)
        self._last_save[record.id] = time.monotonic()
        self._write(record)
        self._changed()

    def rename(self, record_id: str, name: str) -> None:
        """A new name for a record, in its file and in the session's run it records (if still there).
        ValueError for an empty name; RunRecordError if the file cannot be read."""
        name = name.strip()
        if not name:
            raise ValueError("a run needs a name")
        record = self.read(record_id)
        record.name = name
        for log in self._logs():
            if getattr(log, "record_id", None) == record_id:
                log.name = name
        self.save(record)

    def delete(self, record_ids) -> list[RunRecord]:
        """Remove records (files and index); returns them whole (those still readable), for `undelete`."""
        self.flush()
        removed = []
        for record_id in record_ids:
            try:
                removed.append(read_record(self.path(record_id)))
            except RunRecordError:
                pass  # a damaged file goes all the same: it was asked for
            self.path(record_id).unlink(missing_ok=True)
            self.records.pop(record_id, None)
            self._deleted.add(record_id)
        self._changed()
        return removed

    def undelete(self, records: list[RunRecord]) -> None:
        """Bring deleted records back, as they were."""
        for record in records:
            self._deleted.discard(record.id)
            self.save(record)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for the writes handed to the writer's thread; False if `timeout` passed first."""
        pending = self._pending
        if pending is None:
            return True
        try:
            pending.result(timeout)
        except TimeoutError:
            return False
        except Exception:  # noqa: BLE001 - already said through on_write_failure
            return True
        return True

    def close(self, timeout: float | None = None) -> bool:
        """Finish the writes (waiting up to `timeout`) and stop the writer's thread."""
        done = self.flush(timeout)
        if self._writer is not None:
            self._writer.shutdown(wait=False)
        return done

    def _write(self, record: RunRecord) -> None:
        if self._writer is None:
            write_record(self.folder, record)
            return
        self._pending = self._writer.submit(self._write_in_background, record)

    def _write_in_background(self, record: RunRecord) -> None:
        try:
            write_record(self.folder, record)
        except OSError as error:
            message = f"Could not record {record.name} in {self.folder}: {error.strerror or error}"
            if self.on_write_failure is not None:
                self.on_write_failure(message)
            raise

    # ----- following a session --------------------------------------------------------------------

    def follow(self, session) -> None:
        """Record `session`'s runs from now on (see the class's description)."""
        self.session = session
        session.events.connect("epochs_ended", self._epochs_ended)
        session.events.connect("run_finished", lambda _reason: self.record_run(session.run_log))
        session.events.connect("state_changed",
                               lambda state: self.record_run(session.run_log) if state.value == "paused" else None)

    def record_run(self, log) -> str | None:
        """Write the record of a session's RunLog now (a run that trained no batch has none); returns its
        id. A write that fails is said on the session's ``message`` event."""
        if not log.step:
            return None
        if getattr(log, "record_id", None) is None:
            log.record_id = new_id(log.started)
        if log.record_id in self._deleted:
            return None
        try:
            self.save(RunRecord.of_run(log, log.record_id))
        except OSError as error:
            self._say(f"Could not record {log.name} in {self.folder}: {error.strerror or error}")
        return log.record_id

    def restore(self, record_id: str, use_experiment=None) -> None:
        """Bring a recorded run back in the session: its network too if the session still holds it, else
        its experiment through `use_experiment` (default: the session's), which starts a new run."""
        session = self.session
        if session.run_log.record_id == record_id:
            return  # it is the run in front of the user already
        for run in session.runs:
            if run.record_id == record_id and run.model is not None:
                session.restore_run(run)
                return
        experiment = Experiment.from_dict(self.records[record_id].experiment)
        (use_experiment or session.use_experiment)(experiment)

    def _epochs_ended(self, _ended) -> None:
        log = self.session.run_log
        last = self._last_save.get(log.record_id) if log.record_id is not None else None
        if last is None or time.monotonic() - last >= SAVE_EVERY:
            self.record_run(log)

    def _logs(self) -> list:
        session = self.session
        return [] if session is None else [session.run_log, *session.runs]

    def _changed(self) -> None:
        if self.session is not None:
            self.session.events.emit("history_changed", self)

    def _say(self, message: str) -> None:
        if self.session is not None:
            self.session.events.emit("message", message)
