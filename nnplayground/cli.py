"""The nnplayground command: the window, or train / evaluate / bench from the terminal.

    nnplayground                       open the window
    nnplayground exp.toml              open the window with an experiment file (or a model .npz)
    nnplayground --preset spiral       open the window with a preset (nnplayground presets lists them)
    nnplayground train --dataset mnist-sample --layers 128,64 --epochs 5 --out model.npz
    nnplayground train --config exp.toml --epochs 3   the file's experiment, with the options given changed
    nnplayground evaluate model.npz --dataset mnist
    nnplayground lr-find --config exp.toml       the learning-rate range test: a suggested rate and its curve
    nnplayground bench
    nnplayground runs                  the recorded runs (see cli_runs.py, as for sweep)

Bad arguments and unreadable files end in one line on stderr and exit status 2, never a traceback.
"""

import argparse
import secrets
import sys

import numpy as np

from nnplayground import cli_runs, fileio, optimizers
from nnplayground.datasets import catalog
from nnplayground.session import presets
from nnplayground.session.experiment import HIDDEN_ACTIVATIONS, OPTIMIZERS, Experiment, LayerSpec
from nnplayground.session.experiment_file import load_experiment
from nnplayground.session.hint_board import HintBoard
from nnplayground.session.jobs import FAILURE_PREFIX

EXIT_BAD_INPUT = 2
COMMANDS = ("app", "presets", "train", "evaluate", "lr-find", "bench", "runs", "sweep")
# The options' values when neither they nor --config say otherwise.
DATA_DEFAULTS = {"dataset": "mnist-sample", "samples": 1000, "noise": 0.1, "classes": 2}
DEFAULTS = {**DATA_DEFAULTS, "layers": [128, 64], "activation": "relu", "optimizer": "adam", "batch_size": 128,
            "epochs": 5, "dropout": 0.0, "l1": 0.0, "l2": 0.0, "validation_split": 0.0}
# Experiment fields -> the option that sets them, to name the option in a complaint.
OPTIONS = {"dataset": "--dataset", "n_samples": "--samples", "noise": "--noise", "n_classes": "--classes",
           "learning_rate": "--lr", "batch_size": "--batch-size", "epochs": "--epochs", "l1": "--l1", "l2": "--l2",
           "validation_split": "--validation-split", "layers": "--layers"}


class UsageError(Exception):
    """A mistake in what the user asked for; the message says what to do."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def _epochs(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}: the command line trains a "
                                         "set number of epochs (training until paused is the window's)")
    return value


def _layers(text):
    if text.strip().lower() == "none":
        return []
    try:
        units = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected hidden layer sizes like 128,64 (or none), not {text!r}") from None
    if any(u < 1 for u in units):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, not {text!r}")
    return units


def _out_path(text):
    """Checked before training, so that an hour of training is not lost to a path that cannot be written."""
    try:
        fileio.save_target(text)
    except (ValueError, OSError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _rate(text):
    value = float(text)
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def _fraction(text):
    value = float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnplayground", description="Learn how neural networks learn. Without a command: the "
                                                      "window (nnplayground [FILE] [--preset NAME]).")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_app_command(commands)
    _add_presets_command(commands)

    train = commands.add_parser("train", help="train a network and report its test accuracy")
    _add_training_arguments(train)
    train.add_argument("--out", type=_out_path, help="save the trained model here (.npz)")

    evaluate = commands.add_parser("evaluate", help="test a saved model")
    evaluate.add_argument("model", help="a model file written by train --out or model.save")
    _add_data_arguments(evaluate)

    _add_lr_find_command(commands)

    bench = commands.add_parser("bench", help="measure training speed and memory (run by hand)")
    bench.add_argument("--quick", action="store_true", help="fewer samples, for a smoke run")
    bench.add_argument("--torch", action="store_true", help="also time PyTorch, if installed")
    bench.add_argument("--gui", action="store_true", help="measure the window while it trains")
    bench.add_argument("--all-views", action="store_true", help="with --gui: every view visible at once")
    bench.add_argument("--data", help="train on this MNIST .npz (Keras layout) instead of synthetic digits")
    bench.add_argument("--peer", help="also time neural-network-digits' loop from its unpacked wheel here")
    cli_runs.add_commands(commands)
    return parser


def _add_training_arguments(train) -> None:
    """The experiment a train (or lr-find) command line describes: data, --config or --preset, network, training."""
    _add_data_arguments(train)
    _add_experiment_arguments(train)
    # The options' defaults are in DEFAULTS: None here tells an option given (it changes --config's file)
    # from one left out (the file's value stays).
    train.add_argument("--layers", type=_layers, help="hidden layer sizes, e.g. 128,64 (none: no hidden layer; "
                                                      "default 128,64)")
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, help="of every hidden layer (default relu)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="momentum and nesterov are SGD with momentum 0.9 "
                                                               "(default adam)")
    train.add_argument("--lr", type=_rate, default=None, help="learning rate (default: the optimizer's)")
    train.add_argument("--batch-size", type=_positive_int, help="default 128")
    train.add_argument("--epochs", type=_epochs, help="default 5")
    train.add_argument("--dropout", type=_fraction, help="after every hidden layer (default 0)")
    train.add_argument("--l1", type=float, help="L1 factor on every kernel (default 0)")
    train.add_argument("--l2", type=float, help="L2 factor on every kernel (default 0)")
    train.add_argument("--validation-split", type=_fraction, help="default 0: validate on the test set")


def _add_app_command(commands) -> None:
    app = commands.add_parser("app", help="open the window (the default: nnplayground [FILE] [--preset NAME])")
    app.add_argument("path", nargs="?", help="an experiment (.toml) or a model (.npz) to open")
    app.add_argument("--preset", help="start from this preset (nnplayground presets lists them)")


def _add_presets_command(commands) -> None:
    commands.add_parser("presets", help="list the presets, for --preset")


def _add_experiment_arguments(parser) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--config", metavar="FILE", help="an experiment file (.toml, as the window saves it); "
                                                         "the other options given change its values")
    chosen.add_argument("--preset", metavar="NAME", help="a preset's experiment (nnplayground presets lists them)")


def parse_arguments(argv=None) -> argparse.Namespace:
    """The command line read; without a command it is the window's: `nnplayground exp.toml` is
    `nnplayground app exp.toml`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "app")
    return build_parser().parse_args(argv)


def _experiment_file(args) -> Experiment | None:
    """The experiment of --config or --preset (ExperimentFileError naming the problem), or None."""
    if getattr(args, "config", None):
        return load_experiment(args.config)
    if getattr(args, "preset", None):
        return presets.find(args.preset).load()
    return None


def _list_presets() -> int:
    found = presets.presets()
    width = max(len(preset.name) for preset in found)
    for preset in found:
        print(f"{preset.name:<{width}}  {preset.title}: {preset.description}")
    return 0


def _add_data_arguments(parser):
    parser.add_argument("--dataset", choices=catalog.NAMES, help="default mnist-sample")
    parser.add_argument("--data-path", help="read MNIST-style data from this .npz or IDX folder instead")
    parser.add_argument("--samples", type=_positive_int, help="size of a toy set (default 1000)")
    parser.add_argument("--noise", type=float, help="noise of a toy set (default 0.1)")
    parser.add_argument("--classes", type=int, help="classes of a toy set (2-5 where possible; default 2)")
    parser.add_argument("--seed", type=int, default=None,
                        help="the starting weights and batch order (default: --config's, else a random seed, "
                             "printed)")


def main(argv=None) -> int:
    try:
        args = parse_arguments(argv)
        if args.command == "app":
            from nnplayground.app.main import run

            return run(path=args.path, preset=args.preset)
        if args.command == "presets":
            return _list_presets()
        if args.command == "train":
            return _train(args)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "lr-find":
            return _lr_find(args)
        if args.command in cli_runs.COMMANDS:
            return cli_runs.main(args)
        if args.gui:
            from nnplayground.app.bench import run_gui_bench

            return run_gui_bench(seconds=3.0 if args.quick else 8.0, all_views=args.all_views,
                                 rounds=1 if args.quick else 3)
        from nnplayground.bench import run_bench

        return run_bench(quick=args.quick, torch=args.torch, data=args.data, peer=args.peer)
    except (UsageError, ValueError, OSError) as error:
        print(f"nnplayground: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nnplayground: interrupted", file=sys.stderr)
        return 130


def experiment_from(args) -> Experiment:
    """The Experiment a train or evaluate command line describes (the window builds from the same): the
    file of --config or --preset with the options given changed, else the options and their DEFAULTS."""
    training = hasattr(args, "layers")
    e = _experiment_file(args)
    from_file = e is not None
    given = {key: value for key, value in vars(args).items() if value is not None}
    if not from_file:
        e = Experiment(seed=secrets.randbelow(2**31))
        given = {**DEFAULTS, **given} if training else {**DATA_DEFAULTS, **given}
    if "data_path" in given:
        e.dataset, e.data_path = "file", given["data_path"]
    elif "dataset" in given:
        e.dataset, e.data_path = given["dataset"], None
    for option, field in (("samples", "n_samples"), ("noise", "noise"), ("classes", "n_classes"), ("seed", "seed"),
                          ("batch_size", "batch_size"), ("epochs", "epochs"), ("l1", "l1"), ("l2", "l2"),
                          ("validation_split", "validation_split"), ("optimizer", "optimizer"),
                          ("lr", "learning_rate")):
        if option in given:
            setattr(e, field, given[option])
    if "layers" in given:
        e.layers = [LayerSpec(units) for units in given["layers"]]
    for option in ("activation", "dropout"):  # of every hidden layer: the file's layers or --layers
        if option in given:
            for spec in e.layers:
                setattr(spec, option, given[option])
    if training and not from_file and "lr" not in given:  # the optimizer's own default, as Keras has it
        base = "sgd" if e.optimizer in ("momentum", "nesterov") else e.optimizer
        e.learning_rate = optimizers.get(base).learning_rate
    if training and e.run_until_paused:
        print(f"nnplayground: note: the file trains until paused in the window; here it trains {e.epochs} epochs",
              file=sys.stderr)
        e.run_until_paused = False
    problems = e.problems()
    if problems:
        key, problem = next(iter(problems.items()))
        option = OPTIONS.get(key.split(".")[0], "--" + key.replace("_", "-"))
        raise UsageError(f"{option}: {problem}")
    return e


def _session_with_data(args, *, check_budget: bool = False):
    """A session on the command line's data; with `check_budget`, refuse a network that needs more memory
    than is available (UsageError with the estimate) before building it."""
    from nnplayground.session import Session
    from nnplayground.session.history import RunHistory

    experiment = experiment_from(args)
    data = experiment.load_data(progress=_download_progress)
    if check_budget:
        budget = experiment.estimate(data.input_shape, data.n_classes, len(data.x_train))
        if budget.problem():
            raise UsageError(budget.problem())
        if budget.warning():
            print(f"nnplayground: note: {budget.warning()}", file=sys.stderr)
    session = Session(experiment, history=RunHistory())  # a run trained here is recorded as the window's are
    session.use_data(data, experiment)
    return session


def _download_progress(done, total):
    if total and sys.stderr.isatty():
        print(f"\rdownloading: {done / total:5.1%} of {total / 1e6:.1f} MB", end="", file=sys.stderr)
        if done >= total:
            print(file=sys.stderr)


def _train(args) -> int:
    session = _session_with_data(args, check_budget=True)
    data, model, e = session.dataset, session.model, session.experiment
    print(f"{e.data_path or e.dataset}: {len(data.x_train)} training and {len(data.x_test)} test samples, "
          f"{data.n_classes} classes; {model.count_params():,} parameters; seed {e.seed}")

    def epochs_ended(ended):
        first = session.run_log.complete_epochs - len(ended) + 1
        for number, logs in enumerate(ended, first):
            figures = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
            print(f"Epoch {number}/{e.epochs} - {figures}", flush=True)

    session.events.connect("epochs_ended", epochs_ended)
    diverged = []
    session.events.connect("diverged", lambda message: (diverged.append(message), print(message, file=sys.stderr)))
    session.events.connect("message", lambda message: print(message, file=sys.stderr)
                           if message.startswith(FAILURE_PREFIX) else None)
    hints = HintBoard(session)
    session.train()
    if session.run_log.finish_reason == "failed" or diverged:
        print("nnplayground: training did not finish; nothing was saved", file=sys.stderr)
        return 1
    loss, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=1024, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.2%}")
    for hint in hints.hints:  # what the window's hints panel would say, with its numbers
        print(f"hint: {hint.title}. {hint.message}\n      evidence: {hint.evidence_text()}")
    if args.out is not None:
        model.save(args.out)
        print(f"saved the model to {args.out}")
    return 0


def _evaluate(args) -> int:
    from nnplayground.models import load_model

    model = load_model(args.model)
    session = _session_with_data(args)
    data, e = session.dataset, session.experiment
    x_test, y_test = data.x_test, data.y_test
    if tuple(x_test.shape[1:]) != model.input_shape:
        raise UsageError(f"{args.model} takes samples of shape {model.input_shape}, but {e.data_path or e.dataset} "
                         f"has {tuple(x_test.shape[1:])}; pick the dataset it was trained on")
    if model.loss is None:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    results = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    print(" - ".join(f"test {key} {value:.4f}" for key, value in results.items()))
    return 0


# ----- lr-find ---------------------------------------------------------------------------------------


def _add_lr_find_command(commands) -> None:
    from nnplayground.session import lr_finder

    find = commands.add_parser("lr-find", help="suggest a learning rate: the range test on a copy of the network "
                                               "(Smith's LR finder)")
    _add_training_arguments(find)
    find.add_argument("--start", type=_rate, default=lr_finder.START, help=f"the first rate tried "
                                                                          f"(default {lr_finder.START:g})")
    find.add_argument("--end", type=_rate, default=lr_finder.END, help=f"the last (default {lr_finder.END:g})")
    find.add_argument("--steps", type=_positive_int, default=lr_finder.STEPS,
                      help=f"batches from the first rate to the last (default {lr_finder.STEPS})")


def _lr_find(args) -> int:
    """Run the range test on the experiment's network (as train would build it), print the curve as a small
    table and the suggestion. Exit status 1 if there is none (the loss never fell)."""
    from nnplayground.session.lr_finder import start_range_test

    if not 0 < args.start < args.end or args.steps < 10:
        raise UsageError("--start must be below --end, and --steps at least 10")
    session = _session_with_data(args, check_budget=True)
    data, e = session.dataset, session.experiment
    print(f"{e.data_path or e.dataset}: {len(data.x_train)} training samples; layers "
          f"{'-'.join(str(spec.units) for spec in e.layers) or 'none'}; {e.optimizer}, batches of {e.batch_size}; "
          f"seed {e.seed}")
    print(f"the range test: {args.steps} batches on a copy of the network, the rate from {args.start:g} to "
          f"{args.end:g}")
    session.events.connect("message", lambda message: print(message, file=sys.stderr))
    job = start_range_test(session, lambda report: None, lambda reason: None, start=args.start, end=args.end,
                           steps=args.steps)
    result = job.result
    if result.ended == "failed":
        return 1
    rows = result.table(12)
    if result.suggestion is not None:
        nearest = min(range(len(result.rates)), key=lambda i: abs(np.log(result.rates[i] / result.suggestion)))
        rows = sorted({*rows, (result.rates[nearest], result.smoothed[nearest])})
    print(f"\n{'learning rate':>14}  {'smoothed loss':>13}")
    for rate, loss in rows:
        mark = "  <- suggested" if result.suggestion is not None and rate == result.rates[nearest] else ""
        print(f"{rate:>14.3g}  {loss:>13.4g}{mark}")
    ended = {"loss blew up": f"the loss blew up at {result.rates[-1]:.3g}",
             "range done": "the whole range tried"}[result.ended]
    if result.suggestion is None:
        print(f"\nno suggestion: the loss never fell ({ended})")
        return 1
    print(f"\nsuggested learning rate: {result.suggestion:g} (where the smoothed loss falls fastest; {ended})")
    return 0
