"""Turning a digit image back into pen strokes: thin it to a one-pixel skeleton, then trace paths.

Used to draw MNIST's own digits through the canvas, to check that drawn digits are read as well as
scanned ones.
"""

import numpy as np


def skeletonize(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to lines one pixel wide."""
    image = np.pad(mask.astype(np.uint8), 1)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p2, p3, p4 = image[:-2, 1:-1], image[:-2, 2:], image[1:-1, 2:]
            p5, p6, p7 = image[2:, 2:], image[2:, 1:-1], image[2:, :-2]
            p8, p9 = image[1:-1, :-2], image[:-2, :-2]
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            neighbours = sum(ring[:8])
            transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
            if step == 0:
                keep_a, keep_b = p2 * p4 * p6, p4 * p6 * p8
            else:
                keep_a, keep_b = p2 * p4 * p8, p2 * p6 * p8
            remove = (image[1:-1, 1:-1] == 1) & (neighbours >= 2) & (neighbours <= 6) & (transitions == 1) \
                & (keep_a == 0) & (keep_b == 0)
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
    return image[1:-1, 1:-1].astype(bool)


def trace_strokes(skeleton: np.ndarray) -> list[list[tuple[int, int]]]:
    """Pen paths (lists of (row, column)) covering every skeleton pixel; each path after the first starts
    at an already drawn pixel when it branches off one, so strokes stay joined."""
    pixels = set(zip(*np.nonzero(skeleton), strict=True))

    def neighbours(point):
        r, c = point
        return [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and (r + dr, c + dc) in pixels]

    visited: set = set()
    paths = []
    while len(visited) < len(pixels):
        remaining = [p for p in pixels if p not in visited]
        # Prefer the end of a line; a loop (a zero) has none, so any pixel will do.
        start = min(remaining, key=lambda p: (sum(q not in visited for q in neighbours(p)) != 1, p))
        joined = [q for q in neighbours(start) if q in visited]
        path = [joined[0], start] if joined else [start]
        visited.add(start)
        current = start
        while True:
            ahead = [q for q in neighbours(current) if q not in visited]
            if not ahead:
                break
            current = min(ahead, key=lambda q: abs(q[0] - current[0]) + abs(q[1] - current[1]))
            visited.add(current)
            path.append(current)
        paths.append(path)
    return paths
