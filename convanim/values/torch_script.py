"""A short PyTorch script that checks a figure's numbers: ``convanim custom ... --torch check.py``.

It holds the exact tensors the figure was computed from (every float64 written so that it reads
back bit for bit), calls the matching ``torch.nn.functional`` function with the spec's arguments
and asserts that PyTorch's output equals the output the figure shows. convanim does not need torch;
the script is for a reader who wants to see the two agree.
"""

from __future__ import annotations

import numpy as np

from convanim.core.notation import describe
from convanim.core.recording import Recording
from convanim.core.spec import ConvSpec

#: ``torch.nn.functional.pad``'s names for the padding modes a convolution applies first.
_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def torch_script(recording: Recording) -> str:
    """The script's text for ``recording``: tensors, the call, the assert."""
    spec = recording.spec
    batch = (lambda array: array) if recording.batched else (lambda array: array[None])
    lines = [
        f'"""Written by convanim: {describe(spec)}. Run it with PyTorch installed to check the figure."""',
        "import torch",
        "import torch.nn.functional as F",
        "",
        _tensor("input", batch(recording.input)),
        _tensor("weight", recording.weight),
        _tensor("bias", recording.bias) if recording.bias is not None else "bias = None",
        _tensor("expected", batch(recording.output), "  # the output the figure shows"),
        "",
        *_call(spec),
        "torch.testing.assert_close(output, expected)",
        'print("PyTorch agrees with convanim:", tuple(output.shape))',
    ]
    return "\n".join(lines) + "\n"


def _call(spec: ConvSpec) -> list[str]:
    """The lines that compute ``output``: an explicit pad where F's own padding cannot say it."""
    name = f"conv_transpose{spec.dims}d" if spec.transposed else f"conv{spec.dims}d"
    common = f"stride={_ints(spec.stride)}, dilation={_ints(spec.dilation)}, groups={spec.groups}"
    if spec.transposed:
        padding = _ints(tuple(before for before, _ in spec.padding_pairs))
        extra = f", output_padding={_ints(spec.output_padding)}"
        return [f"output = F.{name}(input, weight, bias, padding={padding}{extra}, {common})"]
    symmetric = all(before == after for before, after in spec.padding_pairs)
    if spec.padding_mode == "zeros" and (isinstance(spec.padding, str) or symmetric):
        padding = repr(spec.padding) if isinstance(spec.padding, str) else _ints(spec.padding)  # type: ignore[arg-type]
        return [f"output = F.{name}(input, weight, bias, padding={padding}, {common})"]
    sides = tuple(side for pair in reversed(spec.padding_pairs) for side in pair)  # F.pad: last dim first
    return [
        f"padded = F.pad(input, {_ints(sides)}, mode={_PAD_MODES[spec.padding_mode]!r})",
        f"output = F.{name}(padded, weight, bias, padding=0, {common})",
    ]


def _tensor(name: str, array: np.ndarray, comment: str = "") -> str:
    """``name = torch.tensor(<nested lists>, dtype=torch.float64)``, one innermost row per line."""
    return f"{name} = torch.tensor(\n    {_nested(array, 4)},\n    dtype=torch.float64,\n){comment}"


def _nested(array: np.ndarray, column: int) -> str:
    """``array`` as nested Python lists whose brackets line up when the first one is at ``column``."""
    if array.ndim == 1:
        return "[" + ", ".join(_number(value) for value in array) + "]"
    inner = [_nested(part, column + 1) for part in array]
    return "[" + (",\n" + " " * (column + 1)).join(inner) + "]"


def _number(value: float) -> str:
    """A float64 exactly (``repr`` round-trips); whole numbers without '.0' so the tensors read easily."""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def _ints(values: tuple[int, ...]) -> str:
    return repr(tuple(int(value) for value in values))
