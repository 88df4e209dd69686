"""The computation, numpy only: what convolution (``spec``), the step-recording ``engine`` and its
``events``, the ``composite`` convolutions of the separable figures, the convolution as a sparse
``matrix``, and ``notation``, how its numbers, shapes and formulas are written. Beside them:
max and average ``pooling`` (its ``pool_spec`` and ``pool_recording``), ``pixel_shuffle`` and
unshuffle, and the ``scatter`` view of a transposed convolution, each recorded the same way.

Nothing here knows about pictures or files; everything above builds on it.
"""
