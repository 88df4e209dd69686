"""The built-in scenes, one module per part of the article, registered explicitly by importing them.

This folder ships inside the wheel as ``convanim.scenes``. Each module registers its scenes with
``@scene`` (or ``register`` for scenes generated from a table); the import list below is the
whole catalogue, in the order ``convanim list`` shows it.
"""

# One import per line, in listing order (an import sorter must not reorder these).
from convanim.scenes import basics  # noqa: F401, I001
from convanim.scenes import channels  # noqa: F401
from convanim.scenes import transposed  # noqa: F401
from convanim.scenes import upsampling  # noqa: F401
from convanim.scenes import matrix  # noqa: F401
from convanim.scenes import dilated  # noqa: F401
from convanim.scenes import receptive  # noqa: F401
from convanim.scenes import separable  # noqa: F401
from convanim.scenes import factorised  # noqa: F401
from convanim.scenes import groups  # noqa: F401
from convanim.scenes import arithmetic  # noqa: F401
