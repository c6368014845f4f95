"""Damaged run records: only RunRecordError may come out, and a record that is read can be listed,
compared and written again. NNPLAYGROUND_FUZZ_EXAMPLES sets the examples per test (default 60)."""

import json

from hypothesis import given
from hypothesis import strategies as st

from nnplayground.cli_runs import _row
from nnplayground.session import Experiment, Session
from nnplayground.session.differences import differences
from nnplayground.session.history import RunHistory, RunRecordError, read_record, write_record
from tests.fuzzing import FUZZ, damaged

json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
                           | st.text(max_size=6),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=3), max_leaves=8)


def _valid(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("valid")
    session = Session(Experiment(dataset="xor", n_samples=40, epochs=2, batch_size=10), history=RunHistory(folder))
    session.train()
    session.update(learning_rate=0.01)
    session.train()
    return json.loads(next(folder.glob("*.json")).read_text())


def _read_or_refuse(path) -> None:
    try:
        record = read_record(path)
    except RunRecordError as error:
        assert str(path) in str(error)
        return
    _row(record.summary())
    differences([record.experiment, Experiment().to_dict()])
    write_record(path.parent / "again", record)
    assert read_record(path.parent / "again" / f"{record.id}.json").name == record.name


def _paths(data):
    """Every (key path) into the valid record, as lists of keys and indices."""
    def walk(value, path):
        yield path
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, [*path, key])
        elif isinstance(value, list) and value:
            yield from walk(value[0], [*path, 0])
    return list(walk(data, []))[1:]


def test_byte_damage_gives_only_run_record_errors(tmp_path_factory):
    raw = json.dumps(_valid(tmp_path_factory)).encode()
    folder = tmp_path_factory.mktemp("damaged")

    @FUZZ
    @given(damaged(raw))
    def check(damaged_bytes):
        path = folder / "20240101-000000-000000.json"
        path.write_bytes(damaged_bytes)
        _read_or_refuse(path)
    check()


def test_any_value_at_any_key_gives_only_run_record_errors(tmp_path_factory):
    valid = _valid(tmp_path_factory)
    paths = _paths(valid)
    folder = tmp_path_factory.mktemp("structured")

    @FUZZ
    @given(st.sampled_from(paths), json_values)
    def check(path, value):
        record = json.loads(json.dumps(valid))
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        file = folder / "20240101-000000-000000.json"
        file.write_text(json.dumps(record))
        _read_or_refuse(file)
    check()
