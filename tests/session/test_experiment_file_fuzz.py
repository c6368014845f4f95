"""Damaged experiment files: only ExperimentFileError may come out, and what is opened can run.

A valid file (written by the code) gets byte-level damage (flips, deletions, insertions, truncation) and
structured damage (any TOML value at any key, or a new key anywhere). NNPLAYGROUND_FUZZ_EXAMPLES sets the
examples per test (default 60).
"""

import tomllib

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from nnplayground.session import Experiment, LayerSpec
from nnplayground.session.experiment_file import ExperimentFileError, experiment_from_toml, experiment_to_toml
from tests.fuzzing import FUZZ, damaged

VALID = experiment_to_toml(Experiment(dataset="spiral", n_classes=3, layers=[LayerSpec(8, "tanh", 0.1)] * 2),
                           {"title": "t", "description": "d"})

scalars = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(), st.text(max_size=8),
                    st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3), max_leaves=6)


def _opens_or_refuses(text: str) -> None:
    try:
        experiment = experiment_from_toml(text, "exp.toml")
    except ExperimentFileError as error:
        assert str(error).startswith("exp.toml") and error.problems
        return
    assert experiment.problems() == {}


@FUZZ
@given(damaged(VALID.encode()))
def test_byte_damage_gives_only_experiment_file_errors(raw):
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return  # load_experiment refuses it before parsing (tested in test_experiment_file)
    _opens_or_refuses(text)


@FUZZ
@given(st.data())
def test_any_value_at_any_key_gives_only_experiment_file_errors(data):
    document = tomllib.loads(VALID)
    tables = [document, *(v for v in document.values() if isinstance(v, dict)), *document["layers"]]
    table = data.draw(st.sampled_from(tables))
    key = data.draw(st.sampled_from([*table, data.draw(st.text(min_size=1, max_size=6))]))
    table[key] = data.draw(values)
    try:
        text = tomli_w.dumps(document)
    except (TypeError, ValueError):
        return  # not writable as TOML (a NaN key, a control character): no such file can exist
    _opens_or_refuses(text)
