"""Your own numbers: the values a convolution runs on, from arrays, text, files, images and names.

Above the computation (``convanim.core``) and below the API: :mod:`~convanim.values.sources`
reads the command line's ``--data``, ``--weights`` and ``--bias``; :mod:`~convanim.values.images`
turns a picture into input values; :mod:`~convanim.values.kernels` holds the named kernels;
:mod:`~convanim.values.shapes` completes a spec from the arrays' shapes; and
:mod:`~convanim.values.torch_script` writes the PyTorch script that checks a figure's numbers.
"""
