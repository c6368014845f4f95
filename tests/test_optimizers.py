import numpy as np
import pytest

from nnplayground import optimizers, schedules

W0 = np.array([1.0, -2.0, 0.5], dtype=np.float32)
G = [np.array([0.5, 0.1, -1.0], dtype=np.float32), np.array([-0.2, 0.3, 0.4], dtype=np.float32)]


def _run(optimizer, steps=2):
    w = W0.copy()
    for g in G[:steps]:
        optimizer.apply(w, g.copy(), [slice(0, 3)])
    return w


def test_sgd_plain():
    np.testing.assert_allclose(_run(optimizers.SGD(0.1)), W0 - 0.1 * G[0] - 0.1 * G[1], rtol=1e-6)


def test_sgd_momentum_by_hand():
    m1 = -0.1 * G[0]
    m2 = 0.9 * m1 - 0.1 * G[1]
    np.testing.assert_allclose(_run(optimizers.SGD(0.1, momentum=0.9)), W0 + m1 + m2, rtol=1e-6)


def test_sgd_nesterov_by_hand():
    m1 = -0.1 * G[0]
    w1 = W0 + 0.9 * m1 - 0.1 * G[0]
    m2 = 0.9 * m1 - 0.1 * G[1]
    w2 = w1 + 0.9 * m2 - 0.1 * G[1]
    np.testing.assert_allclose(_run(optimizers.SGD(0.1, momentum=0.9, nesterov=True)), w2, rtol=1e-6)


def test_rmsprop_by_hand():
    v1 = 0.1 * G[0] ** 2
    w1 = W0 - 0.01 * G[0] / (np.sqrt(v1) + 1e-7)
    v2 = 0.9 * v1 + 0.1 * G[1] ** 2
    w2 = w1 - 0.01 * G[1] / (np.sqrt(v2) + 1e-7)
    np.testing.assert_allclose(_run(optimizers.RMSprop(0.01)), w2, rtol=1e-5)


def _adam_by_hand(lr, weight_decay=0.0):
    w, m, v = W0.astype(np.float64), 0.0, 0.0
    for t, g in enumerate(G, start=1):
        w = w - lr * weight_decay * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        w = w - lr * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-7)
    return w


def test_adam_by_hand():
    np.testing.assert_allclose(_run(optimizers.Adam(0.01)), _adam_by_hand(0.01), rtol=1e-5)


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    w = _run(optimizers.Adam(0.01), steps=1)
    np.testing.assert_allclose(np.abs(w - W0), 0.01, rtol=1e-4)


def test_adamw_by_hand():
    np.testing.assert_allclose(_run(optimizers.AdamW(0.01, weight_decay=0.1)), _adam_by_hand(0.01, 0.1), rtol=1e-5)


def test_clipnorm_clips_each_weight_on_its_own():
    w, g = np.zeros(4, np.float32), np.array([3.0, 4.0, 0.3, 0.4], np.float32)
    optimizers.SGD(1.0, clipnorm=1.0).apply(w, g, [slice(0, 2), slice(2, 4)])
    np.testing.assert_allclose(w, [-0.6, -0.8, -0.3, -0.4], rtol=1e-6)


def test_learning_rate_can_change_between_steps():
    optimizer = optimizers.SGD(0.1)
    w = W0.copy()
    optimizer.apply(w, G[0].copy(), [slice(0, 3)])
    optimizer.learning_rate = 0.5
    optimizer.apply(w, G[1].copy(), [slice(0, 3)])
    np.testing.assert_allclose(w, W0 - 0.1 * G[0] - 0.5 * G[1], rtol=1e-6)


def test_bad_learning_rate_is_refused():
    with pytest.raises(ValueError, match="positive"):
        optimizers.Adam(learning_rate=-1)
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError):
        optimizer.learning_rate = float("nan")
    assert optimizer.learning_rate == 0.001


def test_schedule_drives_the_rate():
    optimizer = optimizers.SGD(schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5))
    w = W0.copy()
    for g in G:
        optimizer.apply(w, g.copy(), [slice(0, 3)])
    np.testing.assert_allclose(w, W0 - 0.1 * G[0] - 0.05 * G[1], rtol=1e-6)
    assert optimizer.learning_rate == pytest.approx(0.025)


def test_schedules_values():
    assert schedules.ExponentialDecay(1.0, 10, 0.5, staircase=True)(19) == 0.5
    assert schedules.ExponentialDecay(1.0, 10, 0.5)(5) == pytest.approx(0.5**0.5)
    assert schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])(15) == 0.5
    cosine = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    assert cosine(5) == pytest.approx(0.5)
    assert cosine(10) == pytest.approx(1.0)
    assert cosine(60) == pytest.approx(0.5)
    assert cosine(500) == pytest.approx(0.0)


def test_state_round_trip_resumes_exactly():
    a = optimizers.Adam(0.01)
    w = W0.copy()
    a.apply(w, G[0].copy(), [slice(0, 3)])
    b = optimizers.deserialize(optimizers.serialize(a))
    b.set_state(a.get_state(), w)
    wa, wb = w.copy(), w.copy()
    a.apply(wa, G[1].copy(), [slice(0, 3)])
    b.apply(wb, G[1].copy(), [slice(0, 3)])
    np.testing.assert_array_equal(wa, wb)
