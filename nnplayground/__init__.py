"""nnplayground: a desktop playground for learning how neural networks learn.

The engine (layers, activations, losses, optimizers, schedules, models, callbacks) and the data
(``nnplayground.datasets``) are plain NumPy and never import Qt; everything Qt lives in
``nnplayground.app``.
"""

__version__ = "0.1.0"
