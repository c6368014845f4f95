"""The run history and sweeps on the command line (subcommands of `nnplayground`, see cli.py):

    nnplayground runs [--json]                     every recorded run, oldest first
    nnplayground runs --delete ID [ID ...]         delete records (an id's first characters will do)
    nnplayground sweep --config exp.toml --vary learning_rate=0.001,0.01,0.1 --vary activation=relu,tanh
"""

import json
import sys
import time

from nnplayground.session.experiment import experiment_for_dataset
from nnplayground.session.history import RunHistory, duration
from nnplayground.session.sweep import SETTINGS, Sweep, parse_vary, point_name, results_table

COMMANDS = ("runs", "sweep")
EXIT_FAILED = 1


def add_commands(commands) -> None:
    """The runs and sweep subcommands, on cli's subparsers."""
    from nnplayground import cli

    runs = commands.add_parser("runs", help="list the recorded training runs (the window's Runs tab)")
    runs.add_argument("--json", action="store_true", help="as JSON, with each run's whole experiment")
    runs.add_argument("--delete", nargs="+", metavar="ID", help="delete these runs (an id's first characters "
                                                                 "will do)")

    sweep = commands.add_parser("sweep", help="train an experiment over several values of one or two settings, "
                                              "in parallel, and compare")
    cli._add_experiment_arguments(sweep)
    cli._add_data_arguments(sweep)
    sweep.add_argument("--vary", action="append", required=True, metavar="SETTING=V1,V2,...",
                       help=f"a setting and its values, once or twice (the grid of both); settings: "
                            f"{', '.join(SETTINGS)}; layers as 32-16")
    sweep.add_argument("--epochs", type=cli._epochs, help="epochs of every run (default: the experiment's)")
    sweep.add_argument("--workers", type=cli._positive_int, help="worker processes (default: one per core)")


def main(args) -> int:
    if args.command == "runs":
        return _runs(args)
    return _sweep(args)


# ----- runs ----------------------------------------------------------------------------------------


def _runs(args) -> int:
    history = RunHistory().load()
    for problem in history.problems:
        print(f"nnplayground: skipped a damaged run record: {problem}", file=sys.stderr)
    if args.delete:
        return _delete(history, args.delete)
    records = list(history.records.values())
    if args.json:
        print(json.dumps([{**record.summary(), "experiment": record.experiment} for record in records], indent=1))
        return 0
    if not records:
        print(f"No runs recorded yet in {history.folder}: runs trained in the window or by nnplayground train "
              f"or sweep are recorded there.")
        return 0
    print(_table(["id", "name", "data", "layers", "optimizer", "rate", "best val acc", "epochs", "time",
                  "started"], [_row(record.summary()) for record in records]))
    return 0


def _row(summary: dict) -> list[str]:
    best = summary["best_val_accuracy"]
    rate = summary["learning_rate"]
    return [summary["id"], _cut(summary["name"], 40), str(summary["dataset"]), summary["layers"],
            str(summary["optimizer"]), f"{rate:g}" if isinstance(rate, int | float) else "?",
            f"{best:.1%}" if best is not None else "-", str(summary["epochs"]), duration(summary["seconds"]),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(summary["started"]))]


def _delete(history: RunHistory, wanted: list[str]) -> int:
    from nnplayground.cli import UsageError

    chosen = []
    for prefix in wanted:
        matches = [record_id for record_id in history.records if record_id.startswith(prefix)]
        if len(matches) != 1:
            raise UsageError(f"{'no' if not matches else 'more than one'} run with the id {prefix!r} "
                             "(nnplayground runs lists them)")
        chosen.append(matches[0])
    for record in history.delete(chosen):
        print(f"deleted {record.id} ({record.name})")
    return 0


# ----- sweep ---------------------------------------------------------------------------------------


def _sweep(args) -> int:
    from nnplayground.cli import UsageError, _download_progress

    experiment = _sweep_experiment(args)
    vary = {}
    for text in args.vary:
        name, values = parse_vary(text)
        if name in vary:
            raise UsageError(f"--vary {name} is given twice: give its values once, separated by commas")
        vary[name] = values
    data = experiment.load_data(progress=_download_progress)
    sweep = Sweep(experiment, vary, data, history=RunHistory(), workers=args.workers)
    for point, e in zip(sweep.points, sweep.experiments, strict=True):
        problem = e.estimate(data.input_shape, data.n_classes, len(data.x_train)).problem()
        if problem:
            raise UsageError(f"{point_name(point)}: {problem}")
    print(f"{experiment.data_path or experiment.dataset}: a sweep of {sweep.total} runs of {experiment.epochs} "
          f"epochs ({' x '.join(SETTINGS[name].label for name in vary)}), "
          f"{min(sweep.workers, sweep.total)} at a time", flush=True)

    arrivals = []

    def arrived(result):
        arrivals.append(result)
        print(f"[{len(arrivals)}/{sweep.total}] {_outcome(result)}", flush=True)

    try:
        results = sweep.run(on_result=arrived)
    except KeyboardInterrupt:
        sweep.cancel()
        kept = sum(result is not None and result.record is not None and not result.cancelled
                   for result in sweep.results)
        print(f"nnplayground: sweep cancelled; {kept} of {sweep.total} runs finished and were recorded",
              file=sys.stderr)
        return 130
    print()
    print(_results(vary, results))
    print("\nRecorded in the run history: nnplayground runs lists them, the window's Runs tab compares them.")
    return EXIT_FAILED if any(result is None or result.error for result in results) else 0


def _sweep_experiment(args):
    """The file's experiment (--config, --preset), else the dataset's window defaults; the data options and
    --seed and --epochs given change it. The seed stays the experiment's unless given: runs are comparable."""
    from nnplayground import cli

    experiment = cli._experiment_file(args) or experiment_for_dataset(args.dataset or "mnist-sample")
    if args.data_path:
        experiment.dataset, experiment.data_path = "file", args.data_path
    elif args.dataset:
        experiment.dataset, experiment.data_path = args.dataset, None
    for option, key in (("samples", "n_samples"), ("noise", "noise"), ("classes", "n_classes"), ("seed", "seed"),
                        ("epochs", "epochs")):
        if getattr(args, option) is not None:
            setattr(experiment, key, getattr(args, option))
    experiment.run_until_paused = False
    problems = experiment.problems()
    if problems:
        key, problem = next(iter(problems.items()))
        raise cli.UsageError(f"{cli.OPTIONS.get(key.split('.')[0], '--' + key.replace('_', '-'))}: {problem}")
    return experiment


def _outcome(result) -> str:
    name = point_name(result.settings)
    if result.error:
        return f"{name}: failed: {result.error}"
    record = result.record
    best = record.best_val_accuracy
    figure = f"best validation accuracy {best:.1%}" if best is not None else "no whole epoch"
    return f"{name}: {figure} ({record.finish_reason}, {duration(record.seconds)})"


def _results(vary: dict, results: list) -> str:
    rows = results_table(results)
    best = max((row["best_val_accuracy"] for row in rows if row["best_val_accuracy"] is not None), default=None)
    lines = []
    for row in rows:
        settings = [SETTINGS[name].show(row["settings"][name]) for name in vary]
        accuracy = row["best_val_accuracy"]
        lines.append([*settings, f"{accuracy:.1%}" if accuracy is not None else "-",
                      f"{row['val_loss']:.4f}" if row["val_loss"] is not None else "-", str(row["epochs"]),
                      duration(row["seconds"]), row["outcome"] + (" (best)" if accuracy == best else "")])
    return _table([*(SETTINGS[name].label for name in vary), "best val acc", "val loss", "epochs", "time",
                   "outcome"], lines)


# ----- tables ----------------------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in (header, *rows))
