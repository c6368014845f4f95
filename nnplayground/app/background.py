"""Reading files off the GUI thread: a file may be huge, a FIFO, or on a slow disk, and the window must
keep drawing meanwhile. A task runs one function on a QThread and hands its result or its exception
back on the GUI thread."""

from PySide6.QtCore import QThread, Signal

from nnplayground.app.worker import let_finish


class Task(QThread):
    succeeded = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, function, parent=None):
        super().__init__(parent)
        self.setObjectName("fileTask")
        self.function = function

    def run(self) -> None:
        try:
            result = self.function()
        except Exception as error:  # noqa: BLE001 - handed to the GUI thread, which says what went wrong
            self.failed.emit(error)
            return
        self.succeeded.emit(result)


class Tasks:
    """The tasks a widget has under way; `finish_all` lets them go when it closes."""

    def __init__(self, parent):
        self.parent = parent
        self.running: set[Task] = set()

    def start(self, function, on_success, on_failure) -> Task:
        task = Task(function, self.parent)
        self.running.add(task)

        def settle(handler, value):
            self.running.discard(task)
            task.wait()
            task.deleteLater()
            handler(value)
        task.succeeded.connect(lambda result: settle(on_success, result))
        task.failed.connect(lambda error: settle(on_failure, error))
        task.start()
        return task

    def finish_all(self, timeout_ms: int) -> None:
        for task in list(self.running):
            let_finish(task, timeout_ms)
        self.running.clear()
