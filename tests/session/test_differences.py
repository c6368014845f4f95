"""The differences between runs' experiments, in words."""

from nnplayground.session import Experiment, LayerSpec
from nnplayground.session.differences import differences, in_words


def test_the_settings_that_differ_are_named_with_each_runs_value():
    a = Experiment(dataset="spiral", learning_rate=0.001, layers=[LayerSpec(32), LayerSpec(16)])
    b = a.replaced(learning_rate=0.01, layers=[LayerSpec(64, "tanh")])
    assert in_words(differences([a.to_dict(), b.to_dict()])) == [
        "layers 32-16 vs 64", "activation relu vs tanh", "learning rate 0.001 vs 0.01"]
    c = a.replaced(layers=[LayerSpec(32, "relu"), LayerSpec(16, "tanh")], deskew=True)
    assert in_words(differences([a.to_dict(), c.to_dict(), b.to_dict()])) == [
        "straightened digits off vs on vs off", "layers 32-16 vs 32-16 vs 64", "activation relu vs relu-tanh vs tanh",
        "learning rate 0.001 vs 0.001 vs 0.01"]


def test_the_same_settings_or_a_single_run_have_no_differences():
    e = Experiment().to_dict()
    assert differences([e, dict(e)]) == [] and differences([e]) == []


def test_settings_an_image_set_ignores_are_not_differences():
    a, b = Experiment(dataset="mnist-sample"), Experiment(dataset="mnist-sample", noise=0.5, seed=3)
    assert in_words(differences([a.to_dict(), b.to_dict()])) == ["seed 0 vs 3"]
    toy = Experiment(dataset="moons")
    assert in_words(differences([toy.to_dict(), toy.replaced(noise=0.3).to_dict()])) == ["noise 0.1 vs 0.3"]
