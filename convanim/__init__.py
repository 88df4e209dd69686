"""convanim: animated, exact pictures of convolution.

Every picture comes from a real, step-recorded computation with PyTorch's semantics:
spec -> engine events -> scene timeline -> frames -> writer -> file.
The public names below are imported lazily so that ``import convanim`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "render": "convanim.api",
    "custom": "convanim.api",
    "pool": "convanim.api",
    "render_all": "convanim.api",
    "show": "convanim.notebook",
    "ConvSpec": "convanim.core.spec",
    "scene": "convanim.registry",
    "register": "convanim.registry",
    "builtin_scenes": "convanim.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'convanim' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = ["__version__", *_LAZY]
