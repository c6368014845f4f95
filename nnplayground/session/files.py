"""Model files and safe writes, as the window uses them (the app imports nothing below the session)."""

from nnplayground.fileio import atomic_write
from nnplayground.models import load_model
from nnplayground.saving import ModelFileError

__all__ = ["atomic_write", "load_model", "ModelFileError"]
