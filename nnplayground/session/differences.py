"""What differs between experiments, in words: "learning rate 0.001 vs 0.01", "layers 32-16 vs 64". The
Runs view says it under the curves of the runs it overlays, so that the curves' difference has a cause.
"""

from nnplayground.datasets import catalog

# Experiment fields in the order a person reads a setup, with their names in words. The layers are said
# as sizes, activations, dropout and initializers (see _layer_values).
LABELS = {"dataset": "data", "data_path": "data file", "n_samples": "points", "noise": "noise",
          "n_classes": "classes", "test_fraction": "test share", "data_seed": "data seed",
          "personal_digits": "your digits", "deskew": "straightened digits", "layers": "layers",
          "activation": "activation", "dropout": "dropout", "initializer": "initializer", "optimizer": "optimizer",
          "learning_rate": "learning rate", "schedule": "schedule", "batch_size": "batch size", "epochs": "epochs",
          "run_until_paused": "until paused", "l1": "L1", "l2": "L2", "patience": "early stopping patience",
          "validation_split": "validation share", "seed": "seed"}
_TOY_ONLY = ("n_samples", "noise", "n_classes", "test_fraction", "data_seed")
_LAYER_KEYS = ("layers", "activation", "dropout", "initializer")


def differences(experiments: list[dict]) -> list[tuple[str, list[str]]]:
    """For each setting that is not the same in all `experiments` (Experiment.to_dict()s): its name in
    words and its value in each experiment, in their order. Empty when they are the same, or fewer than two."""
    if len(experiments) < 2:
        return []
    toy = any(str(e.get("dataset")) in catalog.toy.MAKERS for e in experiments)
    found = []
    for key, label in LABELS.items():
        if key in _TOY_ONLY and not toy:
            continue  # an image set ignores them: a difference there changes nothing
        values = [_value(e, key) for e in experiments]
        if len(set(values)) > 1:
            found.append((label, values))
    return found


def in_words(found: list[tuple[str, list[str]]]) -> list[str]:
    """[("learning rate", ["0.001", "0.01"])] -> ["learning rate 0.001 vs 0.01"]."""
    return [f"{label} {' vs '.join(values)}" for label, values in found]


def _value(experiment: dict, key: str) -> str:
    if key in _LAYER_KEYS:
        layers = experiment.get("layers")
        return _layer_values([layer for layer in layers if isinstance(layer, dict)] if isinstance(layers, list)
                             else [], key)
    return _shown(experiment.get(key))


def _layer_values(layers: list, key: str) -> str:
    """Sizes as 32-16 ("none" without hidden layers); an activation, dropout or initializer once if every
    layer has the same, else one per layer (relu-tanh)."""
    if key == "layers":
        return "-".join(str(layer.get("units")) for layer in layers) or "none"
    values = [_shown(layer.get(key)) for layer in layers]
    if not values:
        return "-"
    return values[0] if len(set(values)) == 1 else "-".join(values)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return "-" if value is None else str(value)
