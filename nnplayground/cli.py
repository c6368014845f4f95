"""The nnplayground command: the window, or train / evaluate / bench from the terminal.

    nnplayground                       open the window
    nnplayground train --dataset mnist-sample --layers 128,64 --epochs 5 --out model.npz
    nnplayground evaluate model.npz --dataset mnist
    nnplayground bench

Bad arguments and unreadable files end in one line on stderr and exit status 2, never a traceback.
"""

import argparse
import sys

import numpy as np

from nnplayground import activations, optimizers

DATASETS = ("mnist-sample", "mnist", "fashion-mnist", "circle", "xor", "gaussians", "spiral", "moons")
EXIT_BAD_INPUT = 2


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


def _layers(text):
    try:
        units = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected hidden layer sizes like 128,64, not {text!r}") from None
    if any(u < 1 for u in units):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, not {text!r}")
    return units


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
    parser = _Parser(prog="nnplayground", description="Learn how neural networks learn.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("app", help="open the window (the default)")

    train = commands.add_parser("train", help="train a network and report its test accuracy")
    _add_data_arguments(train)
    train.add_argument("--layers", type=_layers, default=[128, 64], help="hidden layer sizes, e.g. 128,64")
    train.add_argument("--activation", choices=activations.NAMES, default="relu")
    train.add_argument("--optimizer", choices=optimizers.NAMES, default="adam")
    train.add_argument("--lr", type=_rate, default=None, help="learning rate (default: the optimizer's)")
    train.add_argument("--batch-size", type=_positive_int, default=128)
    train.add_argument("--epochs", type=_positive_int, default=5)
    train.add_argument("--dropout", type=_fraction, default=0.0)
    train.add_argument("--l2", type=float, default=0.0, help="L2 factor on every kernel")
    train.add_argument("--validation-split", type=_fraction, default=0.0)
    train.add_argument("--out", help="save the trained model here (.npz)")

    evaluate = commands.add_parser("evaluate", help="test a saved model")
    evaluate.add_argument("model", help="a model file written by train --out or model.save")
    _add_data_arguments(evaluate)

    bench = commands.add_parser("bench", help="measure training speed and memory (run by hand)")
    bench.add_argument("--quick", action="store_true", help="fewer samples, for a smoke run")
    bench.add_argument("--torch", action="store_true", help="also time PyTorch, if installed")
    bench.add_argument("--gui", action="store_true", help="measure the window while it trains")
    bench.add_argument("--data", help="train on this MNIST .npz (Keras layout) instead of synthetic digits")
    bench.add_argument("--peer", help="also time neural-network-digits' loop from its unpacked wheel here")
    return parser


def _add_data_arguments(parser):
    parser.add_argument("--dataset", choices=DATASETS, default="mnist-sample")
    parser.add_argument("--data-path", help="read MNIST-style data from this .npz or IDX folder instead")
    parser.add_argument("--samples", type=_positive_int, default=1000, help="size of a toy set")
    parser.add_argument("--noise", type=float, default=0.1, help="noise of a toy set")
    parser.add_argument("--classes", type=int, default=2, help="classes of a toy set (2-5 where possible)")
    parser.add_argument("--seed", type=int, default=None, help="makes the run (and a toy set) reproducible")


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        command = args.command or "app"
        if command == "app":
            from nnplayground.app.main import run

            return run()
        if command == "train":
            return _train(args)
        if command == "evaluate":
            return _evaluate(args)
        if args.gui:
            from nnplayground.app.bench import run_gui_bench

            return run_gui_bench(seconds=3.0 if args.quick else 8.0)
        from nnplayground.bench import run_bench

        return run_bench(quick=args.quick, torch=args.torch, data=args.data, peer=args.peer)
    except (UsageError, ValueError, OSError) as error:
        print(f"nnplayground: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nnplayground: interrupted", file=sys.stderr)
        return 130


def load_dataset(args):
    """The catalog's Dataset for the command line's data options."""
    from nnplayground.datasets import catalog

    return catalog.load("file" if args.data_path else args.dataset, path=args.data_path, n_samples=args.samples,
                        noise=args.noise, n_classes=args.classes, seed=args.seed, progress=_download_progress)


def _download_progress(done, total):
    if total and sys.stderr.isatty():
        print(f"\rdownloading: {done / total:5.1%} of {total / 1e6:.1f} MB", end="", file=sys.stderr)
        if done >= total:
            print(file=sys.stderr)


def build_model(args, input_shape, n_classes):
    """The network the train command describes: pixels are rescaled inside the model, kept uint8 outside."""
    from nnplayground.layers import Dense, Dropout, Flatten, Rescaling
    from nnplayground.models import Sequential

    layers = [Rescaling(1 / 255, input_shape=input_shape)] if len(input_shape) > 1 else []
    layers.append(Flatten(input_shape=input_shape) if not layers else Flatten())
    for units in args.layers:
        layers.append(Dense(units, activation=args.activation, kernel_initializer=_initializer(args.activation),
                            kernel_regularizer={"l2": args.l2} if args.l2 else None))
        if args.dropout:
            layers.append(Dropout(args.dropout))
    layers.append(Dense(n_classes, activation="softmax"))
    return Sequential(layers)


def _initializer(activation):
    return "he_uniform" if activation in ("relu", "leaky_relu", "elu", "gelu") else "glorot_uniform"


def _train(args) -> int:
    from nnplayground import config
    from nnplayground import optimizers as optimizer_module

    if args.seed is not None:
        config.set_random_seed(args.seed)
    data = load_dataset(args)
    x_train, y_train, x_test, y_test, n_classes = data.x_train, data.y_train, data.x_test, data.y_test, data.n_classes
    model = build_model(args, data.input_shape, n_classes)
    optimizer = optimizer_module.get(args.optimizer)
    if args.lr is not None:
        optimizer.learning_rate = args.lr
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"{args.dataset if not args.data_path else args.data_path}: {len(x_train)} training and "
          f"{len(x_test)} test samples, {n_classes} classes; {model.count_params():,} parameters")
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=args.validation_split, verbose=1)
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1024, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.2%}")
    if args.out:
        model.save(args.out)
        print(f"saved the model to {args.out}")
    return 0


def _evaluate(args) -> int:
    from nnplayground.models import load_model

    model = load_model(args.model)
    data = load_dataset(args)
    x_test, y_test = data.x_test, data.y_test
    if tuple(x_test.shape[1:]) != model.input_shape:
        raise UsageError(f"{args.model} takes samples of shape {model.input_shape}, but {args.dataset} "
                         f"has {tuple(x_test.shape[1:])}; pick the dataset it was trained on")
    if model.loss is None:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    results = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True)
    print(" - ".join(f"test {key} {value:.4f}" for key, value in results.items()))
    return 0
