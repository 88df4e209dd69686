"""Your own values on the command line: ``--data``, ``--weights``, ``--bias`` into ``custom`` and
``info``, the numbers coming back out (``info``, ``info --json``, the figure, ``--torch``), the
``kernels`` list, and one line with exit 2 for every kind of bad input, nothing written.

Every expected output is computed here, from the same numbers, by the independent loop
convolution in ``reference.py``.
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

import reference
from convanim import api
from convanim.cli import main
from convanim.core.notation import number
from convanim.picture import Grid, Timeline

from slides_support import SIZE  # noqa: E402

PHOTO = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
SOBEL_X = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
GRID = np.array([[0, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=float)


def invoke(*args: str) -> Result:
    separate = "mix_stderr" in inspect.signature(CliRunner).parameters
    return CliRunner(**({"mix_stderr": False} if separate else {})).invoke(main, list(args))


@pytest.fixture(autouse=True)
def in_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def rows(array: np.ndarray) -> str:
    """``array`` (2D) as inline rows, written here rather than by the code under test."""
    return ";".join(",".join(repr(float(v)) for v in row) for row in array)


def expected(x: np.ndarray, w: np.ndarray, b: Any = None, **options: Any) -> np.ndarray:
    """The reference output for an unbatched input and a full weight."""
    return reference.conv(x[None], w, None if b is None else np.asarray(b, float), **options)[0]


def json_output(*args: str) -> tuple[dict[str, Any], np.ndarray]:
    result = invoke("info", "--json", *args)
    assert result.exit_code == 0, result.stderr
    facts = json.loads(result.stdout)
    return facts, np.array(facts["output"])


# --- every source kind round-trips ------------------------------------------------------------


def sources_of_the_grid(folder: Path) -> dict[str, str]:
    """The 5×5 GRID written in every form --data takes."""
    np.save(folder / "grid.npy", GRID)
    np.savetxt(folder / "grid.csv", GRID, delimiter=",", fmt="%g")
    np.savetxt(folder / "grid.txt", GRID)
    Image.fromarray((GRID * 255).astype(np.uint8)).save(folder / "grid.png")
    return {"inline": rows(GRID), "npy": "grid.npy", "csv": "grid.csv", "txt": "grid.txt", "png": "grid.png"}


@pytest.mark.parametrize("kind", ["inline", "npy", "csv", "txt", "png"])
def test_every_data_source_gives_the_numbers_numpy_computes(kind: str, tmp_path: Path) -> None:
    src = sources_of_the_grid(tmp_path)[kind]
    facts, output = json_output("--data", src, "--weights", "sobel-x", "--padding", "1")
    values = GRID * 255 if kind == "png" else GRID
    np.testing.assert_allclose(output, expected(values[None], SOBEL_X[None, None], padding=1))
    assert facts["input_size"] == [5, 5] and facts["output_size"] == [5, 5] and facts["macs"] == 25 * 9


@pytest.mark.parametrize("kind", ["inline", "npy", "csv"])
def test_every_weight_source_gives_the_numbers_numpy_computes(kind: str, tmp_path: Path) -> None:
    kernel = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.save(tmp_path / "k.npy", kernel)
    np.savetxt(tmp_path / "k.csv", kernel, delimiter=",")
    src = {"inline": rows(kernel), "npy": "k.npy", "csv": "k.csv"}[kind]
    _, output = json_output("--data", rows(GRID), "--weights", src, "--stride", "2")
    np.testing.assert_allclose(output, expected(GRID[None], kernel[None, None], stride=2))


def test_a_photograph_in_rgb_round_trips() -> None:
    """--input 20 is the longer side; --in-channels 3 reads R, G and B; the kernel is used for each."""
    facts, output = json_output("--data", str(PHOTO), "--input", "20", "--in-channels", "3", "--weights", "box")
    width, height = Image.open(PHOTO).size
    size = (20, round(20 * width / height))
    rgb = np.asarray(Image.open(PHOTO).convert("RGB").resize(size[::-1], Image.Resampling.LANCZOS), dtype=float)
    box = np.full((1, 3, 3, 3), 1 / 9)
    np.testing.assert_allclose(output, expected(rgb.transpose(2, 0, 1), box))
    assert facts["input_size"] == list(size) and facts["in_channels"] == 3


def test_channels_filters_and_bias_values(tmp_path: Path) -> None:
    """``|`` between a filter's channels, ``||`` between filters; --bias one value each."""
    x = np.stack([GRID, GRID[::-1]])
    k = [np.array([[1.0, 0], [0, -1]]), np.array([[0.0, 2], [1, 0]])]
    weights = f"{rows(k[0])} | {rows(k[1])} || {rows(k[1])} | {rows(k[0])}"
    _, output = json_output("--data", f"{rows(x[0])} | {rows(x[1])}", "--weights", weights, "--bias=-1,2.5")
    w = np.array([[k[0], k[1]], [k[1], k[0]]])
    np.testing.assert_allclose(output, expected(x, w, [-1, 2.5]))
    _, broadcast = json_output("--data", rows(GRID), "--weights", "laplacian", "--bias", "-3", "--out-channels", "2")
    laplacian = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_allclose(broadcast, expected(GRID[None], np.stack([laplacian[None]] * 2), [-3, -3]))


def test_a_3d_input_from_depth_slices() -> None:
    volume = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3)
    _, output = json_output("--data", " / ".join(rows(plane) for plane in volume), "--weights", "1;1 / 1;-1")
    kernel = np.array([[[1.0], [1.0]], [[1.0], [-1.0]]])
    np.testing.assert_allclose(output, expected(volume[None], kernel[None, None]))


def test_the_figure_shows_the_numbers_numpy_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recording the figure is drawn from, and the numbers in its cells, are the reference's."""
    import convanim.figures

    seen: dict[str, Any] = {}
    draw = convanim.figures.arithmetic
    monkeypatch.setattr(convanim.figures, "arithmetic", lambda recording, **kw: seen.setdefault(
        "timeline", draw(seen.setdefault("recording", recording), **kw)))
    monkeypatch.setattr(api, "_render_timeline", lambda timeline, name, out, *rest: Path(out))
    result = invoke("custom", "--data", rows(GRID), "--weights", "sobel-y", "--bias", "1", "--numbers", "-o", "x.gif")
    assert result.exit_code == 0, result.stderr
    want = expected(GRID[None], np.array([[[[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]]]), [1])
    np.testing.assert_allclose(seen["recording"].output, want)
    assert {number(v) for v in want.ravel()} | {number(v) for v in GRID.ravel()} <= labels(seen["timeline"])


def labels(timeline: Timeline) -> set[str]:
    """Every text in the cells of every grid the timeline draws."""
    pictures = [timeline.background, *(step.overlay for step in timeline.steps)]
    return {text for picture in pictures for item in picture.items if isinstance(item, Grid)
            for row in item.labels for text in row}


def test_custom_renders_a_photograph_and_writes_a_torch_script(tmp_path: Path) -> None:
    result = invoke("custom", "--data", str(PHOTO), "--input", "12", "--weights", "sobel-x", "-o", "x.gif",
                    "--torch", "check.py", "--size", SIZE)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "x.gif").is_file()
    text = (tmp_path / "check.py").read_text(encoding="utf-8")
    compile(text, "check.py", "exec")
    assert "F.conv2d(input, weight, bias" in text and "torch.testing.assert_close(output, expected)" in text


# --- values out: info ---------------------------------------------------------------------------


def test_info_prints_a_small_output_in_full() -> None:
    result = invoke("info", "--data", rows(GRID), "--weights", "sobel-x")
    assert result.exit_code == 0, result.stderr
    want = expected(GRID[None], SOBEL_X[None, None])[0]
    printed = [[float(text.replace("−", "-")) for text in line.split()] for line in result.stdout.splitlines()[-3:]]
    np.testing.assert_array_equal(printed, want)
    assert "output 1×3×3:" in result.stdout


def test_info_summarises_a_big_output() -> None:
    result = invoke("info", "--data", str(PHOTO), "--input", "40", "--weights", "sobel-x")
    assert result.exit_code == 0, result.stderr
    width, height = Image.open(PHOTO).size
    grey = np.asarray(Image.open(PHOTO).convert("L").resize((round(40 * width / height), 40),
                                                              Image.Resampling.LANCZOS), dtype=float)
    want = expected(grey[None], SOBEL_X[None, None])
    summary = f"min {number(want.min())}, max {number(want.max())}, mean {number(want.mean())}"
    assert result.stdout.splitlines()[-1] == f"output 1×{want.shape[1]}×{want.shape[2]}: {summary}"


def test_info_json_has_every_size_the_formula_and_the_cost() -> None:
    facts, _ = json_output("--input", "7", "--kernel", "3", "--stride", "2", "--padding", "1", "--bias=2")
    assert facts["output_size"] == [4, 4] and facts["padded_size"] == [9, 9] and facts["stride"] == [2, 2]
    assert facts["formula"] == ["o = ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4"] and facts["params"] == 10
    plain = json.loads(invoke("info", "--json", "--input", "7", "--kernel", "3").stdout)
    assert "output" not in plain and plain["macs"] == 25 * 9


def test_kernels_lists_every_kernel_with_its_values() -> None:
    result = invoke("kernels")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("sobel-x:")))
    printed = [[float(text.replace("−", "-")) for text in line.split()] for line in lines[at + 1:at + 4]]
    np.testing.assert_array_equal(printed, SOBEL_X)
    for name in ("identity", "box", "gaussian", "sharpen", "sobel-y", "laplacian", "emboss", "outline"):
        assert any(line.startswith(f"{name}:") for line in lines), name


# --- bad input: one line, exit 2, nothing written -------------------------------------------------


def bad_files(folder: Path) -> None:
    (folder / "garbage.png").write_bytes(b"\x89PNG but not really")
    (folder / "notes.bin").write_bytes(os.urandom(64))
    (folder / "header.csv").write_text("a,b\n1,2\n")
    (folder / "folder.npy").mkdir()
    np.save(folder / "inf.npy", np.array([[1.0, np.inf]]))
    np.save(folder / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    Image.new("L", (300, 20)).save(folder / "wide.png")


BAD = {
    "missing file": (["--data", "nope.png"], "nope.png: no such file"),
    "a folder, not a file": (["--data", "folder.npy"], "not a file"),
    "not an image Pillow opens": (["--data", "garbage.png"], "not an image Pillow can read"),
    "no format at all": (["--data", "notes.bin"], "not an image Pillow can read"),
    "non-numeric text": (["--data", "1,2;3,x"], "'x' is not a number"),
    "non-numeric file": (["--data", "header.csv"], "'a' is not a number"),
    "ragged rows": (["--data", "1,2,3;4,5"], "ragged rows"),
    "NaN": (["--data", "1,NaN;2,3"], "NaN is not a finite number"),
    "infinity in a .npy": (["--data", "inf.npy"], "infinity at index (0, 1)"),
    "a pickle": (["--data", "pickled.npy"], "without unpickling"),
    "shape that does not fit": (["--data", "1,2;3,4", "--weights", "sobel-x"], "must not exceed the padded input"),
    "size that disagrees": (["--data", "1,2;3,4", "--input", "3"],
                            "input_size: 3 given, but 2×2 from the input's shape (1, 2, 2)"),
    "weight for other channels": (["--data", "1,2;3,4|1,2;3,4", "--weights", "1|1||1|1", "--groups", "2"],
                                  "it must be (2, 1, 1, 1)"),
    "channels that disagree": (["--data", "1,2;3,4|1,2;3,4", "--weights", "1|1|1", "--transposed"],
                               "in_channels: 2 from the input's shape (2, 2, 2), but 1 from the weight's shape"),
    "unknown kernel": (["--weights", "sobel-z", "--input", "5"], "unknown kernel 'sobel-z'"),
    "fixed kernel resized": (["--weights", "sobel-x", "--kernel", "5", "--input", "9"], "fixed 3×3"),
    "large image, no --input": (["--data", "wide.png"], "larger than 256×256: reduce it with --input"),
    "too large for float64": (["--data", "1e400"], "too large for float64"),
    "an output beyond float64": (["--data", "1e308,1e308", "--weights", "1e308,1e308"], "output is too large"),
    "bias not numbers": (["--input", "5", "--kernel", "3", "--bias", "one"], "'one' is not a number"),
    "bias of a wrong length": (["--data", "1,2;3,4", "--kernel", "1", "--bias", "1,2", "--out-channels", "3"],
                               "out_channels: 3 given, but 2 from the 2 bias values"),
    "neither size nor values": (["--kernel", "3"], "input_size missing"),
    "pixel range for numbers": (["--data", "1,2;3,4", "--kernel", "1", "--pixel-range", "0..1"], "for an image"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["custom", "info"])
def test_bad_values_are_one_line_exit_2_and_write_nothing(case: str, command: str, tmp_path: Path) -> None:
    bad_files(tmp_path)
    before = sorted(tmp_path.iterdir())
    args, mentions = BAD[case]
    extra = ["-o", "out.gif", "--torch", "check.py", "--size", SIZE] if command == "custom" else []
    result = invoke(command, *args, *extra)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.stdout)
    assert len(lines) == 1 and lines[0].startswith("convanim: error: ") and mentions in lines[0], result.stderr
    assert result.stdout == "" and sorted(tmp_path.iterdir()) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("1,2\n3,4\n")
    path.chmod(0)
    result = invoke("info", "--data", str(path), "--kernel", "1")
    assert result.exit_code == 2 and "cannot read it" in result.stderr and len(result.stderr.splitlines()) == 1
