"""Experiments as TOML files: every field round-trips, and every kind of bad file is refused with the file,
the key and the line named, all problems at once."""

import dataclasses
import os
import re
import tomllib
from pathlib import Path

import pytest

from nnplayground.session import Experiment, LayerSpec
from nnplayground.session.experiment_file import (
    FORMAT,
    ExperimentFileError,
    experiment_from_toml,
    experiment_to_toml,
    key_lines,
    load_experiment,
    save_experiment,
)


def _unusual() -> Experiment:
    """An experiment with every field away from its default."""
    return Experiment(dataset="file", data_path="data/my digits.npz", n_samples=321, noise=0.37, n_classes=3,
                      test_fraction=0.3, data_seed=17, personal_digits=True, deskew=True,
                      layers=[LayerSpec(7, "tanh", 0.25, "lecun_normal"), LayerSpec(3, "elu", 0.5, "he_normal"),
                              LayerSpec(2, "sigmoid", 0.0, "glorot_normal")],
                      optimizer="nesterov", learning_rate=0.0123, schedule="cosine", batch_size=48, epochs=77,
                      run_until_paused=True, l1=1e-5, l2=0.003, patience=9, validation_split=0.15, seed=123456)


def test_every_field_round_trips_through_a_file(tmp_path):
    experiment, default = _unusual(), Experiment()
    for field in dataclasses.fields(Experiment):  # the test really covers every field, new ones too
        assert getattr(experiment, field.name) != getattr(default, field.name), field.name
    for field in dataclasses.fields(LayerSpec):
        assert getattr(experiment.layers[0], field.name) != getattr(LayerSpec(), field.name), field.name
    path = save_experiment(experiment, tmp_path / "exp.toml")
    assert load_experiment(path) == experiment
    assert experiment_from_toml(experiment_to_toml(experiment)) == experiment


def test_the_file_reads_as_data_layers_training():
    text = experiment_to_toml(_unusual())
    document = tomllib.loads(text)
    assert document["format"] == FORMAT
    assert list(document) == ["format", "data", "layers", "training"]
    assert document["data"]["dataset"] == "file" and document["training"]["learning_rate"] == 0.0123
    assert text.count("[[layers]]") == 3 and "[data]" in text and "[training]" in text
    assert all(len(line) <= 120 for line in text.splitlines())


def test_no_hidden_layer_and_no_data_path_round_trip():
    experiment = Experiment(dataset="moons", layers=[], data_path=None)
    text = experiment_to_toml(experiment)
    assert "data_path" not in text and "layers = []" in text
    assert experiment_from_toml(text) == experiment


def test_a_key_left_out_takes_the_datasets_default():
    experiment = experiment_from_toml('format = 1\n[data]\ndataset = "spiral"\n[training]\nepochs = 3\n')
    assert experiment.dataset == "spiral" and experiment.epochs == 3
    assert [spec.units for spec in experiment.layers] == [32, 32]  # the window's spiral network
    assert experiment.problems() == {}


def test_an_integer_is_a_fine_float():
    experiment = experiment_from_toml("format = 1\n[training]\nlearning_rate = 1\nl2 = 0\n")
    assert experiment.learning_rate == 1.0 and isinstance(experiment.learning_rate, float)


def test_save_adds_toml_only_when_the_name_has_no_suffix(tmp_path):
    assert save_experiment(Experiment(), tmp_path / "mine") == tmp_path / "mine.toml"
    assert (tmp_path / "mine.toml").is_file() and not (tmp_path / "mine").exists()
    assert save_experiment(Experiment(), tmp_path / "kept.toml") == tmp_path / "kept.toml"
    assert load_experiment(tmp_path / "mine.toml") == Experiment()


def test_a_save_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = save_experiment(Experiment(epochs=3), tmp_path / "exp.toml")
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(OSError):
        save_experiment(Experiment(), tmp_path / "folder.toml")
    assert load_experiment(path).epochs == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml", "folder.toml"]


def test_key_lines_finds_keys_in_tables_and_arrays_of_tables():
    text = ('format = 1\n\n[data]\ndataset = "spiral"  # a comment\n\n[[layers]]\nunits = 4\n\n[[layers]]\n'
            'units = 5\nactivation = "tanh"\n[training]\n"seed" = 3\nnote = """a\nseed = 9\n"""\nbatch_size = 2\n')
    lines = key_lines(text)
    assert lines[("format",)] == 1 and lines[("data",)] == 3 and lines[("data", "dataset")] == 4
    assert lines[("layers", 0, "units")] == 7 and lines[("layers", 1, "units")] == 10
    assert lines[("layers", 1, "activation")] == 11 and lines[("training", "seed")] == 13
    assert lines[("training", "batch_size")] == 17  # the multi-line string's "seed = 9" is no key


# ----- bad files: one per kind of error ----------------------------------------------------------------

GOOD = experiment_to_toml(Experiment())


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def _refused(tmp_path, text: str | bytes, name="exp.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ExperimentFileError) as raised:
        load_experiment(path)
    message = str(raised.value)
    assert message.startswith(str(path)), message
    return message


def test_a_syntax_error_names_its_line(tmp_path):
    text = GOOD.replace("epochs = 10", "epochs = = 10")
    message = _refused(tmp_path, text)
    assert f"line {_line_of(text, 'epochs')}: not valid TOML" in message


def test_an_unknown_key_is_named_with_its_line_and_a_guess(tmp_path):
    text = GOOD.replace("epochs = 10", "epochz = 10")
    message = _refused(tmp_path, text)
    assert f"line {_line_of(text, 'epochz')}: unknown key 'epochz' in [training] (did you mean epochs?)" in message


def test_a_key_in_the_wrong_table_says_where_it_belongs(tmp_path):
    text = GOOD.replace("[data]\n", "[data]\nlearning_rate = 0.1\n")
    message = _refused(tmp_path, text)
    assert f"line {_line_of(text, 'learning_rate = 0.1')}: learning_rate belongs in [training]" in message


def test_a_wrong_type_is_named_with_its_line_and_what_it_takes(tmp_path):
    text = GOOD.replace("learning_rate = 0.001", 'learning_rate = "fast"')
    message = _refused(tmp_path, text)
    line = _line_of(text, "learning_rate")
    assert f"exp.toml, line {line}: learning_rate must be a number, not 'fast' (a learning rate between " in message


def test_a_value_out_of_range_is_named_with_its_line(tmp_path):
    text = GOOD.replace("batch_size = 32", "batch_size = 0")
    message = _refused(tmp_path, text)
    assert f"line {_line_of(text, 'batch_size')}: batch_size is 0: a batch holds between 1 and 65,536" in message


def test_a_bad_layer_key_is_found_in_its_own_layer(tmp_path):
    text = GOOD.replace("units = 16", "units = 0").replace('initializer = "auto"\n\n[training]',
                                                           'initializer = "random"\n\n[training]')
    message = _refused(tmp_path, text)
    assert f"line {_line_of(text, 'units = 0')}: units of layer 2 is 0: a layer needs between 1 and 4,096" in message
    assert f"line {_line_of(text, 'random')}: initializer of layer 2 is 'random': choose one of auto," in message


def test_every_problem_is_reported_at_once(tmp_path):
    text = (GOOD.replace("epochs = 10", "epochs = 0").replace("optimizer = \"adam\"", "optimizer = \"adamm\"")
            .replace("noise = 0.1", "noise = -1.0"))
    message = _refused(tmp_path, text)
    for key in ("epochs", "optimizer", "noise"):
        assert f"line {_line_of(text, key + ' =')}: {key} is" in message
    with pytest.raises(ExperimentFileError) as raised:
        experiment_from_toml(text, "exp.toml")
    assert len(raised.value.problems) == 3


def test_a_newer_format_is_refused_saying_so(tmp_path):
    message = _refused(tmp_path, GOOD.replace(f"format = {FORMAT}", f"format = {FORMAT + 1}"))
    assert "newer nnplayground" in message and f"format {FORMAT + 1}" in message and "update" in message


def test_a_missing_format_is_reported(tmp_path):
    message = _refused(tmp_path, GOOD.replace(f"format = {FORMAT}\n", ""))
    assert "format is missing" in message


@pytest.mark.parametrize("content, words", [
    (b"[tool.poetry]\nname = 'x'\n", "is a TOML file but not an nnplayground experiment"),
    (b"PK\x03\x04" + bytes(60), "is a zip archive"),
    (bytes(range(256)), "holds binary data"),
])
def test_a_file_of_another_kind_is_refused_saying_so(tmp_path, content, words):
    assert words in _refused(tmp_path, content)


def test_a_missing_file_or_a_folder_is_an_experiment_file_error(tmp_path):
    with pytest.raises(ExperimentFileError, match="nowhere.toml: no such file"):
        load_experiment(tmp_path / "nowhere.toml")
    with pytest.raises(ExperimentFileError, match="is a folder"):
        load_experiment(tmp_path)


def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "exp.toml"
    os.mkfifo(fifo)
    with pytest.raises(ExperimentFileError, match="pipe"):
        load_experiment(fifo)


def test_a_dataset_of_your_own_needs_its_path():
    with pytest.raises(ExperimentFileError, match="line 3: dataset is 'file': a dataset of your own needs data_path"):
        experiment_from_toml('format = 1\n[data]\ndataset = "file"\n', "exp.toml")


def test_toy_fields_stay_in_range_whatever_the_dataset():
    with pytest.raises(ExperimentFileError, match="n_samples is 5"):
        experiment_from_toml('format = 1\n[data]\ndataset = "mnist-sample"\nn_samples = 5\n')


def test_the_readmes_example_opens_as_it_says():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.search(r"```toml\n(.+?)\n```", readme, re.S).group(1)
    experiment = experiment_from_toml(example, "README.md")
    assert experiment.problems() == {}
    assert (experiment.dataset, experiment.n_classes, [s.units for s in experiment.layers]) == ("spiral", 3, [32, 16])
    assert experiment.layers[0].dropout == 0.1 and experiment.epochs == 300


def test_wrong_types_and_impossible_values_are_reported_together(tmp_path):
    text = GOOD.replace("learning_rate = 0.001", 'learning_rate = "fast"').replace("batch_size = 32", "batch_size = 0")
    message = _refused(tmp_path, text)
    assert "learning_rate must be a number, not 'fast'" in message and "batch_size is 0" in message
    assert "learning_rate is" not in message  # its default, standing in, is not judged
