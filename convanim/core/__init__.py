"""The computation, numpy only: what convolution (``spec``), the step-recording ``engine`` and its
``events``, the ``composite`` convolutions of the separable figures, the convolution as a sparse
``matrix``, and ``notation``, how its numbers, shapes and formulas are written.

Nothing here knows about pictures or files; everything above builds on it.
"""
