"""The playground's model without Qt: the experiment and its one network builder, the run log and earlier
runs, commands, probes, jobs and the mirror, all held by a `Session` that says what changed on its events.

The window (``nnplayground.app``) and the command line use it alike; it never imports Qt.
"""

from nnplayground.session.commands import Command, SetLearningRate, SetRegularization
from nnplayground.session.experiment import Experiment, LayerSpec
from nnplayground.session.jobs import Control, SyncRunner, ThreadRunner, TrainingJob
from nnplayground.session.probes import Probe, ProbeContext, WeightsProbe
from nnplayground.session.runlog import RunLog
from nnplayground.session.session import Session, State

__all__ = ["Session", "State", "Experiment", "LayerSpec", "RunLog", "Command", "SetLearningRate",
           "SetRegularization", "Probe", "ProbeContext", "WeightsProbe", "Control", "TrainingJob", "SyncRunner",
           "ThreadRunner"]
