"""Autosave: the session's experiment and network, kept in the user's data folder every few seconds while
they change and when the window closes, so that a crash or a kill loses at most those seconds.

The folder (``autosave/`` beside your saved digits, so NNPLAYGROUND_DATA_DIR moves both) holds
``autosave.json``, which names the experiment, the network file that goes with it (``model-<n>.npz``),
the writer's process and whether it closed cleanly. Every file is written atomically and the manifest
last, so it never names a network file that is not complete. A network that the experiment rebuilds
exactly (built from the seed and never trained) is not written at all.

The window asks for a save on a timer; the network is copied between two batches while a job trains
(a command, as a save is) or at once when idle, and written by one writer thread: neither the GUI nor
the training waits for the disk. After a crash, `at_launch` moves what was left to ``crashed/``, where it
waits for the user's Restore or Discard while the new window autosaves beside it.
"""

import json
import os
import re
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nnplayground import saving
from nnplayground.datasets import personal
from nnplayground.fileio import atomic_write, process_running
from nnplayground.models import Sequential, load_model
from nnplayground.session.commands import Command
from nnplayground.session.experiment import Experiment

FORMAT = "nnplayground.autosave"
VERSION = 1
MANIFEST = "autosave.json"
CRASHED = "crashed"
INTERVAL = 5.0  # seconds between autosaves while something changes (NNPLAYGROUND_AUTOSAVE_SECONDS)
_MODEL_FILE = re.compile(r"model-(\d+)\.npz")


class AutosaveError(ValueError):
    """An autosave that cannot be read: the file and what is wrong with it."""


def default_folder() -> Path:
    """autosave/ in $NNPLAYGROUND_DATA_DIR, else in the user data folder (~/.local/share/nnplayground)."""
    return personal.default_path().parent / "autosave"


def interval() -> float:
    """Seconds between autosaves: INTERVAL, or NNPLAYGROUND_AUTOSAVE_SECONDS (tests use a fraction)."""
    try:
        return max(0.05, float(os.environ.get("NNPLAYGROUND_AUTOSAVE_SECONDS", INTERVAL)))
    except ValueError:
        return INTERVAL


@dataclass
class Saved:
    """One autosave as read from its folder."""

    folder: Path
    experiment: Experiment
    model_file: Path | None  # None: the network is the experiment's own, rebuilt from its seed
    time: float  # when it was written (seconds since the epoch)
    pid: int
    closed: bool  # written by a window that closed normally
    step: int = 0  # batches the run had trained
    epochs: int = 0

    def load_model(self) -> Sequential | None:
        """The network (ModelFileError if its file cannot be read), or None if the experiment rebuilds it."""
        return load_model(self.model_file) if self.model_file is not None else None

    def describe(self) -> str:
        """In words, for the offer to restore it: when, which data, how far the run had got."""
        e = self.experiment
        layers = "-".join(str(layer.units) for layer in e.layers) or "no hidden layers"
        trained = f"{self.epochs} epochs, {self.step:,} batches" if self.step else "not trained yet"
        return f"{time.strftime('%H:%M:%S', time.localtime(self.time))}: {e.dataset}, {layers}, {trained}"


def read(folder) -> Saved | None:
    """The autosave in `folder`, None if there is none; AutosaveError if it cannot be read or was written by
    a newer version (then it is left as it is)."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as error:
        raise AutosaveError(f"{path}: cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise AutosaveError(f"{path}: not an nnplayground autosave")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise AutosaveError(f"{path}: written by a newer nnplayground (format {version}); update to read it")
    model = manifest.get("model")
    if model is not None and (not isinstance(model, str) or not _MODEL_FILE.fullmatch(model)):
        raise AutosaveError(f"{path}: names no network file of its own ({model!r})")
    numbers = {key: manifest.get(key, 0) for key in ("time", "pid", "step", "epochs")}
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in numbers.values()):
        raise AutosaveError(f"{path}: its time, process and step are not numbers")
    return Saved(Path(folder), Experiment.from_dict(manifest.get("experiment")),
                 Path(folder) / model if model else None, float(numbers["time"]), int(numbers["pid"]),
                 manifest.get("closed") is True, int(numbers["step"]), int(numbers["epochs"]))


def discard(folder) -> None:
    """Remove an autosave folder (a crashed one the user declined)."""
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Launch:
    """What a starting window finds: the autosave of a clean close (brought back without asking), one
    left by a crash or a kill (offered), and a problem reading either (said, and left alone)."""

    closed: Saved | None = None
    crashed: Saved | None = None
    problem: str | None = None


def at_launch(folder=None) -> Launch:
    """Look at the autosave folder as a window starts. An autosave whose writer ended without closing (and
    is not running now: another window of ours) moves to crashed/, replacing an older crash's."""
    folder = Path(folder) if folder else default_folder()
    found = Launch()
    try:
        saved = read(folder)
    except AutosaveError as error:
        saved, found.problem = None, str(error)
    if saved is not None and saved.closed:
        found.closed = saved
    elif saved is not None and not process_running(saved.pid):
        try:
            _move_to_crashed(saved)
        except OSError as error:
            found.problem = f"Could not set the autosave of a window that crashed aside: {error}"
    try:
        found.crashed = read(folder / CRASHED)
    except AutosaveError as error:
        found.problem = str(error)
    return found


def _move_to_crashed(saved: Saved) -> None:
    crashed = saved.folder / CRASHED
    discard(crashed)
    crashed.mkdir(parents=True)
    if saved.model_file is not None and saved.model_file.exists():
        saved.model_file.rename(crashed / saved.model_file.name)
    (saved.folder / MANIFEST).rename(crashed / MANIFEST)  # last: the folder has no manifest without its network


@dataclass(frozen=True)
class CopyNetwork(Command):
    """A copy of the network taken between two batches in the job's thread (the file it gives is one
    consistent state of weights and optimizer), handed to `deliver`; the run shows no marker for it."""

    deliver: object = field(compare=False)

    def experiment_changes(self, experiment) -> dict:
        return {}

    def apply(self, model) -> str:
        self.deliver(saving.model_file_arrays(model, copy=True))
        return ""

    def marker(self, outcome: str) -> str:
        return ""


class Autosave:
    """Keeps a session's experiment and network in `folder` (see the module's docstring)."""

    def __init__(self, session, folder=None):
        self.session = session
        self.folder = Path(folder) if folder else default_folder()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="autosave")
        numbers = [int(m[1]) for m in map(_MODEL_FILE.fullmatch, _names(self.folder)) if m]
        self._number = max(numbers, default=0)
        self.last: dict | None = None  # the manifest written last
        self.last_error: str | None = None  # why the last write failed, None if it worked
        self.write_seconds = 0.0  # what the last write took on the writer thread
        self.copy_seconds = 0.0  # ... and the copy of the network before it (idle: on the caller's thread)
        self.changed = False  # since the last autosave
        self._pending: Future | None = None
        self._started = -float("inf")  # when the timer's last autosave began (time.monotonic)
        for name in ("experiment_changed", "model_changed", "batches", "marker", "run_finished"):
            session.events.connect(name, self._changed)

    def _changed(self, *_) -> None:
        self.changed = True

    def save_if_changed(self) -> Future | None:
        """What the window's timer calls: an autosave if anything changed since the last one and that one
        has been written (one at a time: a slow disk never piles up copies of the network, and writing
        takes at most a tenth of the time)."""
        if not self.changed or (self._pending is not None and not self._pending.done()):
            return None
        if time.monotonic() - self._started < 10 * self.write_seconds:  # a slow disk: at most a tenth of its time
            return None
        self._started = time.monotonic()
        self.changed = False
        self._pending = self.save()
        return self._pending

    def save(self, closed: bool = False) -> Future:
        """Autosave now: the experiment as it is, the network as it is (idle) or at the next batch boundary
        (training). The future ends when the files are written (OSError if they could not be)."""
        session, done = self.session, Future()
        manifest = self._manifest(closed)
        log = session.run_log
        if session.model is None or not (log.step or log.source):  # the experiment rebuilds the network
            self._write_later(None, manifest, done)
        elif session.control is not None:
            session.control.submit(CopyNetwork(lambda arrays: self._write_later(arrays, manifest, done)))
        else:
            start = time.perf_counter()
            arrays = saving.model_file_arrays(session.model, copy=True)
            self.copy_seconds = time.perf_counter() - start
            self._write_later(arrays, manifest, done)
        return done

    def close(self, timeout: float = 10.0) -> bool:
        """The window closes (its run stopped): the last autosave, marked closed, written before this
        returns. A run that has not stopped yet cannot be copied: the last autosave is marked closed
        instead (at most an interval older). True if written; `last_error` says why not."""
        if self.session.control is None:
            future = self.save(closed=True)
        else:  # still inside a batch: the network cannot be copied now, the last copy stands
            future = Future()
            last = self.last or {**self._manifest(True), "model": None}
            self._writer.submit(self._write, None, {**last, "closed": True}, future, keep_model=True)
        try:
            future.result(timeout)
        except (OSError, TimeoutError) as error:
            self.last_error = self.last_error or str(error)
            return False
        finally:
            self._writer.shutdown(wait=False)
        return True

    def discard_all(self) -> None:
        """Forget the current autosave (never the crashed one waiting for an answer)."""
        for name in (MANIFEST, *filter(_MODEL_FILE.fullmatch, _names(self.folder))):
            (self.folder / name).unlink(missing_ok=True)

    def _manifest(self, closed: bool) -> dict:
        log = self.session.run_log
        return {"format": FORMAT, "version": VERSION, "experiment": self.session.experiment.to_dict(),
                "pid": os.getpid(), "closed": closed, "time": time.time(), "step": log.step,
                "epochs": log.complete_epochs}

    def _write_later(self, arrays, manifest: dict, done: Future) -> None:
        try:
            self._writer.submit(self._write, arrays, manifest, done)
        except RuntimeError as error:  # a copy the stopping run hands over after the window closed
            done.set_exception(OSError(f"the autosave had already closed: {error}"))

    def _write(self, arrays, manifest: dict, done: Future, keep_model: bool = False) -> None:
        """On the writer thread: the network's file (if any), then the manifest naming it, then the
        network files no manifest names any more."""
        start = time.perf_counter()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not keep_model:
                manifest["model"] = None
                if arrays is not None:
                    self._number += 1
                    manifest["model"] = f"model-{self._number}.npz"
                    saving.write_model_file(self.folder / manifest["model"], arrays)
            text = json.dumps(manifest, indent=1).encode()
            atomic_write(self.folder / MANIFEST, lambda file: file.write(text))
            for name in _names(self.folder):
                if _MODEL_FILE.fullmatch(name) and name != manifest["model"]:
                    (self.folder / name).unlink(missing_ok=True)
        except (OSError, ValueError) as error:  # ValueError: a path the platform refuses
            self.last_error = str(error)
            done.set_exception(error if isinstance(error, OSError) else OSError(str(error)))
            return
        self.last, self.last_error = manifest, None
        self.write_seconds = time.perf_counter() - start
        done.set_result(manifest)


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
