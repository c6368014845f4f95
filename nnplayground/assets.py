"""Where the files in resources/ (shipped as the package data nnplayground.resources) are."""

from importlib import util
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a file under resources/, in an installed package or in a source checkout."""
    try:
        spec = util.find_spec("nnplayground.resources")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
    else:  # running from a checkout that was never installed
        root = Path(__file__).resolve().parent.parent / "resources"
    return root.joinpath(*parts)
