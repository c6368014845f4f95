"""Presets: experiment files shipped in resources/presets/, each a classic network or a lesson (a
network that overfits, ReLUs that die, gradients that vanish), with a title and a one-line description
in its [preset] table. Offered in the window (File > Presets) and by `--preset NAME`, NAME being the
file's name without `.toml`.
"""

from dataclasses import dataclass
from pathlib import Path

from nnplayground.assets import resource_path
from nnplayground.session.experiment import Experiment
from nnplayground.session.experiment_file import SUFFIX, read_document

# The order of the menu, from a first network to the lessons; a preset not named here comes after them.
ORDER = ("tutorial", "nielsen", "playground-spiral", "overfitting", "overfitting-cured", "dead-relu",
         "vanishing-gradients", "best-mnist-mlp")


@dataclass(frozen=True)
class Preset:
    name: str  # what --preset takes: the file's name without .toml
    title: str
    description: str
    path: Path

    def load(self) -> Experiment:
        """The preset's experiment (ExperimentFileError if its file is damaged)."""
        return read_document(self.path)[1]


def folder() -> Path:
    return resource_path("presets")


def presets() -> list[Preset]:
    """Every preset, in menu order."""
    found = []
    for path in sorted(folder().glob("*" + SUFFIX)):
        document, _ = read_document(path)
        table = document.get("preset", {})
        found.append(Preset(path.stem, table.get("title", path.stem), table.get("description", ""), path))
    rank = {name: index for index, name in enumerate(ORDER)}
    return sorted(found, key=lambda preset: (rank.get(preset.name, len(ORDER)), preset.name))


def find(name: str) -> Preset:
    """The preset called `name`; ValueError naming the presets there are if there is none."""
    for preset in presets():
        if preset.name == name:
            return preset
    raise ValueError(f"no preset called {name!r}; the presets are {', '.join(p.name for p in presets())}")
