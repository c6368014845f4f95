"""What the fuzz tests share: their Hypothesis settings and byte-level damage to a valid file.

NNPLAYGROUND_FUZZ_EXAMPLES sets the examples per test (default 60).
"""

import os
import struct

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("NNPLAYGROUND_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _structure_offsets(data: bytes) -> list[int]:
    """Offsets in and just after every zip record and .npy header: where the structure is."""
    offsets = []
    for marker in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"\x93NUMPY"):
        start = 0
        while (start := data.find(marker, start)) >= 0:
            offsets.extend(range(start, min(start + 128, len(data))))
            start += 1
    return offsets or [0]


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """`original` with one to four pieces of damage."""
    data = bytearray(original)
    interesting = _structure_offsets(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.one_of(st.integers(0, len(data) - 1), st.sampled_from(interesting))) % len(data)
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "size"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at: at + draw(st.integers(1, 16))]
        else:  # a size or a count overwritten with an extreme value
            value = draw(st.sampled_from([0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]) | st.integers(0, 2**32 - 1))
            data[at: at + 4] = struct.pack(draw(st.sampled_from(["<I", ">I"])), value)
    return bytes(data)
