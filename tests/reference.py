"""An independent reference convolution, written from the definitions with plain loops.

It shares no code with convanim: padding maps each padded index back to an input index by the
mode's rule, a direct convolution sums window by window, and a transposed convolution *scatters*
each input through the kernel (the definition PyTorch documents), never building the equivalent
direct convolution the engine uses. It is slow, meant for small inputs: being obviously right is the point.
"""

from __future__ import annotations

import itertools

import numpy as np


def source_index(j: int, size: int, before: int, mode: str) -> int | None:
    """Which input index padded index ``j`` shows, or None for a zero (``before`` cells precede the input)."""
    q = j - before
    if 0 <= q < size:
        return q
    if mode == "zeros":
        return None
    if mode == "replicate":
        return min(max(q, 0), size - 1)
    if mode == "circular":
        return q % size
    if mode == "reflect":  # mirror about the edge cells, which are not repeated
        return -q if q < 0 else 2 * (size - 1) - q
    raise ValueError(mode)


def padding_pairs(padding, kernel, dilation) -> list[tuple[int, int]]:
    """(before, after) per dim from PyTorch's padding argument ('same' puts the odd cell after)."""
    dims = len(kernel)
    if padding == "valid":
        return [(0, 0)] * dims
    if padding == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    if isinstance(padding, int):
        return [(padding, padding)] * dims
    return [(p, p) for p in padding]


def pad(x: np.ndarray, pairs, mode: str) -> np.ndarray:
    """Pad the spatial axes of a (C, *spatial) array cell by cell."""
    sizes = x.shape[1:]
    padded = [s + b + a for s, (b, a) in zip(sizes, pairs)]
    out = np.zeros((x.shape[0], *padded))
    for c in range(x.shape[0]):
        for j in itertools.product(*map(range, padded)):
            src = [source_index(jj, s, b, mode) for jj, s, (b, _) in zip(j, sizes, pairs)]
            if None not in src:
                out[(c, *j)] = x[(c, *src)]
    return out


def conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, mode="zeros") -> np.ndarray:
    """Direct convolution of a batched (N, C, *spatial) input by its definition (cross-correlation)."""
    dims = w.ndim - 2
    stride, dilation = _per_dim(stride, dims), _per_dim(dilation, dims)
    kernel = w.shape[2:]
    pairs = padding_pairs(padding, kernel, dilation)
    out_ch, in_per_group = w.shape[:2]
    out_per_group = out_ch // groups
    results = []
    for sample in x:
        grid = pad(sample, pairs, mode)
        out_size = [(g - d * (k - 1) - 1) // s + 1 for g, k, s, d in zip(grid.shape[1:], kernel, stride, dilation)]
        out = np.zeros((out_ch, *out_size))
        for oc in range(out_ch):
            group = oc // out_per_group
            for o in itertools.product(*map(range, out_size)):
                total = 0.0 if b is None else b[oc]
                for ic in range(in_per_group):
                    for t in itertools.product(*map(range, kernel)):
                        cell = [oo * s + tt * d for oo, tt, s, d in zip(o, t, stride, dilation)]
                        total += grid[(group * in_per_group + ic, *cell)] * w[(oc, ic, *t)]
                out[(oc, *o)] = total
        results.append(out)
    return np.stack(results)


def conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> np.ndarray:
    """Transposed convolution of a batched input by scattering: out[i·s − p + t·d] += x[i]·w[t]."""
    dims = w.ndim - 2
    stride, padding = _per_dim(stride, dims), _per_dim(padding, dims)
    output_padding, dilation = _per_dim(output_padding, dims), _per_dim(dilation, dims)
    in_ch, out_per_group = w.shape[:2]
    in_per_group = in_ch // groups
    kernel, sizes = w.shape[2:], x.shape[2:]
    out_size = [
        (i - 1) * s - 2 * p + d * (k - 1) + a + 1
        for i, s, p, d, k, a in zip(sizes, stride, padding, dilation, kernel, output_padding)
    ]
    out = np.zeros((x.shape[0], out_per_group * groups, *out_size))
    for n, ic in itertools.product(range(x.shape[0]), range(in_ch)):
        group = ic // in_per_group
        for i in itertools.product(*map(range, sizes)):
            for oc in range(out_per_group):
                for t in itertools.product(*map(range, kernel)):
                    y = [ii * s - p + tt * d for ii, s, p, tt, d in zip(i, stride, padding, t, dilation)]
                    if all(0 <= yy < o for yy, o in zip(y, out_size)):
                        out[(n, group * out_per_group + oc, *y)] += x[(n, ic, *i)] * w[(ic, oc, *t)]
    if b is not None:
        out += np.asarray(b).reshape(1, -1, *[1] * dims)
    return out


def shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """Channel shuffle by its description: output channel j·groups + g is channel g·(C/groups) + j."""
    per_group = x.shape[1] // groups
    out = np.empty_like(x)
    for g in range(groups):
        for j in range(per_group):
            out[:, j * groups + g] = x[:, g * per_group + j]
    return out


def direct_output_size(size, kernel, stride, padding_pair, dilation) -> int:
    """How many window positions fit, counted one by one (no closed formula)."""
    padded = size + sum(padding_pair)
    span = dilation * (kernel - 1) + 1
    return sum(1 for start in range(0, padded, stride) if start + span <= padded)


def _per_dim(value, dims: int) -> tuple[int, ...]:
    return (value,) * dims if isinstance(value, int) else tuple(value)



# ------------------------------------------------------------------------------- pooling, pixel shuffle


def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape`` as its C++ writes it: (stride − 1) added before dividing for ceil mode,
    then the last window dropped when it would start at or past the input's end plus the left padding."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_sizes(x, kernel, stride, padding, dilation, ceil_mode):
    dims = len(kernel)
    stride = kernel if stride is None else _per_dim(stride, dims)
    padding, dilation = _per_dim(padding, dims), _per_dim(dilation, dims)
    sizes = x.shape[2:]
    out = [pool_output_size(*args, ceil_mode) for args in zip(sizes, kernel, stride, padding, dilation)]
    return sizes, stride, padding, dilation, out


def max_pool(x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling of a batched input as PyTorch's CPU kernel loops: per window, the in-range cells in order;
    a cell wins when greater than the best or NaN; the index starts at the first in-range cell per dim."""
    sizes, stride, padding, dilation, out_size = _pool_sizes(x, kernel, stride, padding, dilation, ceil_mode)
    out = np.zeros((*x.shape[:2], *out_size))
    indices = np.zeros(out.shape, dtype=np.int64)
    for n, c in itertools.product(*map(range, x.shape[:2])):
        for o in itertools.product(*map(range, out_size)):
            ranges = []
            for oo, s, p, d, k, size in zip(o, stride, padding, dilation, kernel, sizes):
                start, end = oo * s - p, min(oo * s - p + d * (k - 1) + 1, size)
                while start < 0:
                    start += d
                ranges.append(range(start, end, d))
            best, best_cell = -np.inf, None
            for cell in itertools.product(*ranges):
                value = x[(n, c, *cell)]
                if value > best or np.isnan(value):
                    best, best_cell = value, cell
            if best_cell is not None:
                index = int(np.ravel_multi_index(best_cell, sizes))
            else:  # PyTorch's start index, computed even when it points past the input
                index = sum(r.start * int(np.prod(sizes[axis + 1:])) for axis, r in enumerate(ranges))
            out[(n, c, *o)], indices[(n, c, *o)] = best, index
    return out, indices


def avg_pool(x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    """Average pooling of a batched input as PyTorch's CPU kernel: the window clipped to the padded input gives
    the pool size, clipped to the input the cells summed; the divisor is the override, or one of those counts."""
    sizes, stride, padding, _, out_size = _pool_sizes(x, kernel, stride, padding, 1, ceil_mode)
    out = np.zeros((*x.shape[:2], *out_size))
    for n, c in itertools.product(*map(range, x.shape[:2])):
        for o in itertools.product(*map(range, out_size)):
            pool_size, ranges = 1, []
            for oo, s, p, k, size in zip(o, stride, padding, kernel, sizes):
                start = oo * s - p
                end = min(start + k, size + p)
                pool_size *= end - start
                ranges.append(range(max(start, 0), min(end, size)))
            cells = list(itertools.product(*ranges))
            total = sum(x[(n, c, *cell)] for cell in cells)
            if divisor_override is not None:
                divisor = divisor_override
            else:
                divisor = pool_size if count_include_pad else len(cells)
            out[(n, c, *o)] = total / divisor
    return out


def pixel_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    """Depth to space by PyTorch's documented rule: out[..., c, h·r + i, w·r + j] = in[..., c·r² + i·r + j, h, w]."""
    *lead, channels, height, width = x.shape
    out = np.zeros((*lead, channels // (r * r), height * r, width * r))
    for c, h, w, i, j in itertools.product(range(channels // (r * r)), range(height), range(width), range(r), range(r)):
        out[..., c, h * r + i, w * r + j] = x[..., c * r * r + i * r + j, h, w]
    return out
