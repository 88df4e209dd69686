"""Your own values, from Python: named kernels, images, text and .npy sources, a spec completed from
the arrays' shapes, and the PyTorch script that checks a figure.

Expected numbers come from outside the code under test: kernels as the literature writes them,
outputs from the independent loop convolution in ``reference.py``, pixels from Pillow directly.
"""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from PIL import Image

import reference
from convanim import api
from convanim.core import engine
from convanim.core.spec import ConvSpec
from convanim.errors import BadInput
from convanim.values import sources
from convanim.values.images import load_image
from convanim.values.kernels import KERNELS, named_kernel
from convanim.values.shapes import complete
from convanim.values.torch_script import torch_script

PHOTO = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"

# --- named kernels ---------------------------------------------------------------------------------

#: As the literature prints them (Sobel & Feldman; the Laplacian's 4-neighbour form; the sharpen,
#: emboss and outline kernels of setosa.io's "Image Kernels").
LITERATURE = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sobel-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel-y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "box": [[1 / 9] * 3] * 3,
    "gaussian": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
}


def test_every_named_kernel_has_its_documented_values() -> None:
    assert sorted(KERNELS) == sorted(LITERATURE)
    for name, values in LITERATURE.items():
        np.testing.assert_allclose(named_kernel(name), values, err_msg=name, rtol=0, atol=1e-15)


def test_box_and_gaussian_take_a_size() -> None:
    np.testing.assert_allclose(named_kernel("box", (3, 5)), np.full((3, 5), 1 / 15))
    row = np.array([1, 4, 6, 4, 1]) / 16  # the fifth row of Pascal's triangle
    np.testing.assert_allclose(named_kernel("gaussian", 5), np.outer(row, row))
    assert named_kernel("box", 4).shape == (4, 4)


@pytest.mark.parametrize(("name", "size", "mentions"), [
    ("sobel-z", None, "known: identity, box"),
    ("sobel-x", 5, "fixed 3×3 kernel; the size 5×5 disagrees"),
    ("box", 0, "size must be a whole number from 1"),
    ("gaussian", 100_000, "size must be a whole number from 1 to 256"),
])
def test_a_bad_kernel_is_one_line(name: str, size: Any, mentions: str) -> None:
    with pytest.raises(BadInput, match=mentions):
        named_kernel(name, size)


# --- images ------------------------------------------------------------------------------------------


def test_a_photograph_reduces_with_its_aspect_ratio(tmp_path: Path) -> None:
    width, height = Image.open(PHOTO).size
    grey = load_image(PHOTO, 32)
    assert grey.shape == (1, 32, round(32 * width / height))
    expected = Image.open(PHOTO).convert("L").resize(grey.shape[:0:-1], Image.Resampling.LANCZOS)
    np.testing.assert_array_equal(grey[0], np.asarray(expected))
    rgb = load_image(PHOTO, (10, 12), channels=3, pixel_range="0..1")
    assert rgb.shape == (3, 10, 12) and rgb.min() >= 0 and rgb.max() <= 1


def test_a_large_image_without_a_size_suggests_input() -> None:
    with pytest.raises(BadInput, match=r"512×600 pixels.*larger than 256×256.*--input"):
        load_image(PHOTO)


def test_sixteen_bit_palette_and_alpha_images_read_sensibly(tmp_path: Path) -> None:
    deep = np.array([[0, 65535], [32896, 257]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    np.testing.assert_allclose(load_image(tmp_path / "deep.png")[0], deep / 257, rtol=1e-6)
    palette = Image.fromarray(np.array([[0, 1], [1, 0]], dtype=np.uint8), mode="P")
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.save(tmp_path / "palette.gif")
    np.testing.assert_array_equal(load_image(tmp_path / "palette.gif", channels=3)[:, 0, 0], [255, 0, 0])
    clear = Image.new("RGBA", (2, 2), (0, 0, 0, 0))
    clear.putpixel((1, 1), (0, 0, 0, 255))
    clear.save(tmp_path / "clear.png")
    np.testing.assert_array_equal(load_image(tmp_path / "clear.png")[0], [[255, 255], [255, 0]])


@pytest.mark.parametrize(("contents", "mentions"), [
    (None, "no such file"),
    (b"not an image at all", "not an image Pillow can read"),
    ("truncated", "cannot decode the image"),
])
def test_an_image_that_cannot_be_read_is_one_line(tmp_path: Path, contents: Any, mentions: str) -> None:
    path = tmp_path / "x.png"
    if contents == "truncated":
        Image.new("L", (64, 64), 128).save(path)
        path.write_bytes(path.read_bytes()[:60])
    elif contents is not None:
        path.write_bytes(contents)
    with pytest.raises(BadInput, match=mentions):
        load_image(path)


# --- text and .npy sources ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shape", "spatial"), [
    ("0,1;1,0", (2, 2), 2),
    ("1,2,3", (3,), 1),
    ("1 2 3", (3,), 1),
    ("1,0;0,1 | 0,1;1,0", (2, 2, 2), 2),
    ("1,2;3,4 / 5,6;7,8", (2, 2, 2), 3),
    ("1;2 | 3;4 || 5;6 | 7;8", (2, 2, 2, 1), 2),
])
def test_inline_text_keeps_its_axes(text: str, shape: tuple[int, ...], spatial: int) -> None:
    source = sources.parse_text(text)
    assert source.array.shape == shape and source.spatial == spatial
    numbers = [float(token) for token in text.replace("|", " ").replace("/", " ").replace(";", " ").replace(",", " ")
               .split()]
    assert source.array.ravel().tolist() == numbers


@pytest.mark.parametrize(("text", "mentions"), [
    ("1,a;2,3", "'a' is not a number"),
    ("1,2;3", "ragged rows: row 1 is 2 values, row 2 is 1 value"),
    ("1,2;3,4 | 1,2", "ragged channels"),
    ("1,nan", "nan is not a finite number"),
    ("inf,1", "inf is not a finite number"),
    ("1e999", "too large for float64"),
    (";", "holds no values"),
])
def test_bad_text_is_one_line(text: str, mentions: str) -> None:
    with pytest.raises(BadInput, match=mentions):
        sources.parse_text(text)


def test_a_text_file_reads_like_inline_rows(tmp_path: Path) -> None:
    values = np.arange(12.0).reshape(3, 4) - 5.5
    np.savetxt(tmp_path / "x.txt", values, header="made by numpy")  # spaces between, a # comment above
    np.savetxt(tmp_path / "x.csv", values, delimiter=",")
    for name in ("x.txt", "x.csv"):
        np.testing.assert_array_equal(sources.read_data(str(tmp_path / name)).array, values)


@pytest.mark.parametrize(("array", "mentions"), [
    (np.array([[1.0, np.inf]]), "infinity at index"),
    (np.array([["a", "b"]]), "not an array of numbers"),
    (np.array([1, 2], dtype=object), "not a .npy array numpy can read without unpickling"),
    (np.array([1 + 2j]), "not an array of numbers"),
    (np.zeros((0, 3)), "holds no values"),
])
def test_a_bad_npy_file_is_one_line(tmp_path: Path, array: np.ndarray, mentions: str) -> None:
    np.save(tmp_path / "x.npy", array, allow_pickle=True)
    with pytest.raises(BadInput, match=mentions):
        sources.read_data(str(tmp_path / "x.npy"))


def test_a_value_beyond_float64_is_refused() -> None:
    with pytest.raises(BadInput, match="too large for float64"):
        complete({"kernel_size": 1}, input=np.array([[10**400]], dtype=object))
    huge = np.full((1, 3, 3), 1e308)
    with pytest.raises(ValueError, match="output is too large for float64"):
        api.record({"kernel_size": 3}, input=huge, weight=np.ones((3, 3)))


# --- a spec completed from the arrays -----------------------------------------------------------


def test_sizes_and_channels_come_from_the_arrays() -> None:
    x, w = np.ones((3, 6, 7)), np.ones((4, 3, 3, 2))
    conv = complete({"padding": 1}, x, w, [1.0, 2.0, 3.0, 4.0])
    assert conv.spec == ConvSpec.create((6, 7), (3, 2), padding=1, in_channels=3, out_channels=4, bias=True)
    transposed = complete({"transposed": True, "stride": 2, "groups": 2}, np.ones((4, 3, 3)), np.ones((4, 3, 2, 2)))
    assert (transposed.spec.in_channels, transposed.spec.out_channels) == (4, 6)


def test_a_kernel_alone_and_one_bias_value_are_used_for_every_channel() -> None:
    x = np.random.default_rng(1).integers(-3, 4, (2, 5, 5)).astype(float)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])
    recording = api.record({"out_channels": 3}, input=x, weight=kernel, bias=[0.5])
    full = np.broadcast_to(kernel, (3, 2, 2, 2))
    np.testing.assert_allclose(recording.output, reference.conv(x[None], full, np.full(3, 0.5))[0])


@pytest.mark.parametrize(("kwargs", "x", "w", "mentions"), [
    ({"input_size": 5}, (1, 7, 7), None, r"input_size: 5 given, but 7×7 from the input's shape \(1, 7, 7\)"),
    ({"kernel_size": 5}, (1, 7, 7), (1, 1, 3, 3),
     r"kernel_size: 5 given, but 3×3 from the weight's shape \(1, 1, 3, 3\)"),
    ({"in_channels": 1}, (3, 7, 7), None, r"in_channels: 1 given, but 3 from the input's shape \(3, 7, 7\)"),
    ({}, (3, 7, 7), (2, 1, 3, 3), r"weight has shape \(2, 1, 3, 3\).*it must be \(2, 3, 3, 3\)"),
    ({}, (1, 7, 7), (5, 5, 5, 5, 5), r"a 2D convolution takes a kernel"),
    ({"dims": 1}, (1, 1, 7, 7), None, r"input has shape \(1, 1, 7, 7\): a 1D convolution takes"),
    ({}, None, None, "input_size and kernel_size missing"),
])
def test_arrays_that_do_not_fit_name_both_shapes(kwargs: dict[str, Any], x: Any, w: Any, mentions: str) -> None:
    with pytest.raises(BadInput, match=mentions):
        complete(kwargs, None if x is None else np.ones(x), None if w is None else np.ones(w))


# --- the PyTorch script ----------------------------------------------------------------------------


def fake_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``torch`` whose tensors are numpy arrays and whose F calls are ``reference.py``'s loops."""
    torch = types.ModuleType("torch")
    functional = types.ModuleType("torch.nn.functional")
    torch.float64 = np.float64  # type: ignore[attr-defined]
    torch.tensor = lambda data, dtype: np.array(data, dtype=dtype)  # type: ignore[attr-defined]
    torch.testing = types.SimpleNamespace(assert_close=np.testing.assert_allclose)  # type: ignore[attr-defined]
    modes = {"constant": "zeros", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}

    def pad(x: np.ndarray, sides: tuple[int, ...], mode: str) -> np.ndarray:
        pairs = [sides[i:i + 2] for i in range(0, len(sides), 2)][::-1]
        return np.stack([reference.pad(sample, pairs, modes[mode]) for sample in x])

    def conv(x: np.ndarray, w: np.ndarray, b: Any, stride: Any, padding: Any, dilation: Any, groups: int) -> Any:
        return reference.conv(x, w, b, stride, padding if isinstance(padding, str) else list(padding)
                              if isinstance(padding, tuple) else padding, dilation, groups)

    for dims in (1, 2, 3):
        setattr(functional, f"conv{dims}d", conv)
        setattr(functional, f"conv_transpose{dims}d", lambda x, w, b, padding, output_padding, stride, dilation,
                groups: reference.conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation))
    functional.pad = pad  # type: ignore[attr-defined]
    nn = types.ModuleType("torch.nn")
    nn.functional = functional  # type: ignore[attr-defined]
    torch.nn = nn  # type: ignore[attr-defined]
    for name, module in (("torch", torch), ("torch.nn", nn), ("torch.nn.functional", functional)):
        monkeypatch.setitem(sys.modules, name, module)


SCRIPTED = {
    "plain": dict(input_size=5, kernel_size=3, bias=True),
    "reflect": dict(input_size=5, kernel_size=3, padding=1, padding_mode="reflect"),
    "same, even kernel": dict(input_size=5, kernel_size=2, padding="same"),
    "strided, dilated": dict(input_size=7, kernel_size=3, stride=2, dilation=2, padding=1),
    "grouped": dict(input_size=4, kernel_size=3, in_channels=4, out_channels=2, groups=2, bias=True),
    "transposed": dict(input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1, transposed=True),
    "1D circular": dict(input_size=6, kernel_size=3, padding=2, padding_mode="circular"),
    "3D": dict(input_size=(3, 4, 4), kernel_size=2, in_channels=2),
}


@pytest.mark.parametrize("case", sorted(SCRIPTED))
def test_the_torch_script_holds_the_recordings_numbers_and_passes(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    recording = engine.run(ConvSpec.create(**SCRIPTED[case]), seed=7)  # type: ignore[arg-type]
    text = torch_script(recording)
    code = compile(text, "check.py", "exec")
    literals = {node.targets[0].id: ast.literal_eval(node.value.args[0])  # type: ignore[attr-defined]
                for node in ast.parse(text).body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args
                and ast.unparse(node.value.func) == "torch.tensor"}
    assert np.array_equal(literals["input"], recording.input[None])
    assert np.array_equal(literals["weight"], recording.weight)
    assert np.array_equal(literals["expected"], recording.output[None])
    assert ("bias" in literals) == (recording.bias is not None)
    fake_torch(monkeypatch)
    exec(code, {"__name__": "__main__"})  # the script's own assert compares with the reference


def test_the_torch_script_keeps_every_bit_of_a_value() -> None:
    x = np.array([[[0.1, 1 / 3], [2**-30, -1e-300]]])
    text = torch_script(api.record({"kernel_size": 1}, input=x, weight=np.array([[np.pi]])))
    assert repr(1 / 3) in text and repr(np.pi) in text and "1e-300" in text
