"""Hints: plain rules that read a run and say what is going wrong, with the numbers that show it and fixes
a click can apply.

Each rule reads a `HintContext` (the run log's batches, epochs and markers, the experiment, and the
hidden layers' dead and saturated shares from `layer_stats.UnitHealthProbe`) and returns a `Hint` or
None. A `Fix` is plain data: experiment fields to change through `session.update` (the one path every
widget follows), then perhaps a reset to the same starting weights, so that the fixed run starts where
the faulty one did, or more training. `apply_fix` does it. Rules, not a model: each threshold is a
named constant below, and each rule's docstring says exactly when it speaks.
"""

from dataclasses import dataclass, field

import numpy as np

from nnplayground.session.experiment import Experiment, LayerSpec
from nnplayground.session.runlog import RunLog

MOST = 0.5  # "most units": at least this share of a hidden layer's units dead or saturated
FLAT_BATCHES = 100  # "many batches": the flat rule looks at this many batches, or two epochs' if more
FLAT_CHANGE = 0.01  # ... over which the loss moved by less than this share
FLAT_LEARNED = 0.8  # ... and is still above this share of where it started: hardly anything learned
VANISHING = 0.01  # the first hidden layer's gradient norm below this share of the last's: it vanishes
LOW_RATE = 0.1  # a flat loss blames a rate below this (above it, a higher one would more likely blow up)
BLOCK = 10  # batches averaged together when looking for an exploding loss
LOOKBACK = 5000  # ... among the last this many batches
EXPLODED = 4.0  # a block's mean loss above this many times the lowest block's (and the first's): exploding
OVERFIT_RISE = 1.2  # validation loss this many times its best, in the last epoch and the last three's median
OVERFIT_EPOCHS = 5  # ... at least this many epochs after the best one (and a tenth of the run)
OVERFIT_TRAIN_FALL = 0.9  # ... while the training loss fell below this share of what it was at the best epoch
IMPROVING_FALL = 0.1  # the loss fell by at least this share over the run's last fifth (at least 2 epochs)
IMPROVING_MATTERS = 0.05  # ... and is still at least this share of the first epoch's (a solved task is left)
RATE_RANGE = (1e-6, 10.0)  # what the learning rate may be (Experiment.problems)
_SATURATING = ("sigmoid", "tanh")
_HE = ("auto", "he_uniform", "he_normal")
_GLOROT = ("auto", "glorot_uniform", "glorot_normal", "lecun_uniform", "lecun_normal")


@dataclass
class Fix:
    """One way to act on a hint: experiment fields to change, then a restart or more training."""

    label: str  # a button's text, short
    description: str  # what it does, in a sentence
    changes: dict = field(default_factory=dict)  # Experiment fields, through session.update
    restart: str | None = None  # "same": reset to the run's starting weights; "new": new random weights
    train: bool = False  # then train: continue the run, or resume a paused one


@dataclass
class Hint:
    id: str
    title: str
    message: str  # what is wrong and why, in plain words
    evidence: dict[str, float]  # the numbers from the run the message rests on, by what they are
    fixes: list[Fix] = field(default_factory=list)

    def evidence_text(self) -> str:
        """'best validation loss 0.128 · at epoch 62 · dense dead share 81% · ...' (a share in percent)."""
        return " · ".join(f"{name} {value:.0%}" if name.endswith(" share") else f"{name} {_number(value)}"
                          for name, value in self.evidence.items())


@dataclass
class HintContext:
    """What the rules read."""

    log: RunLog
    experiment: Experiment
    units: dict | None = None  # a UnitHealthProbe result for the run's network, or None
    diverged: dict | None = None  # the session's divergence: {"message", "step", "learning_rate", "weights_finite"}
    finished: bool = False  # nothing trains now (the run ended, or has not begun)
    steps_per_epoch: int = 1


def check_hints(context: HintContext, quiet=()) -> list[Hint]:
    """Every hint that holds for the run now, most urgent first, but those whose ids are in `quiet` (dismissed
    or fixed) and those a more urgent one explains: with an exploding loss, dead or saturated units are
    its doing, and its fix (a lower rate) is theirs."""
    found = [hint for hint in (rule(context) for rule in RULES) if hint is not None and hint.id not in quiet]
    explained = {explained for hint in found for explained in EXPLAINS.get(hint.id, ())}
    return [hint for hint in found if hint.id not in explained]


def apply_fix(session, fix: Fix) -> None:
    """Do what `fix` says through the session's own path: `update` (live fields as commands, others at
    the next stop), then the reset or the training it asks for. The panels follow the session's events."""
    if fix.changes:
        session.update(**fix.changes)
    if fix.restart == "same":
        session.reset(same_weights=True)
    elif fix.restart == "new":
        session.reset()
    if fix.train:
        session.train()


# ----- the rules -------------------------------------------------------------------------------------


def rate_too_high(context: HintContext) -> Hint | None:
    """The loss became NaN or infinite (the session paused the run and said why: that message is the
    hint's) and the learning rate is still what it was then; or, in blocks of BLOCK batches among the
    last LOOKBACK since the last divergence, the latest block's mean loss is above EXPLODED times the
    lower of the first batch's loss (the untrained network's) and the lowest block's, and above the first
    batch's. Fix: a tenth of the rate, from the same start."""
    e, diverged = context.experiment, context.diverged
    if diverged is not None and e.learning_rate >= diverged["learning_rate"]:
        return _diverged_hint(context, diverged)
    batches = context.log.batches
    begin = int(np.searchsorted(batches["step"], diverged["step"], side="right")) if diverged is not None else 0
    first = _finite(batches["loss"][begin: begin + BLOCK])
    recent = _finite(batches["loss"][max(begin, len(batches) - LOOKBACK):])  # a long run costs no more to check
    blocks = recent[len(recent) % BLOCK:].reshape(-1, BLOCK).mean(axis=1)
    if len(blocks) < 3 or not len(first):
        return None
    now, start = float(blocks[-1]), float(first[0])
    lowest = min(start, float(blocks.min()))
    if not (now > EXPLODED * lowest and now > start):
        return None
    rate = e.learning_rate
    compared = f"the untrained network's ({_number(start)})" if lowest == start else \
        f"its lowest ({_number(lowest)}), and above the untrained network's ({_number(start)})"
    grown = _times(now, lowest) or "up from "
    return Hint("rate_too_high", "The loss is exploding",
                f"The loss has grown to {_number(now)}, {grown}{compared}: the steps overshoot, "
                f"most often because the learning rate ({rate:g}) is too high.",
                {f"mean loss of the last {BLOCK} batches": now, "lowest": lowest, "first batch's": start,
                 "learning rate": rate},
                _lower_rate_fixes(rate))


def _diverged_hint(context: HintContext, diverged: dict) -> Hint:
    rate = diverged["learning_rate"]
    losses = context.log.batches["loss"]
    finite = _finite(losses)
    evidence = {"non-finite loss at step": diverged["step"], "learning rate": rate}
    if len(finite):
        evidence["lowest loss before"] = float(finite.min())
        fixes = _lower_rate_fixes(rate, resume=not context.finished)
    elif diverged["weights_finite"]:  # the data itself: no setting fixes that
        fixes = []
    else:
        fixes = [Fix("New random weights", "Start over with new random weights.", restart="new")]
    return Hint("rate_too_high", "The loss blew up", diverged["message"], evidence, fixes)


def _lower_rate_fixes(rate: float, resume: bool = False) -> list[Fix]:
    lower = _round(rate / 10)
    if lower < RATE_RANGE[0]:
        return []
    fixes = [Fix(f"Rate {lower:g}, same start",
                 f"Set the learning rate to {lower:g} (a tenth) and start again from the same starting weights.",
                 {"learning_rate": lower}, restart="same")]
    if resume:
        fixes.append(Fix(f"Rate {lower:g}, resume", f"Set the learning rate to {lower:g} and go on from the "
                                                   "restored weights.", {"learning_rate": lower}, train=True))
    return fixes


def loss_flat(context: HintContext) -> Hint | None:
    """Over the last FLAT_BATCHES batches (or two epochs, if longer) the mean loss of the second half
    differs from the first half's by less than FLAT_CHANGE, the loss is still above FLAT_LEARNED of
    where the run started, and no hidden layer has most units dead or saturated (that rule explains a
    flat loss better). Then, if the first hidden layer's latest gradient norm is below VANISHING times
    the last hidden layer's, the gradient vanishes on its way back: fixes ReLU (He) instead of sigmoid
    and tanh, or Adam, from the same start. Else, if the rate is below LOW_RATE, it is too low: fix ten
    times the rate, on the run as it goes."""
    log, e = context.log, context.experiment
    window = max(FLAT_BATCHES, 2 * context.steps_per_epoch)
    losses = log.batches["loss"][-window:]
    if len(log.batches) < window or not np.isfinite(losses).all() or _units_in_trouble(context.units):
        return None
    half = window // 2
    before, after = float(losses[:half].mean()), float(losses[half:].mean())
    start = _start_loss(log)
    change = abs(after - before) / before if before > 0 else 0.0
    if change >= FLAT_CHANGE or after < FLAT_LEARNED * start:
        return None
    flat = (f"The loss has hardly moved over the last {window} batches ({_number(before)} then {_number(after)})"
            + (f" and is still {after / start:.0%} of where it started" if start > 0 else ""))
    evidence = {"batches": window, "mean loss, first half": before, "mean loss, second half": after,
                "loss at the start": start}
    vanishing = _vanishing_gradient(log)
    if vanishing is not None:
        first, first_norm, last, last_norm = vanishing
        saturating = [spec for spec in e.layers if spec.activation in _SATURATING]
        fixes = [_layers_fix(e, saturating, "ReLU (He)", "Use ReLU with He initialisation in the sigmoid and tanh "
                             "layers: its slope is 1 wherever it is active. Same seed.", activation="relu",
                             initializer="auto")] if saturating else []
        if e.optimizer != "adam":
            fixes.append(Fix("Adam", "Train with Adam (rate 0.001): it scales each weight's step by its own "
                                     "gradient's size. Same starting weights.",
                             {"optimizer": "adam", "learning_rate": 0.001}, restart="same"))
        smaller = _times(last_norm, first_norm, "smaller") or "below "
        return Hint("loss_flat", "The loss is flat",
                    f"{flat}: the gradient fades on its way back through the layers. The first hidden layer's "
                    f"({first}: {_number(first_norm)}) is {smaller}the last "
                    f"hidden layer's ({last}: {_number(last_norm)}), so the first layers hardly learn.",
                    {**evidence, f"gradient norm of {first}": first_norm, f"gradient norm of {last}": last_norm},
                    fixes)
    if e.learning_rate >= LOW_RATE:
        return None
    higher = _round(min(e.learning_rate * 10, RATE_RANGE[1]))
    return Hint("loss_flat", "The loss is flat",
                f"{flat}: the learning rate ({e.learning_rate:g}) is probably too low for {_optimizer_name(e)}.",
                {**evidence, "learning rate": e.learning_rate},
                [Fix(f"Rate {higher:g} (x10)", f"Raise the learning rate to {higher:g}; the run goes on with it.",
                     {"learning_rate": higher})])


def _vanishing_gradient(log: RunLog) -> tuple[str, float, str, float] | None:
    """(first hidden layer, its gradient norm, last hidden layer, its norm) from the latest norms, if the
    first's is below VANISHING times the last's; None otherwise (or with fewer than two hidden layers)."""
    if log.norms is None or not len(log.norms) or len(log.layer_names) < 3:
        return None
    gradients = log.norms["gradient"][-1]
    first, last = float(gradients[0]), float(gradients[-2])  # the last column is the output layer's
    if not (np.isfinite(first) and np.isfinite(last)) or last <= 0 or first >= VANISHING * last:
        return None
    return log.layer_names[0], first, log.layer_names[-2], last


def dead_units(context: HintContext) -> Hint | None:
    """Some hidden ReLU layer has at least MOST of its units dead: zero for every measured validation
    sample. Fixes: He initialisation (if another was chosen), a tenth of the rate (if the initialisation
    is He), leaky ReLU; each from the same start."""
    layers = [layer for layer in _unit_layers(context) if (layer["dead_share"] or 0) >= MOST]
    if not layers:
        return None
    e, samples = context.experiment, context.units["samples"]
    counts = [(layer["name"], round(layer["dead_share"] * layer["units"]), layer["units"]) for layer in layers]
    said = "; ".join(f"{dead} of {units} in {name}" for name, dead, units in counts)
    fixes = []
    specs = _specs_of(context, layers)
    if any(spec.initializer not in _HE for spec in specs):
        unfit = [spec for spec in e.layers if spec.activation == "relu" and spec.initializer not in _HE]
        fixes.append(_layers_fix(e, unfit, "He initialisation", "Initialise the ReLU layers for ReLU (He), from "
                                 "the same seed.", initializer="auto"))
    else:
        fixes += _lower_rate_fixes(e.learning_rate)[:1]
    he = {} if all(spec.initializer in _HE for spec in specs) else {"initializer": "auto"}
    fixes.append(_layers_fix(e, specs, "Leaky ReLU", "Use leaky ReLU in those layers: a small slope below zero "
                             "keeps every unit learning. Same seed.", activation="leaky_relu", **he))
    return Hint("dead_units", "Most ReLUs are dead",
                f"Most ReLU units output zero for every one of {samples} validation samples ({said}): no "
                "gradient reaches them, so they stay dead, and the network has only the others left to learn with.",
                {**{f"{name} dead share": dead / units for name, dead, units in counts}, "samples": samples},
                fixes)


def saturated_units(context: HintContext) -> Hint | None:
    """Some hidden sigmoid or tanh layer has at least MOST of its units saturated (on a flat tail for
    90% of the samples, see layer_stats). Fixes: Glorot initialisation (if another was chosen), a
    tenth of the rate (if it is Glorot), leaky ReLU; each from the same start."""
    layers = [layer for layer in _unit_layers(context) if (layer["saturated_share"] or 0) >= MOST]
    if not layers:
        return None
    e, samples = context.experiment, context.units["samples"]
    counts = [(layer["name"], layer["activation"], round(layer["saturated_share"] * layer["units"]), layer["units"])
              for layer in layers]
    said = "; ".join(f"{share} of {units} {activation} units in {name}" for name, activation, share, units in counts)
    fixes = []
    specs = _specs_of(context, layers)
    if any(spec.initializer not in _GLOROT for spec in specs):
        unfit = [spec for spec in e.layers if spec.activation in _SATURATING and spec.initializer not in _GLOROT]
        fixes.append(_layers_fix(e, unfit, "Glorot initialisation", "Initialise the sigmoid and tanh layers for "
                                 "them (Glorot), from the same seed.", initializer="auto"))
    else:
        fixes += _lower_rate_fixes(e.learning_rate)[:1]
    fixes.append(_layers_fix(e, specs, "Leaky ReLU", "Use leaky ReLU in those layers: it has no flat tail. "
                             "Same seed.", activation="leaky_relu", initializer="auto"))
    return Hint("saturated_units", "Most units are saturated",
                f"Most units sit on the flat tails of their activation for at least 90% of {samples} validation "
                f"samples ({said}): their slope there is nearly zero, so they hardly learn.",
                {**{f"{name} saturated share": share / units for name, _, share, units in counts},
                 "samples": samples},
                fixes)


def overfitting(context: HintContext) -> Hint | None:
    """The validation loss of the last epoch, and the median of the last three, are at least OVERFIT_RISE
    times its best, which lies OVERFIT_EPOCHS (and a tenth of the run) or more epochs back; meanwhile the
    training loss fell below OVERFIT_TRAIN_FALL of its value at that best epoch, and below the best
    validation loss (a network that learns its samples by heart does better on them). Quiet when early
    stopping has brought the best weights back, or is about to (no more than `patience` epochs since the
    best). Fixes: dropout 0.2, ten
    times the L2 (or 0.001), early stopping that restores the best weights; each from the same start."""
    log, e = context.log, context.experiment
    _, val = log.epoch_series("val_loss")
    _, train = log.epoch_series("loss")
    if len(val) < 2 * OVERFIT_EPOCHS or not (np.isfinite(val).all() and np.isfinite(train).all()):
        return None
    best = int(np.argmin(val))
    since = len(val) - 1 - best
    if log.finish_reason == "early stopping" and context.finished or 0 < e.patience and since <= e.patience:
        return None
    worse = min(float(val[-1]), float(np.median(val[-3:])))
    if since < max(OVERFIT_EPOCHS, len(val) // 10) or worse < OVERFIT_RISE * val[best] \
            or train[-1] >= min(OVERFIT_TRAIN_FALL * train[best], val[best]):
        return None
    fixes = []
    if any(spec.dropout < 0.2 for spec in e.layers):
        layers = [LayerSpec(spec.units, spec.activation, max(spec.dropout, 0.2), spec.initializer) for spec in e.layers]
        fixes.append(Fix("Dropout 0.2", "Drop a fifth of each hidden layer's outputs while training, from the "
                                        "same seed.", {"layers": layers}, restart="same"))
    l2 = _round(min(e.l2 * 10, 1.0)) if e.l2 else 0.001
    if l2 > e.l2:
        fixes.append(Fix(f"L2 {l2:g}", f"Penalise large weights (L2 {l2:g}) and start again from the same "
                                       "starting weights.", {"l2": l2}, restart="same"))
    if not e.patience:
        patience = max(OVERFIT_EPOCHS, min(20, len(val) // 10))
        fixes.append(Fix(f"Early stop ({patience} epochs)", f"Stop once the validation loss has not improved for "
                                                           f"{patience} epochs and keep the best weights; start again "
                                                           "from the same starting weights.",
                         {"patience": patience}, restart="same"))
    return Hint("overfitting", "Overfitting",
                f"The validation loss rose from its best, {_number(val[best])} at epoch {best + 1}, to "
                f"{_number(val[-1])} at epoch {len(val)}, while the training loss kept falling "
                f"({_number(train[best])} to {_number(train[-1])}): the network learns the training samples by "
                "heart instead of the pattern.",
                {"best validation loss": float(val[best]), "at epoch": best + 1, "validation loss now": float(val[-1]),
                 "training loss then": float(train[best]), "training loss now": float(train[-1])},
                fixes)


def still_improving(context: HintContext) -> Hint | None:
    """A run that ran its epochs to the end (not stopped, not early-stopped, not until-paused) whose last
    epoch had its lowest loss, which fell by at least IMPROVING_FALL over the run's last fifth (at least 2
    epochs) and is still at least IMPROVING_MATTERS of the first epoch's, and whose validation loss (if
    any) fell over the same epochs.
    Fixes: as many epochs again, or run until paused; both continue the run."""
    log, e = context.log, context.experiment
    if not context.finished or log.finish_reason != "completed" or e.run_until_paused:
        return None
    _, train = log.epoch_series("loss")
    _, val = log.epoch_series("val_loss")
    span = max(2, len(train) // 5)
    if len(train) <= span or not np.isfinite(train).all():
        return None
    then, now = float(train[-1 - span]), float(train[-1])
    if now > (1 - IMPROVING_FALL) * then or now < IMPROVING_MATTERS * train[0] or now > train.min():
        return None
    evidence = {"epochs": span, "loss then": then, "loss now": now}
    said = ""
    if np.isfinite(val[[-1 - span, -1]]).all():
        if val[-1] >= val[-1 - span]:
            return None
        evidence.update({"validation loss then": float(val[-1 - span]), "validation loss now": float(val[-1])})
        said = f", and the validation loss with it ({_number(val[-1 - span])} to {_number(val[-1])})"
    return Hint("still_improving", "Still improving",
                f"The run ended while the loss was still falling fast: from {_number(then)} to {_number(now)} "
                f"({(now - then) / then:.0%}) over the last {span} epochs{said}. More training should help.",
                evidence,
                [Fix(f"Train {e.epochs} more epochs", f"Go on training this run for {e.epochs} more epochs.",
                     train=True),
                 Fix("Run until paused", "Go on training this run with no epoch limit, until you press Pause or "
                                         "Stop.", {"run_until_paused": True}, train=True)])


RULES = (rate_too_high, dead_units, saturated_units, loss_flat, overfitting, still_improving)
EXPLAINS = {"rate_too_high": ("dead_units", "saturated_units")}  # a hint's id -> the hints it makes redundant


# ----- helpers ---------------------------------------------------------------------------------------


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


def _times(big: float, small: float, word: str = "") -> str:
    """'12 times ' (with a word: '12 times <word> than ') big is small, or '' when small is not above 0: a
    loss or a gradient can be exactly 0, and no ratio is worth saying then."""
    if not small > 0:
        return ""
    return f"{big / small:.0f} times " + (f"{word} than " if word else "")


def _start_loss(log: RunLog) -> float:
    """Where the run started: the mean of its first ten finite batch losses."""
    first = _finite(log.batches["loss"][:50])[:10]
    return float(first.mean()) if len(first) else float("nan")


def _unit_layers(context: HintContext) -> list[dict]:
    return list(context.units["layers"]) if context.units and context.units.get("samples") else []


def _units_in_trouble(units: dict | None) -> bool:
    return any((layer["dead_share"] or 0) >= MOST or (layer["saturated_share"] or 0) >= MOST
               for layer in (units or {}).get("layers", ()))


def _specs_of(context: HintContext, layers: list[dict]) -> list[LayerSpec]:
    """The experiment's specs of these probed hidden layers (the i-th hidden Dense is layers[i])."""
    hidden = [layer["index"] for layer in context.units["layers"]]
    specs = context.experiment.layers
    return [specs[hidden.index(layer["index"])] for layer in layers if hidden.index(layer["index"]) < len(specs)]


def _layers_fix(e: Experiment, specs: list[LayerSpec], label: str, description: str, **change) -> Fix:
    """A fix that changes `specs` (some of e.layers) by `change`, from the same seed."""
    chosen = {id(spec) for spec in specs}
    layers = [LayerSpec(**{**vars(spec), **change}) if id(spec) in chosen else LayerSpec(**vars(spec))
              for spec in e.layers]
    return Fix(label, description, {"layers": layers}, restart="same")


def _optimizer_name(e: Experiment) -> str:
    return {"sgd": "SGD", "momentum": "SGD with momentum", "nesterov": "Nesterov SGD", "rmsprop": "RMSprop",
            "adam": "Adam", "adamw": "AdamW"}.get(e.optimizer, e.optimizer)


def _round(value: float) -> float:
    """Two significant digits: a rate a person would type."""
    return float(f"{value:.2g}")


def _number(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return f"{int(value)}"
    return f"{value:.3g}"
