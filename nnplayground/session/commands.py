"""Typed edits of a live experiment: the one path by which a widget, a hint's fix or a script changes
a setting that the network feels at once.

A command says what it changes in the Experiment and what it does to the model. The session writes the
experiment at once; the model part runs at the next batch boundary while a job trains (in the job's
thread), or at once when idle. Either way the run log gets a marker saying what changed at which step.
"""

import threading
from dataclasses import dataclass, field

from nnplayground.layers import Dense
from nnplayground.onnx_export import export_onnx
from nnplayground.regularizers import Regularizer


class Command:
    said = False  # True: what apply returns is also said to the user (a save's outcome)

    def experiment_changes(self, experiment) -> dict:
        """Field name -> new value, for the session's Experiment."""
        raise NotImplementedError

    def apply(self, model) -> str:
        """Change the model (between batches); return what happened, in words."""
        raise NotImplementedError

    def marker(self, outcome: str) -> str:
        """The run's marker for `outcome` (short: it labels a line on the loss curve); "" for none."""
        return outcome


@dataclass(frozen=True)
class SetLearningRate(Command):
    """A new learning rate. An active schedule is switched off, and the marker says so: a rate the user
    typed is the rate the network trains at, never silently overridden by the schedule."""

    value: float

    def experiment_changes(self, experiment) -> dict:
        changes = {"learning_rate": float(self.value)}
        if experiment.schedule != "constant":
            changes["schedule"] = "constant"
        return changes

    def apply(self, model) -> str:
        scheduled = model.optimizer.schedule is not None
        model.optimizer.learning_rate = float(self.value)
        return f"lr {self.value:g}" + (", schedule off" if scheduled else "")


@dataclass(frozen=True)
class SetRegularization(Command):
    """New L1 and L2 factors on every Dense kernel."""

    l1: float
    l2: float

    def experiment_changes(self, experiment) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}

    def apply(self, model) -> str:
        apply_regularization(model, self.l1, self.l2)
        return f"L1 {self.l1:g} L2 {self.l2:g}"


@dataclass(frozen=True)
class SaveModel(Command):
    """Write the network to `path` between two batches, in the job's thread: the run goes on, and the
    file holds one consistent state of weights and optimizer."""

    path: str
    said = True
    # Set once the save has been tried, written or not: a closing window waits for the saves still unset.
    finished: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)

    def experiment_changes(self, experiment) -> dict:
        return {}

    def apply(self, model) -> str:
        try:
            model.save(self.path)
        except (OSError, ValueError) as error:
            return f"Could not save the model to {self.path}: {error}. Nothing was overwritten."
        finally:
            self.finished.set()
        return f"Saved the network to {self.path}"

    def wrote(self, outcome: str) -> bool:
        """Whether `outcome` (what apply returned) says the file was written."""
        return outcome.startswith("Saved")

    def marker(self, outcome: str) -> str:
        return "saved" if self.wrote(outcome) else "save failed"


@dataclass(frozen=True)
class ExportModel(SaveModel):
    """Write the network as an ONNX file (nnplayground.onnx_export), from the same consistent state a save
    writes: between two batches in the job's thread while it trains."""

    def apply(self, model) -> str:
        try:
            written = export_onnx(model, self.path)
        except (OSError, ValueError, ImportError) as error:  # ImportError: the onnx package is not installed
            return f"Could not export the model to {self.path}: {error}. Nothing was overwritten."
        finally:
            self.finished.set()
        return f"Exported the network to {written} (ONNX)"

    def wrote(self, outcome: str) -> bool:
        return outcome.startswith("Exported")

    def marker(self, outcome: str) -> str:
        return "exported" if self.wrote(outcome) else "export failed"


def apply_regularization(model, l1: float, l2: float) -> None:
    """Set the L1/L2 factors of every Dense kernel."""
    for layer in model.layers:
        if isinstance(layer, Dense):
            layer.kernel_regularizer = Regularizer(l1, l2) if (l1 or l2) else None
