"""How many threads the BLAS library (OpenBLAS under NumPy) may use while a window trains.

Headless, BLAS spreads each matrix product over every core. In a window the GUI thread needs a core of
its own while the job trains: a BLAS thread spinning beside it takes that core, each product then waits
for whichever of its threads the GUI pushed aside, and training slowed several times over on two cores
under any other load (nnplayground bench --gui). So a window's run leaves one core to the GUI.
"""

import contextlib
import os

from threadpoolctl import threadpool_limits


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def beside_a_gui() -> int:
    """BLAS threads for a run that shares the machine with a GUI thread: every core but one."""
    return max(1, cores() - 1)


@contextlib.contextmanager
def blas_threads(limit: int):
    """At most `limit` BLAS threads inside the block (process-wide: BLAS has one pool), as before after."""
    with threadpool_limits(limits=limit, user_api="blas"):
        yield
