"""Model files, safe writes and the package's resources, as the window uses them (the app imports nothing
below the session)."""

from nnplayground.assets import resource_path
from nnplayground.fileio import atomic_write
from nnplayground.models import load_model
from nnplayground.saving import ModelFileError

__all__ = ["atomic_write", "load_model", "ModelFileError", "resource_path"]
