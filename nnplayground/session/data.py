"""The data layer as the window sees it: the app imports nothing below the session, so what it needs of
`nnplayground.datasets` (the catalog, errors, drawings, the user's own digits) is named here."""

from nnplayground.datasets import DatasetError, DownloadCancelled, catalog, personal, toy
from nnplayground.datasets.drawing import (
    STROKE_SHARE,
    DrawingError,
    drawing_problem,
    photo_to_drawing,
    preprocess_drawing,
)
from nnplayground.datasets.personal import PersonalDigits

__all__ = ["DatasetError", "DownloadCancelled", "catalog", "personal", "toy", "STROKE_SHARE", "DrawingError",
           "drawing_problem", "photo_to_drawing", "preprocess_drawing", "PersonalDigits"]
