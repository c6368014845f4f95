"""Where to save: a save dialog whose file name always ends in the extension its filter implies, so that
"mymodel" is written as mymodel.npz and the Open dialog (filtered on *.npz) finds it again."""

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

MODEL = (QCoreApplication.translate("file_dialogs", "Models"), "npz")
PNG = (QCoreApplication.translate("file_dialogs", "PNG pictures"), "png")
CSV = (QCoreApplication.translate("file_dialogs", "CSV tables"), "csv")


def with_extension(path: str, extension: str) -> str:
    """`path` ending in .`extension` (any case): as it is if it does, else with it added."""
    return path if Path(path).suffix.lower() == f".{extension.lower()}" else f"{path}.{extension}"


def ask_save_path(parent, title: str, suggested: str, kinds: list[tuple[str, str]]) -> str | None:
    """Ask where to save; `kinds`: (description, extension) per filter. The chosen filter's extension is
    added to a name that lacks it (a name written over an existing file is confirmed, as the dialog does
    for the name typed). None if cancelled."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName("saveDialog")
    dialog.setAcceptMode(QFileDialog.AcceptSave)
    dialog.setFileMode(QFileDialog.AnyFile)
    filters = [f"{description} (*.{extension})" for description, extension in kinds]
    dialog.setNameFilters(filters)
    dialog.setDefaultSuffix(kinds[0][1])
    dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix(kinds[filters.index(chosen)][1])
                                  if chosen in filters else None)
    dialog.selectFile(suggested)
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    chosen = dialog.selectedNameFilter()
    extension = kinds[filters.index(chosen)][1] if chosen in filters else kinds[0][1]
    typed = dialog.selectedFiles()[0]
    path = with_extension(typed, extension)
    if path != typed and Path(path).exists():
        answer = QMessageBox.question(parent, title, QCoreApplication.translate(
            "file_dialogs", "{0} already exists. Replace it?").format(path))
        if answer != QMessageBox.Yes:
            return None
    return path
