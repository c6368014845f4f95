"""The playground without a window: experiment, data, network, run log and history, and the run's state.

Everything that changes goes through a method here (the panels, the command line, tests and later hints
and presets alike), and everything that changed is announced on ``events``. Training runs as a job
through a runner: with none given, on the calling thread to the end (the command line, scripts); the
window gives a QThread runner, and reports then arrive on the GUI thread, the only one that touches
the run log, the mirror and the events.
"""

import copy
import logging
import time
from enum import Enum

import numpy as np

from nnplayground import config
from nnplayground.datasets import DatasetError
from nnplayground.models import Sequential, load_model
from nnplayground.session.commands import Command, ExportModel, SaveModel, SetLearningRate, SetRegularization
from nnplayground.session.events import Events
from nnplayground.session.experiment import Experiment, defaults_for_switch, experiment_for_model
from nnplayground.session.jobs import Control, SyncRunner, TrainingJob
from nnplayground.session.mirror import Mirror
from nnplayground.session.probes import ProbeContext, WeightsProbe, validation_of
from nnplayground.session.runlog import RunLog

DATA_FIELDS = ("dataset", "data_path", "n_samples", "noise", "n_classes", "test_fraction", "data_seed",
               "personal_digits")
ARCHITECTURE_FIELDS = ("layers", "deskew")
OPTIMIZER_FIELDS = ("optimizer", "schedule")
LIVE_FIELDS = ("learning_rate", "l1", "l2")
STARTING_FIELDS = (*DATA_FIELDS, *ARCHITECTURE_FIELDS, "seed")  # fixed for a run; a change starts the next one
KEPT_MODELS = 10  # earlier runs keep their network this far back; older ones keep only their curves


class State(Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"


def inputs_in_words(shape) -> str:
    """(28, 28) -> "28x28 images"; (2,) -> "points with 2 coordinates"; (784,) -> "784 numbers per sample"."""
    shape = tuple(shape or ())
    if len(shape) == 2:
        return f"{shape[0]}x{shape[1]} images"
    if shape == (2,):
        return "points with 2 coordinates"
    return f"{shape[0]:,} numbers per sample" if len(shape) == 1 else "inputs of another kind"


def _rebuilder(model: Sequential):
    """A function that rebuilds `model` as it is now (its settings and a copy of its weights), on any thread."""
    config_, weights = model.get_config(), model.get_weights()

    def rebuild() -> Sequential:
        copy = Sequential.from_config(config_, rng=np.random.default_rng(0))
        copy.set_weights(weights)
        return copy
    return rebuild


class Session:
    def __init__(self, experiment: Experiment | None = None, *, runner=None, personal=None, history=None):
        self.experiment = experiment or Experiment()
        self.events = Events()
        self.runner = runner or SyncRunner()
        self.personal = personal  # the user's own digits (datasets.personal.PersonalDigits), or None
        self.dataset = None
        self.model: Sequential | None = None
        self.initial_weights: list[np.ndarray] | None = None
        self.runs: list[RunLog] = []
        self.run_log = RunLog(self.experiment.to_dict())
        self.state = State.IDLE
        self.probes = {"weights": WeightsProbe()}
        self.probe_results: dict = {}
        self.mirror = Mirror()
        self._waiting: tuple[Sequential, object] | None = None  # an opened model waiting for its data
        self.last_progress: dict = {}
        self.control: Control | None = None  # the running job's, while there is one
        self.side_control: Control | None = None  # a side job's (the learning-rate finder), while one runs
        self._after_stop: list = []
        self._saves: list[SaveModel] = []  # asked for and perhaps not yet tried
        self._pristine = False  # the model was built from the experiment and never trained: rebuilding is free
        self.history = history  # a session.history.RunHistory recording every run, or None
        if history is not None:
            history.follow(self)

    # ----- the experiment -------------------------------------------------------------------------

    def update(self, **changes) -> None:
        """Change experiment fields (not the data's: see load_data). Live settings (learning rate, L1/L2)
        reach the network at the next batch, through commands; any other change stops the run first
        and then applies (a new network where the architecture changed)."""
        unknown = set(changes) - set(Experiment.__dataclass_fields__)
        if unknown:
            raise ValueError(f"update: no experiment field {', '.join(sorted(unknown))}")
        data = sorted(set(changes) & set(DATA_FIELDS))
        if data:
            raise ValueError(f"update takes training and layer fields, not {', '.join(data)}; load_data changes data")
        changes = {key: value for key, value in changes.items() if getattr(self.experiment, key) != value}
        if not changes:
            return
        live = {key: changes.pop(key) for key in LIVE_FIELDS if key in changes}
        if changes:
            self._write(changes)
            if set(changes) & set(ARCHITECTURE_FIELDS) or self._pristine or self.model is None:
                self.when_stopped(self._new_network)
            elif set(changes) & set(OPTIMIZER_FIELDS):
                self.when_stopped(self._renew_optimizer)
        if "learning_rate" in live:
            self.apply(SetLearningRate(live["learning_rate"]))
        if "l1" in live or "l2" in live:
            self.apply(SetRegularization(live.get("l1", self.experiment.l1), live.get("l2", self.experiment.l2)))

    def apply(self, command: Command) -> None:
        """The one path for live edits: the experiment now; the network at the next batch boundary while
        a job trains, else at once; a marker on the run where it landed."""
        changes = command.experiment_changes(self.experiment)
        self._write(changes)
        if set(changes) & set(self.experiment.problems()):
            return  # flagged, not applied: the panel shows why
        if self.control is not None:
            self.control.submit(command)
        elif self._pristine or self.model is None:
            self._new_network()
        else:
            self._apply_now(command)

    def _apply_now(self, command: Command) -> None:
        """A command on the idle network, with its marker if the run has begun (and its outcome said)."""
        outcome = command.apply(self.model)
        text = command.marker(outcome)
        if self.run_log.step and text:
            self.events.emit("marker", self.run_log.add_marker(text))
        if command.said:
            self.events.emit("message", outcome)

    def _add_marker(self, marker: dict) -> None:
        self.run_log.markers.append(marker)
        self.events.emit("marker", marker)
        if marker.get("said"):
            self.events.emit("message", marker["said"])

    def _write(self, changes: dict) -> None:
        for key, value in changes.items():
            setattr(self.experiment, key, value)
            if key not in STARTING_FIELDS:  # the run goes on with it: brought back, it comes back so
                self.run_log.experiment[key] = value
        self.events.emit("experiment_changed", self.experiment)

    def _replace_experiment(self, experiment: Experiment) -> None:
        self.experiment = experiment
        self.events.emit("experiment_changed", experiment)

    def use_experiment(self, experiment: Experiment, dataset=None, model: Sequential | None = None,
                       source=None) -> None:
        """Take a whole experiment (an opened file, a preset, an autosave, the defaults): once nothing
        trains, every setting as it is written (no dataset defaults mixed in) and a new run on its network,
        the current one kept. `model` (which fits the data; from `source`, in words) is that network
        instead of a new one: an autosave brought back. Its data is `dataset` (loaded elsewhere, e.g.
        downloaded off the GUI thread), else the data in use if the data fields match, else loaded here
        first; if that fails (DatasetError, OSError, ValueError) nothing changes."""
        experiment = copy.deepcopy(experiment)
        if dataset is None and self.needs_data(experiment):
            dataset = experiment.load_data(personal=self.personal)

        def go():
            self._replace_experiment(experiment)
            if dataset is not None:
                self.dataset = dataset
                self.events.emit("data_changed", dataset)
            if model is None or not self.fits_data(model):
                self._new_network()
                return
            self._archive_run()
            self.run_log.source = str(source) if source is not None else "a network given with the experiment"
            self.model, self.initial_weights, self._pristine = model, model.get_weights(), False
            self._model_changed()
        self.when_stopped(go)

    def needs_data(self, experiment: Experiment) -> bool:
        """Whether `experiment` trains on other data than the session's."""
        return self.dataset is None or any(getattr(experiment, key) != getattr(self.experiment, key)
                                           for key in DATA_FIELDS)

    # ----- data -----------------------------------------------------------------------------------

    def load_data(self, progress=None, **data_fields) -> None:
        """Load the experiment's data (with `data_fields` changed) on this thread and use it. On failure
        (DatasetError, OSError, ValueError) nothing changes: the previous data and experiment stay."""
        candidate = self.experiment.replaced(**data_fields)
        problems = candidate.problems()
        for key in ("dataset", "n_classes", "n_samples", "noise", "test_fraction"):
            if key in problems:
                raise ValueError(problems[key])
        self.use_data(candidate.load_data(progress=progress, personal=self.personal), candidate)

    def use_data(self, dataset, experiment: Experiment | None = None) -> None:
        """Use a dataset loaded elsewhere (a background download), with the experiment it was loaded for.
        A new dataset brings its training defaults for the fields the user left at the old one's
        (experiment.defaults_for_switch)."""
        def go():
            if experiment is not None:
                self._write({**defaults_for_switch(self.experiment, experiment.dataset),
                             **{key: getattr(experiment, key) for key in DATA_FIELDS}})
            self.dataset = dataset
            self.events.emit("data_changed", dataset)
            if self._waiting is not None and self.fits_data(self._waiting[0]):
                self._adopt_opened(*self._waiting)  # the model opened for this data
            else:
                self._new_network()
        self.when_stopped(go)

    # ----- the network ----------------------------------------------------------------------------

    def steps_per_epoch(self) -> int:
        n = len(self.dataset.x_train) if self.dataset is not None else 1
        if self.experiment.validation_split:
            n = int(n * (1 - self.experiment.validation_split))
        return max(1, -(-n // self.experiment.batch_size))

    def _new_network(self, weights: list[np.ndarray] | None = None) -> None:
        """A new run with a new network from the experiment (or `weights` in it); the old run is kept."""
        self._archive_run()
        self.model, self.initial_weights, self._pristine = None, None, False
        problems = self.experiment.problems()
        if self.dataset is not None and not problems and self._affordable():
            config.set_random_seed(self.experiment.seed)
            try:
                self.model = self.experiment.build_model(self.dataset.input_shape, self.dataset.n_classes,
                                                         self.steps_per_epoch())
            except (ValueError, MemoryError) as error:  # the engine's own count of the weights says no
                self.events.emit("message", f"Cannot build this network: {error}")
                self.model = None
                self._model_changed()
                return
            if weights is not None:
                self.model.set_weights(weights)
            self.initial_weights = self.model.get_weights()
            self._pristine = weights is None
        self._model_changed()

    def _affordable(self, warn: bool = True) -> bool:
        """Whether the experiment's network fits in the memory available, asked before building it (a 188 M
        weight network once took 18 s and 8.8 GB to fail); says why not, or that an epoch will be slow."""
        data = self.dataset
        cost = self.experiment.estimate(data.input_shape, data.n_classes, len(data.x_train))
        if cost.problem():
            self.events.emit("message", f"Cannot train this network: {cost.problem()}.")
            return False
        if warn and cost.warning():
            self.events.emit("message", f"Note: {cost.warning()}.")
        return True

    def _renew_optimizer(self) -> None:
        """A trained network keeps its weights; only the optimizer (and its averages) starts afresh."""
        if self.model is None or self.experiment.problems():
            return
        self.model.compile(optimizer=self.experiment.make_optimizer(self.steps_per_epoch()), loss=self.model.loss,
                           metrics=self.model.metrics)
        if self.run_log.step:
            self.events.emit("marker", self.run_log.add_marker(f"new optimizer: {self.experiment.optimizer}"))

    def _archive_run(self) -> None:
        """Move the current run, with its network, to the earlier runs, if it has anything to keep."""
        if self.model is None or self._pristine or not (self.run_log.step or self.run_log.source):
            self.run_log = RunLog(self.experiment.to_dict(), self.run_log.number)  # nothing kept: same number
            return
        kept = self.run_log
        kept.model, kept.initial_weights = self.model, self.initial_weights
        self.runs.append(kept)
        for old in self.runs[:-KEPT_MODELS]:
            old.model = old.initial_weights = None
        self.run_log = RunLog(self.experiment.to_dict(), self._next_run_number())
        self.events.emit("message", f"The network of {kept.name} is kept with its curves: Runs > "
                                    f"{kept.name} brings it back.")

    def _next_run_number(self) -> int:
        return max([self.run_log.number, *(run.number for run in self.runs)]) + 1

    def _model_changed(self) -> None:
        self.last_progress = {}
        self.probe_results = {}
        self.mirror.set_model(self.model, self.dataset.class_names if self.dataset is not None else ())
        self.events.emit("model_changed", self.model)
        self.events.emit("mirror_changed", self.mirror)
        self.events.emit("run_started", self.run_log)
        self.probe_now()

    def fits_data(self, model: Sequential) -> bool:
        """Whether `model` can train on the current data: input shape and one output per class."""
        if self.dataset is None or model.input_shape != self.dataset.input_shape or model.optimizer is None:
            return False
        outputs = model.layers[-1].output_shape
        return outputs == ((1,) if self.dataset.n_classes == 2 else (self.dataset.n_classes,)) \
            or outputs == (self.dataset.n_classes,)

    def load_model(self, path) -> bool:
        """Open a model file (ModelFileError if unreadable) and adopt it (see adopt_model)."""
        return self.adopt_model(load_model(path), path)

    def adopt_model(self, model: Sequential, path) -> bool:
        """A model read from `path` (elsewhere, e.g. off the GUI thread): if it fits the data it becomes the
        session's network, its settings the experiment's; another is kept in the mirror for drawing.
        True if adopted."""
        if not self.fits_data(model):
            self._waiting = (model, path)  # adopted as soon as matching data is chosen (use_data)
            self.mirror.set_model(model)
            self.events.emit("mirror_changed", self.mirror)
            reads = inputs_in_words(model.input_shape)
            have = inputs_in_words(self.dataset.input_shape) if self.dataset is not None else "no data yet"
            self.events.emit("message", f"Opened {path} for drawing only: it reads {reads}, and the data in use "
                                        f"has {have}. Choose matching data to train it.")
            return False
        self.when_stopped(lambda: self._adopt_opened(model, path))
        return True

    def _adopt_opened(self, model: Sequential, path) -> None:
        self._waiting = None
        self._archive_run()
        self._replace_experiment(experiment_for_model(model, self.experiment))
        self.run_log.source = str(path)
        self.model, self.initial_weights, self._pristine = model, model.get_weights(), False
        self._model_changed()
        self.events.emit("message", f"Opened {path}: Train continues training it.")

    def save_model(self, path) -> bool:
        """Write the network to `path` (atomically) once nothing trains; says how it went on `message`.
        A save asked for while the run stops writes the network of that run, whatever is queued before it
        (a reset, new data). True if written now, False if it waits for the run to stop or failed."""
        return self._write_network(SaveModel(str(path)), "save")

    def export_model(self, path, elsewhere=None) -> bool:
        """Write the network to `path` as an ONNX file for other programs (`.onnx` added to a name without a
        suffix; needs the onnx package), from one consistent state of its weights, as a save: while a run
        trains, between two batches (the run goes on). Otherwise, if `elsewhere` is given, it is called as
        `elsewhere(write, then)` to run `write()` (which returns what to say) off the calling thread and
        `then(outcome)` back on it: the caller's thread only copies the weights. Says how it went on
        `message`; True if written now."""
        return self._write_network(ExportModel(str(path)), "export", elsewhere)

    def _write_network(self, command: SaveModel, verb: str, elsewhere=None) -> bool:
        if self.model is None:
            self.events.emit("message", f"There is no network to {verb} yet: pick data and layers first.")
            return False
        self._saves = [earlier for earlier in self._saves if not earlier.finished.is_set()] + [command]
        if self.control is not None and not self.control.stopping:
            self.control.submit(command)  # between two batches; the run goes on
            return False
        written, model = [], self.model  # the network the user saw when asking, even if a reset comes first

        def say(outcome: str) -> None:
            if command.wrote(outcome):
                written.append(command.path)
            self.events.emit("message", outcome)

        def go():
            if elsewhere is None:
                say(command.apply(model))
                return
            rebuild = _rebuilder(model)  # a copy: a run started meanwhile does not change what is written

            def write() -> str:
                try:
                    return command.apply(rebuild())
                finally:
                    command.finished.set()
            elsewhere(write, say)
        self.when_stopped(go)
        return bool(written)

    def saves_waiting(self) -> bool:
        """A save has been asked for and not yet tried (it waits for a batch boundary or for the run to
        stop): a closing window lets the run reach that point before it goes."""
        return any(not save.finished.is_set() for save in self._saves)

    def restore_run(self, run: RunLog) -> None:
        """Bring an earlier run back: its experiment, its network and its curves (its data is reloaded)."""
        def go():
            experiment = Experiment.from_dict(run.experiment)
            if any(getattr(experiment, key) != getattr(self.experiment, key) for key in DATA_FIELDS) \
                    or self.dataset is None:
                try:
                    dataset = experiment.load_data(personal=self.personal)
                except (DatasetError, OSError, ValueError) as error:  # the run stays, to try again later
                    self.events.emit("message", f"Could not bring {run.name} back: its data cannot be loaded "
                                                f"({error}). It stays in the Runs menu.")
                    return
                self.dataset = dataset
                self.events.emit("data_changed", self.dataset)
            self.runs.remove(run)
            self._archive_run()
            self._replace_experiment(experiment)
            self.model, self.initial_weights, self._pristine = run.model, run.initial_weights, False
            run.model = run.initial_weights = None
            self.run_log = run
            self._model_changed()
        self.when_stopped(go)

    # ----- probes ---------------------------------------------------------------------------------

    def add_probe(self, probe) -> None:
        """Ask the network for `probe`'s answer from now on (``probed`` events); answered at once if idle."""
        self.probes[probe.name] = probe
        if self.control is None and self.model is not None:
            self._probed(probe.name, probe(self.model, self._idle_context()), training=False)

    def probe_now(self, name: str | None = None) -> None:
        """Every active probe's answer (or probe `name`'s) for the idle network."""
        if self.control is None and self.model is not None:
            context = self._idle_context()
            for probe in list(self.probes.values()):
                if probe.name == name or (name is None and probe.active):
                    self._probed(probe.name, probe(self.model, context), training=False)

    def set_probe_active(self, name: str, active: bool) -> None:
        """A view shown (True) or hidden (False): its probe is asked again, or no longer. Shown while idle,
        it answers at once for the network as it is now."""
        probe = self.probes.get(name)
        if probe is None or probe.active == active:
            return
        probe.active = active
        if active:
            self.probe_now(name)

    def _idle_context(self) -> ProbeContext:
        return ProbeContext(self.run_log.step, None, self.dataset,
                            validation_of(self.dataset, self.experiment.validation_split))

    def _probed(self, name: str, result, training: bool) -> None:
        self.probe_results[name] = result
        if name == "weights":
            self.mirror.set_weights(result)
            if training:
                layers = result["layers"]
                self.run_log.add_norms(result["step"], [layer["name"] for layer in layers],
                                       [layer["gradient_norm"] for layer in layers],
                                       [layer["update_norm"] for layer in layers])
        self.events.emit("probed", name, result)

    # ----- the run --------------------------------------------------------------------------------

    def train(self) -> bool:
        """Start training (loading the data first if there is none), or resume a paused run. With the
        synchronous runner this returns when the run is over. Asked while the run is ending for a change
        that waits for it (new data, a reset), it trains the new network once that change is made."""
        if self.control is not None and self.control.stopping:
            if self._start not in self._after_stop:
                self.when_stopped(self._start)
            return True
        if self.state is State.PAUSED:
            self.control.resume()
            self._set_state(State.RUNNING)
            return True
        if self.state is State.RUNNING:
            return False
        return self._start()

    def pause(self) -> None:
        if self.state is State.RUNNING:
            self.control.pause()
            self._set_state(State.PAUSED)

    def step(self) -> None:
        """Train exactly one batch, then stay paused (from idle: start a run paused)."""
        if self.state is State.IDLE:
            self._start(steps=1)
        else:
            self.control.step()
            self._set_state(State.PAUSED)

    def stop(self) -> None:
        """End the run: no further batch is trained; Train continues from here. Also cancels a side job."""
        for control in (self.control, self.side_control):
            if control is not None:
                control.stop()

    def side_job_refusal(self) -> str | None:
        """Why a side job cannot start now, or None if it can."""
        if self.control is not None:
            return "Stop the training run first: this works on the network at rest."
        if self.side_control is not None:
            return "Another job is running: wait for it to end, or cancel it."
        return None

    def run_job(self, job, on_report, on_finished) -> bool:
        """Run a side job, one that works on copies of the network (the learning-rate finder), on the
        session's runner: in the window on its worker thread, reports on the GUI thread; without one, to
        its end on this thread. Refused (False, said on ``message``) while a run is under way, paused
        too, or another side job runs; Train is refused until it ends. `stop()` cancels it."""
        refusal = self.side_job_refusal()
        if refusal:
            self.events.emit("message", refusal)
            return False
        control = self.side_control = Control(can_wait=self.runner.can_wait)

        def finished(reason):
            self.side_control = None
            on_finished(reason)
        self.runner.start(job, control, on_report, finished)
        return True

    def reset(self, same_weights: bool = False) -> None:
        """A new run: new random weights (the next seed, so that this start is reproducible too), or the
        weights the current run started from, with a fresh optimizer."""
        def go():
            if same_weights and self.initial_weights is not None:
                self._new_network(self.initial_weights)
            else:
                self._write({"seed": self.experiment.seed + 1})
                self._new_network()
        self.when_stopped(go)

    def when_stopped(self, action) -> None:
        """Run `action` now if nothing trains, else as soon as the current run has stopped (asking it to)."""
        if self.control is None:
            action()
            return
        self._after_stop.append(action)
        self.control.stop()

    def _start(self, steps: int = 0) -> bool:
        if self.side_control is not None:
            self.events.emit("message", "The learning-rate finder is running: wait for it to end, or cancel it.")
            return False
        if self.dataset is None:
            self.load_data()
        problems = self.experiment.problems()
        if problems:
            self.events.emit("message", "Cannot train yet: " + "; ".join(problems.values()))
            return False
        if self.model is None or not self.fits_data(self.model):
            self._new_network()
        elif not self._affordable(warn=False):  # a bigger batch since it was built
            return False
        if self.model is None:
            return False
        e, log = self.experiment, self.run_log
        if not log.step:
            log.experiment = e.to_dict()  # the settings the run trains with, not those it was made with
            log.started = time.time()
        # Shuffling and dropout follow from the seed and the step alone, not from whatever drew random
        # numbers since the network was built: the window and the command line train alike.
        config.set_random_seed([e.seed, log.step])
        epochs = None if e.run_until_paused else e.epochs  # None: until paused or stopped
        job = TrainingJob(self.model, self.dataset, epochs=epochs, batch_size=e.batch_size,
                          initial_epoch=log.complete_epochs, start_step=log.step, start_position=log.position,
                          validation_split=e.validation_split, patience=e.patience, probes=self.probes.values())
        self.control = Control(paused=bool(steps), can_wait=self.runner.can_wait)
        for _ in range(steps):
            self.control.step()
        self._pristine = False
        self._seconds_before = log.seconds
        self._set_state(State.PAUSED if steps else State.RUNNING)
        self.events.emit("run_started", log)
        model = self.model

        def on_report(payload):  # a report about a network no longer shown would be drawn as this one's
            if self.model is model:
                self._on_report(payload)

        self.runner.start(job, self.control, on_report, self._on_finished)
        return True

    def _on_report(self, payload: dict) -> None:
        """What the job reported, on the session's thread: into the run log, then out as events."""
        log = self.run_log
        if "batches" in payload:
            self.events.emit("batches", log.add_batches(payload["batches"]))
        if payload.get("epochs"):  # small data ends dozens a report: one event for them all
            log.add_epochs(payload["epochs"])
            self.events.emit("epochs_ended", [epoch["logs"] for epoch in payload["epochs"]])
        for marker in payload.get("markers", ()):
            self._add_marker(marker)
        for name, result in payload.get("probes", {}).items():
            self._probed(name, result, training=True)
        if "progress" in payload:
            self.last_progress = payload["progress"]
            log.seconds = self._seconds_before + payload["progress"]["seconds"]
            self.events.emit("progress", payload["progress"])
        if "diverged" in payload:
            if self.runner.can_wait:
                self._set_state(State.PAUSED)
            self.events.emit("diverged", payload["diverged"])
        if "message" in payload:
            self.events.emit("message", payload["message"])

    def _on_finished(self, reason: str) -> None:
        left = self.control.take_commands() if self.control is not None else []
        self.control = None
        for command in left:  # submitted as the run ended: applied now, never lost (a save, a rate)
            self._apply_now(command)
        self.run_log.finish_reason = reason
        self._set_state(State.IDLE)
        self.events.emit("run_finished", reason)
        actions, self._after_stop = self._after_stop, []
        # A Train pressed while the run was ending trains what the other waiting changes make (new data, a
        # reset), whichever came first: started before them, it trained a network they then replaced.
        starts = [action for action in actions if action == self._start]
        for action in [action for action in actions if action != self._start] + starts[:1]:
            try:
                action()
            except Exception as error:  # noqa: BLE001 - one failing action must not drop the next (a save)
                logging.getLogger(__name__).error("an action after the run failed", exc_info=error)
                self.events.emit("message", f"Something went wrong after the run stopped: {error}")

    def _set_state(self, state: State) -> None:
        if state is not self.state:
            self.state = state
            self.events.emit("state_changed", state)

    # ----- personal digits ------------------------------------------------------------------------

    def add_personal_digit(self, digit: np.ndarray, label: int) -> bool:
        return self._edit_personal(lambda: self.personal.add(digit, label))

    def remove_personal_digits(self, indices) -> bool:
        def remove():
            for index in sorted(indices, reverse=True):  # highest first, so the others keep their places
                self.personal.remove(index)
        return self._edit_personal(remove)

    def relabel_personal_digits(self, indices, label: int) -> bool:
        def relabel():
            for index in indices:
                self.personal.relabel(index, label)
        return self._edit_personal(relabel)

    def _edit_personal(self, edit) -> bool:
        if self.personal is None:
            return False
        try:
            edit()
        except OSError as error:
            self.events.emit("message", f"Could not save your digits to {self.personal.path}: {error}")
            return False
        self.events.emit("personal_changed", self.personal)
        return True

    # ----- plain data -----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The session as plain data (for autosave): the experiment, the state, the current and earlier runs."""
        return {"experiment": self.experiment.to_dict(), "state": self.state.value,
                "run": self.run_log.summary(), "runs": [run.summary() for run in self.runs]}
