import numpy as np
import pytest

from nnplayground import config
from nnplayground.layers import Dense, Dropout, Flatten
from nnplayground.models import Sequential, load_model
from nnplayground.saving import ModelFileError


def _data():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (300, 4, 4), dtype=np.uint8), rng.integers(0, 3, 300).astype(np.uint8)


def _model():
    model = Sequential([Flatten(input_shape=(4, 4)), Dense(8, activation="relu", kernel_regularizer="l2"),
                        Dropout(0.1), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_round_trip_keeps_predictions_history_and_settings(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x / 255.0, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.npz")
    same = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(same.predict(x / 255.0), model.predict(x / 255.0))
    assert same.history.history == model.history.history
    assert same.optimizer.iterations == model.optimizer.iterations
    assert same.layers[1].kernel_regularizer.l2 == 0.01
    assert [m.name for m in same.metrics] == ["accuracy"]


def test_training_resumes_exactly(tmp_path):
    x, y = _data()
    config.set_random_seed(3)
    straight = _model()
    straight.layers[2].rate = 0.0  # dropout draws would differ between the two runs
    start = straight.get_weights()
    straight.fit(x / 255.0, y, epochs=2, shuffle=False, verbose=0)

    config.set_random_seed(3)
    interrupted = _model()
    interrupted.layers[2].rate = 0.0
    interrupted.build()
    interrupted.set_weights(start)
    interrupted.fit(x / 255.0, y, epochs=1, shuffle=False, verbose=0)
    interrupted.save(tmp_path / "half.npz")
    resumed = load_model(tmp_path / "half.npz")
    resumed.fit(x / 255.0, y, epochs=2, initial_epoch=1, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_an_optimizer_restarted_mid_run_resumes_exactly_after_a_save(tmp_path):
    """Adam restarted (after a divergence) counts its bias correction from the restart: the file keeps that
    step, or the reopened network's next step is ten times too small."""
    x, y = _data()
    model = _model()
    model.layers[2].rate = 0.0
    model.fit(x / 255.0, y, epochs=1, shuffle=False, verbose=0)
    model.optimizer.restart(model.trainable_flat_weights)
    model.save(tmp_path / "restarted.npz")
    reopened = load_model(tmp_path / "restarted.npz")
    assert reopened.optimizer.slot_start == model.optimizer.slot_start == model.optimizer.iterations > 0
    for network in (model, reopened):
        network.fit(x[:32] / 255.0, y[:32], epochs=1, batch_size=32, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reopened.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_an_impossible_restart_step_is_refused_naming_the_file(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x / 255.0, y, epochs=1, verbose=0)
    model.optimizer.slot_start = model.optimizer.iterations + 5
    model.save(tmp_path / "bad.npz")
    with pytest.raises(ModelFileError, match="bad.npz.*restart step"):
        load_model(tmp_path / "bad.npz")


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    model = _model()
    model.build()
    target = tmp_path / "m.npz"
    target.write_bytes(b"previous contents")
    model.save(target)
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert load_model(target).count_params() == model.count_params()


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "truncated or corrupted"),
    (lambda data: data[:100] + bytes(200) + data[300:], "truncated or corrupted"),
    (lambda data: b"hello, I am not a model", "truncated or corrupted"),
])
def test_damaged_files_raise_clear_errors(tmp_path, damage, message):
    model = _model()
    model.build()
    good = tmp_path / "good.npz"
    model.save(good)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(damage(good.read_bytes()))
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(bad)
    assert "bad.npz" in str(info.value)


def test_foreign_and_missing_files(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x_train=np.zeros(3))
    with pytest.raises(ModelFileError, match="no nnplayground model"):
        load_model(foreign)
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "nothing.npz")


def test_loading_a_model_leaves_the_global_seed_alone(tmp_path):
    """A model opened on a background thread while a run starts must not change the run's shuffling."""
    model = _model()
    model.build()
    model.save(tmp_path / "m.npz")
    config.set_random_seed(5)
    expected = config.new_rng().integers(2**31, size=4)
    config.set_random_seed(5)
    load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(config.new_rng().integers(2**31, size=4), expected)
