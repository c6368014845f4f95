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


TINY = np.finfo(np.float32).tiny
ALL_WITH_SLOTS = [lambda: optimizers.SGD(0.1, momentum=0.9), lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                  lambda: optimizers.RMSprop(0.01), lambda: optimizers.Adam(0.01), lambda: optimizers.AdamW(0.01)]


def _subnormals(a):
    return int(np.count_nonzero((np.abs(a) < TINY) & (a != 0)))


def _zero_gradient_run(optimizer, steps):
    """One real gradient, then `steps` zero ones (a border pixel, a dead unit): the slots decay geometrically."""
    w = np.array([1.0, -2.0, 0.5, 3e-39, -1e-42], np.float32)  # the last two weights start subnormal
    optimizer.apply(w, np.array([1e-3, -1e-3, 0.5, 0.0, 0.0], np.float32))
    zero = np.zeros_like(w)
    for _ in range(steps - 1):
        optimizer.apply(w, zero)
    return w


@pytest.mark.parametrize("make", ALL_WITH_SLOTS)
def test_after_zero_gradients_no_slot_or_weight_is_subnormal(make):
    optimizer = make()
    steps = 4096  # momentum 0.9 reaches 1e-38 in about 800 steps; rho 0.9 squares first, sooner
    assert steps % (optimizer.flush_interval * optimizer.FULL_FLUSH_EVERY) == 0
    w = _zero_gradient_run(optimizer, steps)
    assert [_subnormals(slot) for slot in optimizer.slots.values()] == [0] * len(optimizer.slots)
    assert _subnormals(w) == 0


@pytest.mark.parametrize("make", ALL_WITH_SLOTS)
def test_without_the_flush_the_decayed_slots_stay_subnormal(make):
    """The case the flush is for: 0.9 x a few units in the last place rounds back to itself, forever."""
    optimizer = make()
    optimizer.flush_interval = 10**9
    w = _zero_gradient_run(optimizer, 4000)
    assert _subnormals(w) == 2
    fast_slot = optimizer.slots["momentum" if "momentum" in optimizer.slots else "velocity"]
    assert _subnormals(fast_slot) >= 1


def test_flush_zeroes_only_values_below_float32_tiny():
    values = np.array([TINY, -TINY, np.nextafter(TINY, 0), -1e-45, 0.0, -0.0, 1e-30, 1.0, np.inf, np.nan],
                      np.float32)
    optimizer = optimizers.SGD(0.1, momentum=0.9)
    w = values.copy()
    optimizer.build(w)
    optimizer.slots["momentum"][...] = values
    optimizer.flush_subnormals(w)
    expected = np.array([TINY, -TINY, 0, 0, 0, 0, 1e-30, 1.0, np.inf, np.nan], np.float32)
    for array in (w, optimizer.slots["momentum"]):
        np.testing.assert_array_equal(array, expected)  # NaN equals NaN here; -0.0 equals 0


@pytest.mark.parametrize("make", ALL_WITH_SLOTS)
def test_flush_leaves_a_normal_run_bit_for_bit_unchanged(make):
    flushed, plain = make(), make()
    flushed.flush_interval, plain.flush_interval = 1, 10**9
    rng = np.random.default_rng(0)
    wf = rng.standard_normal(1000).astype(np.float32)
    wp = wf.copy()
    for _ in range(50):
        g = rng.standard_normal(1000).astype(np.float32)
        flushed.apply(wf, g.copy())
        plain.apply(wp, g.copy())
    np.testing.assert_array_equal(wf, wp)
    for name in flushed.slots:
        np.testing.assert_array_equal(flushed.slots[name], plain.slots[name])


def test_resume_across_a_flush_is_exact():
    a = optimizers.Adam(0.01)
    w = _zero_gradient_run(a, a.flush_interval - 1)  # resume one step before a flush
    b = optimizers.deserialize(optimizers.serialize(a))
    b.set_state(a.get_state(), w)
    wa, wb = w.copy(), w.copy()
    for _ in range(3):
        a.apply(wa, G[1][:1].repeat(5))
        b.apply(wb, G[1][:1].repeat(5))
    np.testing.assert_array_equal(wa, wb)
    for name in a.slots:
        np.testing.assert_array_equal(a.slots[name], b.slots[name])


def test_hyperparameters_are_python_floats():
    """NumPy float64 scalars would make every in-place update compute in float64 (6x slower)."""
    adam = optimizers.AdamW(np.float64(0.01), beta_1=np.float64(0.9), beta_2=np.float64(0.999),
                            epsilon=np.float64(1e-7), weight_decay=np.float64(0.1))
    sgd, rmsprop = optimizers.SGD(momentum=np.float64(0.9)), optimizers.RMSprop(rho=np.float64(0.9))
    values = [adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon, adam.weight_decay, sgd.momentum,
              rmsprop.rho, rmsprop.epsilon]
    assert all(type(value) is float for value in values)


@pytest.mark.parametrize("make", [lambda: optimizers.SGD(0.1, momentum=0.9), lambda: optimizers.RMSprop(0.01),
                                  lambda: optimizers.Adam(0.01, beta_2=0.9)])
def test_fast_decaying_slots_are_flushed_at_every_flush_not_only_the_full_ones(make):
    optimizer = make()
    steps = 4096 + 3 * optimizer.flush_interval  # three flushes after the last full one
    _zero_gradient_run(optimizer, steps)
    assert [_subnormals(slot) for slot in optimizer.slots.values()] == [0] * len(optimizer.slots)


def test_a_subclass_that_names_no_decays_has_its_slots_flushed_at_every_flush():
    class Decaying(optimizers.Optimizer):
        slot_names = ("trace",)

        def update(self, w, g, lr):
            self.slots["trace"] *= 0.5
            self.slots["trace"] += g

    optimizer = Decaying(0.1)
    _zero_gradient_run(optimizer, 4096 + optimizer.flush_interval)
    assert _subnormals(optimizer.slots["trace"]) == 0


def test_adam_restarted_mid_run_takes_a_first_step_of_the_learning_rate():
    """After a divergence the job zeroes Adam's averages: its bias correction must start over too, or the
    first steps come out several times the learning rate (and diverge again)."""
    params = np.zeros(4, np.float32)
    adam = optimizers.Adam(learning_rate=0.01)
    for _ in range(50):
        adam.apply(params, np.array([1.0, -2.0, 0.5, 3.0], np.float32))
    adam.restart(params)
    assert adam.iterations == 50
    before = params.copy()
    adam.apply(params, np.array([4.0, -1.0, 2.0, -0.5], np.float32))
    np.testing.assert_allclose(params - before, [-0.01, 0.01, -0.01, 0.01], rtol=1e-3)
    state = adam.get_state()
    again = optimizers.Adam(learning_rate=0.01)
    again.set_state(state, params)
    assert again.slot_start == 50 and again.iterations == 51


@pytest.mark.parametrize("name", ["adam", "adamw", "sgd", "rmsprop"])
def test_a_schedule_that_reaches_zero_leaves_the_weights_alone(name):
    """Cosine decay ends at a learning rate of 0; training on past its end must not divide by it."""
    params = np.ones(3, np.float32)
    optimizer = optimizers.get(name)
    optimizer.learning_rate = schedules.CosineDecay(0.1, decay_steps=2)
    for _ in range(4):
        optimizer.apply(params, np.array([0.5, -1.0, 2.0], np.float32))
    before = params.copy()
    optimizer.apply(params, np.array([0.5, -1.0, 2.0], np.float32))
    assert optimizer.learning_rate == 0.0
    np.testing.assert_array_equal(params, before)
