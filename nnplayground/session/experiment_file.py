"""Experiments as TOML files: the whole setup (data, layers, training) in a file a person can read, edit
and diff, which the window opens and `nnplayground train --config` runs.

    format = 1

    [data]
    dataset = "spiral"
    n_samples = 500
    ...

    [[layers]]
    units = 32
    activation = "tanh"
    ...

    [training]
    optimizer = "adam"
    learning_rate = 0.003
    ...

A key left out takes the value the window gives that dataset; presets add a `[preset]` table with a
title and a description. Unlike `Experiment.from_dict` (the window's own settings, which fall back to
the defaults), a file is strict: every unknown key, wrong type and impossible value is reported with
its line, all at once, in one `ExperimentFileError`, and nothing is opened.
"""

import dataclasses
import difflib
import math
import os
import re
import tomllib
from pathlib import Path

import tomli_w

from nnplayground import fileio
from nnplayground.datasets import catalog
from nnplayground.session.experiment import (
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    OPTIMIZERS,
    SCHEDULES,
    Experiment,
    LayerSpec,
    experiment_for_dataset,
)

FORMAT = 1  # the version this module writes and the newest it reads
SUFFIX = ".toml"
MAX_BYTES = 1 << 20  # an experiment is a few hundred bytes; anything this large is another kind of file
HEADER = ("# An nnplayground experiment. `nnplayground FILE` opens it in the window, `nnplayground train --config "
          "FILE` trains it.\n# A key left out takes the value the window gives that dataset.\n\n")

# The tables of a file and the Experiment fields each holds, in the order they are written.
TABLES = {
    "data": ("dataset", "data_path", "n_samples", "noise", "n_classes", "test_fraction", "data_seed",
             "personal_digits", "deskew"),
    "training": ("optimizer", "learning_rate", "schedule", "batch_size", "epochs", "run_until_paused", "l1", "l2",
                 "patience", "validation_split", "seed"),
}
LAYER_KEYS = tuple(field.name for field in dataclasses.fields(LayerSpec))
PRESET_KEYS = ("title", "description")
TOP_LEVEL = ("format", "preset", "data", "layers", "training")
CHOICES = {"dataset": (*catalog.NAMES, "file"), "optimizer": OPTIMIZERS, "schedule": SCHEDULES,
           "activation": HIDDEN_ACTIVATIONS, "initializer": INITIALIZERS}
_OPTIONAL_TEXT = ("data_path",)  # may be left out (TOML has no null); a str when given


class ExperimentFileError(ValueError):
    """An experiment file that cannot be opened. The message names the file, and for each problem its line
    and key: "exp.toml, line 7: learning_rate must be a number, not 'fast' (...)"; further problems
    follow on the same line after "; ". `problems` holds them as (line or None, text)."""

    def __init__(self, source, problems: list[tuple[int | None, str]] | str):
        self.source = str(source)
        self.problems = [(None, problems)] if isinstance(problems, str) else list(problems)
        self.problems.sort(key=lambda problem: problem[0] or 0)
        parts = [(f"line {line}: " if line else "") + text for line, text in self.problems]
        first_line = self.problems[0][0] if self.problems else None
        joiner = ", " if first_line else ": "
        super().__init__(self.source + joiner + "; ".join(parts))


# ----- writing ---------------------------------------------------------------------------------------


def experiment_to_toml(experiment: Experiment, preset: dict | None = None) -> str:
    """The experiment as the text of a file: every field, in [data], one [[layers]] per hidden layer and
    [training]; `preset`: a title and a description, for a preset's file."""
    top: dict = {"format": FORMAT}
    if not experiment.layers:  # no hidden layer: said at the top (a key after [data] would belong to it)
        top["layers"] = []
    if preset:
        top["preset"] = {key: preset[key] for key in PRESET_KEYS if key in preset}
    data, training = ({key: getattr(experiment, key) for key in TABLES[table]} for table in ("data", "training"))
    if data["data_path"] is None:  # TOML has no null: left out
        del data["data_path"]
    # tomli_w writes short tables inline; [[layers]] headers keep one key a line, as the other tables have it
    layers = "".join("\n[[layers]]\n" + tomli_w.dumps(dataclasses.asdict(spec)) for spec in experiment.layers)
    return HEADER + tomli_w.dumps({**top, "data": data}) + layers + "\n" + tomli_w.dumps({"training": training})


def save_experiment(experiment: Experiment, path) -> Path:
    """Write the experiment to `path` (atomically), adding `.toml` if the name has no suffix; returns the
    path written. OSError or ValueError (an empty name, a folder) if it cannot be written."""
    target = Path(path)
    if not target.suffix:
        target = target.with_name(target.name + SUFFIX)
    text = experiment_to_toml(experiment).encode()
    fileio.atomic_write(target, lambda file: file.write(text))
    return target


# ----- reading ---------------------------------------------------------------------------------------


def load_experiment(path) -> Experiment:
    """The experiment in the file at `path`; ExperimentFileError (naming the file) if it cannot be read,
    is not an experiment, comes from a newer version, or holds a key or value that cannot work."""
    return experiment_from_toml(_read_text(path), source=os.fspath(path))


def read_document(path) -> tuple[dict, Experiment]:
    """The file's whole TOML document (a preset's [preset] table too) and its experiment."""
    text = _read_text(path)
    experiment = experiment_from_toml(text, source=os.fspath(path))
    return tomllib.loads(text), experiment


def _read_text(path) -> str:
    source = os.fspath(path)
    try:
        with fileio.open_regular(path) as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ExperimentFileError(source, "no such file") from None
    except fileio.NotARegularFile as error:
        raise ExperimentFileError(source, f"is {error.kind}, not an experiment file") from None
    except OSError as error:
        raise ExperimentFileError(source, error.strerror or str(error)) from None
    if len(data) > MAX_BYTES:
        raise ExperimentFileError(source, f"is larger than {MAX_BYTES >> 20} MB: not an experiment file")
    if data.startswith(b"PK\x03\x04"):
        raise ExperimentFileError(source, "is a zip archive (a model or data .npz?), not an experiment file "
                                          "(TOML text)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\0" in text:
        raise ExperimentFileError(source, "holds binary data, not an experiment file (TOML text)")
    return text


def experiment_from_toml(text: str, source: str = "<string>") -> Experiment:
    """The experiment a file's text describes; ExperimentFileError listing every problem with its line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, reason = _decode_error(str(error), text)
        raise ExperimentFileError(source, [(line, f"not valid TOML: {reason}")]) from None
    return _Reader(source, key_lines(text)).read(document)


def _decode_error(message: str, text: str) -> tuple[int | None, str]:
    """tomllib says where as "(at line 3, column 7)" or "(at end of document)" (Python 3.11 has no lineno)."""
    found = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if found:
        return int(found.group(1)), message[: found.start()]
    if message.endswith("(at end of document)"):
        return text.count("\n") + 1, message.removesuffix("(at end of document)").rstrip()
    return None, message


class _Reader:
    """Checks a parsed document and builds its experiment, collecting every problem before raising."""

    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source, self.lines = source, lines
        self.problems: list[tuple[int | None, str]] = []
        self.mistyped: set[tuple] = set()  # keys of the wrong type: their defaults are not judged in their place

    def line(self, *path) -> int | None:
        """The line of the key at `path` (("training", "seed"), ("layers", 2, "units")), else its table's."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def problem(self, path: tuple, text: str) -> None:
        self.problems.append((self.line(*path), text))

    def read(self, document: dict) -> Experiment:
        self._check_kind(document)
        values: dict = {}
        for key, value in document.items():
            if key == "format":
                continue
            if key not in TOP_LEVEL:
                self._unknown((key,), key, None)
            elif key == "layers":
                values["layers"] = self._layers(value)
            elif not isinstance(value, dict):
                self.problem((key,), f"{key} must be a table ([{key}] above its keys), not {value!r}")
            elif key == "preset":
                self._table(key, value, PRESET_KEYS, {key: "" for key in PRESET_KEYS})
            else:
                values.update(self._table(key, value, TABLES[key], Experiment()))
        return self._build(values)

    def _check_kind(self, document: dict) -> None:
        if "format" not in document:
            if not set(document) & set(TOP_LEVEL):
                raise ExperimentFileError(self.source, "is a TOML file but not an nnplayground experiment (it has "
                                                       "no format key and none of [data], [[layers]], [training])")
            self.problems.append((1, f"format is missing: an experiment file starts with format = {FORMAT}"))
            return
        version = document["format"]
        if not isinstance(version, int) or isinstance(version, bool):
            self.problem(("format",), f"format must be a whole number (format = {FORMAT}), not {version!r}")
        elif version > FORMAT:
            raise ExperimentFileError(self.source, [(self.line("format"), (
                f"written by a newer nnplayground (experiment format {version}; this version reads format "
                f"{FORMAT} and older): update nnplayground to open it"))])
        elif version < 1:
            self.problem(("format",), f"format is {version}: the formats start at 1")

    def _unknown(self, path: tuple, key: str, table: str | None) -> None:
        where = ("in [[layers]]" if table == "layers" else f"in [{table}]") if table else "at the top of the file"
        home = "layers" if key in LAYER_KEYS else next((name for name, keys in TABLES.items() if key in keys), None)
        if home is not None and home != table:
            header = "[[layers]]" if home == "layers" else f"[{home}]"
            self.problem(path, f"{key} belongs in {header}, not {where}")
            return
        known = {None: TOP_LEVEL, "layers": LAYER_KEYS, "preset": PRESET_KEYS}.get(table) or TABLES.get(table, ())
        close = difflib.get_close_matches(key, known, n=1)
        self.problem(path, f"unknown key {key!r} {where}" + (f" (did you mean {close[0]}?)" if close else ""))

    def _table(self, table: str, given: dict, keys: tuple, defaults) -> dict:
        """The checked values of one table; `defaults` (an object or a dict) gives each key's type."""
        values = {}
        for key, value in given.items():
            if key not in keys:
                self._unknown((table, key), key, table)
                continue
            default = defaults[key] if isinstance(defaults, dict) else getattr(defaults, key)
            checked = self._typed((table, key), key, key, value, default)
            if checked is not _WRONG:
                values[key] = checked
        return values

    def _layers(self, value) -> list[LayerSpec]:
        if not isinstance(value, list) or not all(isinstance(layer, dict) for layer in value):
            self.problem(("layers",), f"layers must be tables ([[layers]] above each layer's keys), not {value!r}")
            return []
        specs = []
        for index, layer in enumerate(value):
            fields = {}
            for key, item in layer.items():
                path = ("layers", index, key)
                if key not in LAYER_KEYS:
                    self._unknown(path, key, "layers")
                    continue
                checked = self._typed(path, key, f"{key} of layer {index + 1}", item, getattr(LayerSpec(), key))
                if checked is not _WRONG:
                    fields[key] = checked
            specs.append(LayerSpec(**fields))
        return specs

    def _typed(self, path: tuple, key: str, name: str, value, default):
        """`value` as the type of `default` (an int for a float is fine), or _WRONG with a problem said."""
        wanted = str if key in _OPTIONAL_TEXT else type(default)
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
            return value
        kind = {bool: "true or false", int: "a whole number", float: "a number", str: "text in quotes"}[wanted]
        hint = _hint(key)
        self.problem(path, f"{name} must be {kind}, not {_shown(value)}" + (f" ({hint})" if hint else ""))
        self.mistyped.add(path)
        return _WRONG

    def _build(self, values: dict) -> Experiment:
        """The experiment: the dataset's defaults, then every value of the right type; ExperimentFileError with
        every problem found so far and every value that cannot work (Experiment.problems, and the toy-set
        fields whatever the dataset)."""
        layers = values.pop("layers", None)
        experiment = experiment_for_dataset(values.get("dataset", Experiment().dataset))
        experiment = experiment.replaced(**values, **({"layers": layers} if layers is not None else {}))
        for key, text in {**experiment.problems(), **_toy_field_problems(experiment)}.items():
            self._impossible(experiment, key, text)
        if self.problems:
            raise ExperimentFileError(self.source, self.problems)
        return experiment

    def _impossible(self, experiment: Experiment, key: str, text: str) -> None:
        if key.startswith("layers."):
            _, index, field = key.split(".")
            path, name = ("layers", int(index), field), f"{field} of layer {int(index) + 1}"
            value, field_key = getattr(experiment.layers[int(index)], field), field
        else:
            table = next((name for name, keys in TABLES.items() if key in keys), None)
            path, name, value, field_key = (table, key) if table else (key,), key, getattr(experiment, key), key
        if path in self.mistyped:  # said already; the default in its place is no news
            return
        if key == "dataset" and value == "file" and not experiment.data_path:
            text = "a dataset of your own needs data_path: the .npz file or the IDX folder to read"
        elif field_key in CHOICES:
            text = f"choose one of {', '.join(CHOICES[field_key])}"
        self.problem(path, f"{name} is {_shown(value)}: {text}")


_WRONG = object()  # what _typed returns for a value of the wrong type


def _toy_field_problems(experiment: Experiment) -> dict[str, str]:
    """Experiment.problems checks points, test share and classes only for the 2-D sets; a file holds them
    in range for any dataset, so that the window finds them valid when the 2-D set is chosen later."""
    if experiment.dataset in catalog.toy.MAKERS:
        return {}
    found = experiment.replaced(dataset="spiral", n_classes=2).problems()
    found = {key: text for key, text in found.items() if key in ("n_samples", "test_fraction")}
    if not any(experiment.n_classes in choices for choices in catalog.toy.CLASS_CHOICES.values()):
        every = sorted({n for choices in catalog.toy.CLASS_CHOICES.values() for n in choices})
        found["n_classes"] = f"the 2-D sets come with {every[0]} to {every[-1]} classes"
    return found


def _hint(key: str) -> str:
    """What a key takes, in words: its choices, or the range Experiment.problems states for it."""
    if key in CHOICES:
        return "one of " + ", ".join(CHOICES[key])
    probe = experiment_for_dataset("spiral", n_classes=2)  # a 2-D set: its point count and test share are checked
    if key in LAYER_KEYS:
        default = getattr(LayerSpec(), key)
        if isinstance(default, int | float) and not isinstance(default, bool):
            probe.layers = [dataclasses.replace(LayerSpec(), **{key: type(default)(-1)})]
            return probe.problems().get(f"layers.0.{key}", "")
        return ""
    default = getattr(Experiment(), key, None)
    if isinstance(default, bool) or not isinstance(default, int | float):
        return ""
    setattr(probe, key, math.nan if isinstance(default, float) else -1)
    return probe.problems().get(key, "")


def _shown(value) -> str:
    """A value as the file spells it: 'fast', true, 0.5, [1, 2]."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(map(_shown, value)) + "]"
    return tomli_w.dumps({"v": value})[4:].strip()


# ----- where each key is -----------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_TABLE_HEADER = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]")
_ARRAY_HEADER = re.compile(rf"\s*\[\[\s*({_DOTTED})\s*\]\]")
_KEY_VALUE = re.compile(rf"\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip()[1:-1] if part.strip()[:1] in "\"'" else part.strip()
                 for part in re.findall(rf"{_KEY_PART}", dotted))


def key_lines(text: str) -> dict[tuple, int]:
    """Line number (from 1) of every table header and key of a TOML text, by path: ("data",) for [data],
    ("data", "seed") for a key in it, ("layers", 0) and ("layers", 0, "units") for the first [[layers]].
    tomllib reports no positions; this reads the lines of a text tomllib has parsed (a key inside a
    multi-line string or an inline table is found at the line of the key that holds it)."""
    lines: dict[tuple, int] = {}
    table: tuple = ()
    arrays: dict[tuple, int] = {}
    in_string = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _ARRAY_HEADER.match(line)
        if header:
            path = _parts(header.group(1))
            arrays[path] = arrays.get(path, -1) + 1
            table = (*path, arrays[path])
            lines.setdefault(path, number)
            lines[table] = number
            continue
        header = _TABLE_HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            lines[table] = number
            continue
        pair = _KEY_VALUE.match(line)
        if pair:
            lines.setdefault((*table, *_parts(pair.group(1))), number)
            rest = line[pair.end():]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2:
                    in_string = quotes
    return lines
