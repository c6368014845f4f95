"""An experiment as plain data: which data, which layers, which training settings; and the one builder
from an experiment to a network, which the window, the command line and presets all use.

It round-trips through plain dicts (settings today, TOML files and presets later) and says which
values cannot work, and why.
"""

import copy
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from nnplayground import activations, initializers, optimizers, schedules
from nnplayground.datasets import catalog
from nnplayground.layers import Dense, Deskew, Dropout, Flatten, Rescaling
from nnplayground.models import Sequential
from nnplayground.session import budget

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
SCHEDULES = ("constant", "exponential", "step", "cosine")
INITIALIZERS = ("auto", *initializers.NAMES)
HIDDEN_ACTIVATIONS = tuple(name for name in activations.NAMES if name != "softmax")
_RELU_FAMILY = ("relu", "leaky_relu", "elu", "gelu")


@dataclass
class LayerSpec:
    """One hidden Dense layer: its units, activation, dropout after it and weight initialiser."""

    units: int = 16
    activation: str = "relu"
    dropout: float = 0.0
    initializer: str = "auto"  # He for the ReLU family, Glorot otherwise

    def kernel_initializer(self) -> str:
        if self.initializer != "auto":
            return self.initializer
        return "he_uniform" if self.activation in _RELU_FAMILY else "glorot_uniform"


@dataclass
class Experiment:
    dataset: str = "mnist-sample"
    data_path: str | None = None
    n_samples: int = 500
    noise: float = 0.1
    n_classes: int = 2
    test_fraction: float = 0.5
    layers: list[LayerSpec] = field(default_factory=lambda: [LayerSpec(32), LayerSpec(16)])
    optimizer: str = "adam"
    learning_rate: float = 0.001
    schedule: str = "constant"
    batch_size: int = 32
    epochs: int = 10
    run_until_paused: bool = False  # no epoch limit: train until Pause or Stop (as TensorFlow Playground does)
    l1: float = 0.0
    l2: float = 0.0
    patience: int = 0  # early stopping after this many epochs without improvement; 0 = off
    validation_split: float = 0.0  # 0: validate on the test set
    seed: int = 0  # the network's starting weights, the order of batches, dropout
    data_seed: int = 0  # the points of a 2-D set: a new network (Reset) keeps the same points
    personal_digits: bool = False  # add the user's own labelled drawings to the training data
    deskew: bool = False  # straighten slanted images, in training and when reading drawings (a Deskew layer)

    # ----- checking -----------------------------------------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field name -> why its value cannot work. Empty when the experiment can run."""
        found = {}
        if self.dataset not in (*catalog.NAMES, "file"):
            found["dataset"] = f"unknown dataset {self.dataset!r}"
        if self.dataset == "file" and not self.data_path:
            found["dataset"] = "choose a file with Open file..."
        if self.dataset in catalog.toy.MAKERS:
            allowed = catalog.toy.CLASS_CHOICES[self.dataset]
            if self.n_classes not in allowed:
                found["n_classes"] = f"{self.dataset} comes with {', '.join(map(str, allowed))} classes"
            if not 20 <= self.n_samples <= 100_000:
                found["n_samples"] = "between 20 and 100,000 points"
            if not 0.05 <= self.test_fraction <= 0.95:
                found["test_fraction"] = "keep between 5% and 95% of the points for testing"
        if not 0 <= self.noise <= 2:  # checked for every dataset: a NaN here is a mistake wherever it is
            found["noise"] = "noise between 0 and 2"
        for i, layer in enumerate(self.layers):
            if not 1 <= layer.units <= 4096:
                found[f"layers.{i}.units"] = "a layer needs between 1 and 4,096 units"
            if layer.activation not in HIDDEN_ACTIVATIONS:
                found[f"layers.{i}.activation"] = f"unknown activation {layer.activation!r}"
            if not 0 <= layer.dropout < 1:
                found[f"layers.{i}.dropout"] = "dropout must be at least 0 and below 1 (1 drops everything)"
            if layer.initializer not in INITIALIZERS:
                found[f"layers.{i}.initializer"] = f"unknown initializer {layer.initializer!r}"
        if self.optimizer not in OPTIMIZERS:
            found["optimizer"] = f"unknown optimizer {self.optimizer!r}"
        if not 1e-6 <= self.learning_rate <= 10:
            found["learning_rate"] = "a learning rate between 0.000001 and 10"
        if self.schedule not in SCHEDULES:
            found["schedule"] = f"unknown schedule {self.schedule!r}"
        if not 1 <= self.batch_size <= 65536:
            found["batch_size"] = "a batch holds between 1 and 65,536 samples"
        if not 1 <= self.epochs <= 100_000:
            found["epochs"] = "between 1 and 100,000 epochs"
        for key in ("l1", "l2"):
            if not 0 <= getattr(self, key) <= 1:  # NaN fails both comparisons
                found[key] = f"{key.upper()} between 0 and 1"
        if self.patience < 0:
            found["patience"] = "patience cannot be negative (0 turns early stopping off)"
        if not 0 <= self.validation_split < 0.9:
            found["validation_split"] = "hold out less than 90% of the training data"
        for key in ("seed", "data_seed"):
            if not 0 <= getattr(self, key) < 2**31:
                found[key] = "a seed between 0 and 2,147,483,647"
        return found

    def estimate(self, input_shape: tuple[int, ...], n_classes: int, n_train: int) -> budget.Budget:
        """What the network will cost on this data before it is built: memory (`problem()` if it is more than
        is available) and time per epoch (`warning()` above a minute). See session.budget."""
        return budget.estimate(self, input_shape, n_classes, n_train)

    # ----- building -----------------------------------------------------------------------------

    def load_data(self, progress=None, personal=None) -> catalog.Dataset:
        """The chosen data; with `personal_digits`, the user's own digits (a PersonalDigits) join training."""
        data = catalog.load(self.dataset, path=self.data_path if self.dataset == "file" else None,
                            n_samples=self.n_samples, noise=self.noise, n_classes=self.n_classes,
                            test_fraction=self.test_fraction, seed=self.data_seed, progress=progress)
        if self.personal_digits and personal is not None and len(personal) and data.input_shape == (28, 28) \
                and data.n_classes == 10 and data.name != "fashion-mnist":
            data.x_train = np.concatenate([data.x_train, personal.x])
            data.y_train = np.concatenate([data.y_train, personal.y.astype(data.y_train.dtype)])
        return data

    def build_model(self, input_shape: tuple[int, ...], n_classes: int, steps_per_epoch: int = 1) -> Sequential:
        """The compiled network: (rescale) -> flatten -> hidden layers -> softmax, or sigmoid for two classes."""
        if len(input_shape) == 1:
            layers = [Flatten(input_shape=input_shape)]
        else:  # images arrive as uint8 pixels; the model rescales them itself
            layers = [Deskew(input_shape=input_shape)] if self.deskew and len(input_shape) == 2 else []
            layers += [Rescaling(1 / 255, input_shape=None if layers else input_shape), Flatten()]
        regularizer = {"l1": self.l1, "l2": self.l2} if self.l1 or self.l2 else None
        for spec in self.layers:
            layers.append(Dense(spec.units, activation=spec.activation, kernel_initializer=spec.kernel_initializer(),
                                kernel_regularizer=regularizer))
            if spec.dropout:
                layers.append(Dropout(spec.dropout))
        binary = n_classes == 2
        layers.append(Dense(1 if binary else n_classes, activation="sigmoid" if binary else "softmax",
                            kernel_regularizer=regularizer))
        model = Sequential(layers, name="playground")
        model.compile(optimizer=self.make_optimizer(steps_per_epoch),
                      loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    def make_optimizer(self, steps_per_epoch: int = 1) -> optimizers.Optimizer:
        rate = self.learning_rate_schedule(steps_per_epoch)
        if self.optimizer in ("momentum", "nesterov"):
            return optimizers.SGD(rate, momentum=0.9, nesterov=self.optimizer == "nesterov")
        optimizer = optimizers.get(self.optimizer)
        optimizer.learning_rate = rate
        return optimizer

    def learning_rate_schedule(self, steps_per_epoch: int = 1):
        """The learning rate, or a schedule over the whole run measured in batches."""
        total = max(1, self.epochs * steps_per_epoch)
        if self.schedule == "exponential":  # a tenth of the rate by the end
            return schedules.ExponentialDecay(self.learning_rate, total, 0.1)
        if self.schedule == "step":  # halve every quarter of the run
            return schedules.ExponentialDecay(self.learning_rate, max(1, total // 4), 0.5, staircase=True)
        if self.schedule == "cosine":  # warm up for 5% of the run, then a cosine down to zero
            warmup = total // 20
            return schedules.CosineDecay(self.learning_rate / 10, total - warmup,
                                         warmup_target=self.learning_rate, warmup_steps=warmup)
        return self.learning_rate

    # ----- plain data ---------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return asdict(self)

    def replaced(self, **changes) -> "Experiment":
        """A copy with `changes` (the layers copied too, so neither shares a LayerSpec with the other)."""
        twin = copy.deepcopy(self)
        for key, value in changes.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"an experiment has no field {key!r}")
            setattr(twin, key, value)
        return twin

    @classmethod
    def from_dict(cls, data: dict) -> "Experiment":
        """Rebuild from to_dict's output; unknown keys are ignored, wrong types and impossible values fall
        back to the defaults (a settings file edited by hand never starts the window with a broken setup)."""
        known = {f.name: f for f in fields(cls)}
        default = cls()
        values = {}
        for key, value in (data or {}).items():
            if key not in known:
                continue
            if key == "layers":
                layers = _layer_specs(value)
                if layers is not None:
                    values[key] = layers
            elif isinstance(value, type(getattr(default, key))) or (key == "data_path" and isinstance(value, str)):
                values[key] = value
            elif isinstance(getattr(default, key), float) and isinstance(value, int) and not isinstance(value, bool):
                values[key] = float(value)
        experiment = cls(**values)
        for _ in range(3):  # a reset field can make another one wrong (n_classes after dataset): look again
            problems = experiment.problems()
            for key in problems:
                name = key.split(".")[0]
                setattr(experiment, name, copy.deepcopy(getattr(default, name)))
        return experiment if not experiment.problems() else default


# ----- each dataset's starting point ---------------------------------------------------------------

# The training fields a dataset suggests: the images' are the Experiment's own defaults; a 2-D set gets a
# small network, small batches and many epochs, so that one Train on the defaults reaches 95% test
# accuracy within a few seconds while the boundary can be watched forming (benchmarks/toy_defaults.py).
DEFAULT_FIELDS = ("learning_rate", "epochs", "layers", "batch_size")
_TOY_DEFAULTS = {
    "circle": {"learning_rate": 0.003, "epochs": 500, "layers": [8, 8], "batch_size": 10},
    "xor": {"learning_rate": 0.003, "epochs": 500, "layers": [8, 8], "batch_size": 10},
    "gaussians": {"learning_rate": 0.003, "epochs": 300, "layers": [8, 8], "batch_size": 10},
    "moons": {"learning_rate": 0.003, "epochs": 500, "layers": [8, 8], "batch_size": 10},
    "spiral": {"learning_rate": 0.003, "epochs": 1000, "layers": [32, 32], "batch_size": 10},
}


def dataset_defaults(dataset: str) -> dict:
    """The training fields (DEFAULT_FIELDS) `dataset` starts with; images and files: Experiment's own."""
    suggested = _TOY_DEFAULTS.get(dataset)
    if suggested is None:
        default = Experiment()
        return {key: copy.deepcopy(getattr(default, key)) for key in DEFAULT_FIELDS}
    return {**suggested, "layers": [LayerSpec(units) for units in suggested["layers"]]}


def defaults_for_switch(experiment: Experiment, dataset: str) -> dict:
    """The changes that moving `experiment` to `dataset` brings: each training field still at the default of
    the dataset it was made for takes the new dataset's default; a field the user changed keeps its value.
    So picking spiral after circle brings spiral's network, but a learning rate the user typed stays."""
    if dataset == experiment.dataset:
        return {}
    old, new = dataset_defaults(experiment.dataset), dataset_defaults(dataset)
    return {key: new[key] for key in DEFAULT_FIELDS
            if getattr(experiment, key) == old[key] and getattr(experiment, key) != new[key]}


def experiment_for_dataset(dataset: str, **changes) -> Experiment:
    """A fresh experiment on `dataset` with that dataset's defaults (and `changes`)."""
    return Experiment(dataset=dataset).replaced(**{**dataset_defaults(dataset), **changes})


def _layer_specs(value) -> list[LayerSpec] | None:
    """LayerSpecs from plain data, or None if any field has the wrong type."""
    defaults = LayerSpec()
    specs = []
    for layer in value if isinstance(value, list) else ():
        if not isinstance(layer, dict):
            return None
        fields_ = {k: v for k, v in layer.items() if k in LayerSpec.__dataclass_fields__}
        for key, item in fields_.items():
            wanted = type(getattr(defaults, key))
            if isinstance(item, bool) or not (isinstance(item, wanted) or (wanted is float and isinstance(item, int))):
                return None
        specs.append(LayerSpec(**fields_))
    return specs if isinstance(value, list) else None



_OPTIMIZER_NAMES = {"rmsprop": "rmsprop", "adam": "adam", "adamw": "adamw"}


def experiment_for_model(model: Sequential, base: Experiment) -> Experiment:
    """`base` with the layers and training settings of `model` (an opened file), so that the panels show
    the network as it is. What an Experiment cannot say (a custom layer) keeps `base`'s value."""
    e = base.replaced()
    dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, Dense)]
    specs = []
    for i in dense[:-1]:
        layer = model.layers[i]
        following = model.layers[i + 1] if i + 1 < len(model.layers) else None
        activation = layer.activation.name if layer.activation.name in HIDDEN_ACTIVATIONS else "relu"
        spec = LayerSpec(layer.units, activation, following.rate if isinstance(following, Dropout) else 0.0)
        named = initializers.serialize(layer.kernel_initializer)
        if isinstance(named, str) and named != spec.kernel_initializer():
            spec.initializer = named
        specs.append(spec)
    e.layers = specs
    e.deskew = any(isinstance(layer, Deskew) for layer in model.layers)
    regularizer = model.layers[dense[0]].kernel_regularizer if dense else None
    e.l1, e.l2 = (regularizer.l1, regularizer.l2) if regularizer is not None else (0.0, 0.0)
    optimizer = model.optimizer
    if isinstance(optimizer, optimizers.SGD):
        e.optimizer = "nesterov" if optimizer.nesterov else "momentum" if optimizer.momentum else "sgd"
    elif optimizer is not None:
        e.optimizer = _OPTIMIZER_NAMES.get(optimizer.name, e.optimizer)
    if optimizer is not None:
        e.schedule, e.learning_rate = _schedule_of(optimizer)
    return e


def _schedule_of(optimizer) -> tuple[str, float]:
    """The schedule name and base learning rate that describe an optimizer's rate: a schedule this
    playground builds is named as it is; another (piecewise) shows as constant at its current rate."""
    schedule = optimizer.schedule
    if isinstance(schedule, schedules.ExponentialDecay):
        return ("step" if schedule.staircase else "exponential"), float(schedule.initial_learning_rate)
    if isinstance(schedule, schedules.CosineDecay):
        return "cosine", float(schedule.warmup_target or schedule.initial_learning_rate)
    return "constant", float(optimizer.learning_rate)
