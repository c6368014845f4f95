"""Python's cyclic garbage collected on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate: the training job, the data
loader, a file task. When the garbage it finds holds Qt objects (a closed dialog, an old plot item), their
destructors then run on that thread, where they wait on a Qt lock the GUI thread holds while it waits for
the GIL: the window freezes for good, or Qt aborts. pyqtgraph's GarbageCollector turns the automatic
collector off and collects, by the same generation thresholds, from a timer on the GUI thread.
"""

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 1.0
_collector: GarbageCollector | None = None


def collect_on_gui_thread() -> None:
    """Once per process, from the GUI thread, before any worker thread starts."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_S)
