"""Pooling from the command line and the API: ``custom --pool`` renders any max or average pooling
(a frame per output cell), ``info --pool`` prints its sizes as the independent ``reference.py``
computes them, and every bad input is one line with exit 2, before anything is written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import Result

import reference
from convanim import api
from convanim.core.notation import describe_pool
from convanim.core.pool_spec import PoolSpec

from slides_support import SIZE  # noqa: E402
from test_cli import assert_one_line_error, frame_count, invoke, runner
from convanim.cli import main

#: Poolings as flags and as PoolSpec.create's keywords: both kinds, 1D and 2D, every flag.
CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "max 5 k3 s1": (["--pool", "max", "--input", "5", "--kernel", "3", "--stride", "1"],
                    dict(kind="max", input_size=5, kernel_size=3, stride=1)),
    "avg 5 k3 s1": (["--pool", "avg", "--input", "5", "--kernel", "3", "--stride", "1"],
                    dict(kind="avg", input_size=5, kernel_size=3, stride=1)),
    "max 1D dilated ceil": (["--pool", "max", "--input", "9", "--dims", "1", "--kernel", "2", "--stride", "2",
                             "--dilation", "2", "--ceil-mode"],
                            dict(kind="max", input_size=9, kernel_size=2, stride=2, dilation=2, ceil_mode=True,
                                 dims=1)),
    "avg ceil drops the last window": (["--pool", "avg", "--input", "5", "--kernel", "2", "--padding", "1",
                                        "--ceil-mode", "--no-count-include-pad"],
                                       dict(kind="avg", input_size=5, kernel_size=2, padding=1, ceil_mode=True,
                                            count_include_pad=False)),
    "avg 4,6 divisor, 2 channels": (["--pool", "avg", "--input", "4,6", "--kernel", "2,3", "--divisor-override",
                                     "4", "--in-channels", "2"],
                                    dict(kind="avg", input_size=(4, 6), kernel_size=(2, 3), divisor_override=4,
                                         channels=2)),
}


@pytest.fixture(autouse=True)
def in_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test in an empty folder: no pyproject.toml defaults, and what a refusal wrote is seen."""
    monkeypatch.chdir(tmp_path)


def expected_sizes(kwargs: dict[str, Any]) -> list[int]:
    """The output size per dim by reference.py's own formula, from the case's keywords."""
    spec = PoolSpec.create(**kwargs)  # broadcasts ints, so the reference gets one value per dim
    return [reference.pool_output_size(i, k, s, p, d, spec.ceil_mode)
            for i, k, s, p, d in zip(spec.input_size, spec.kernel_size, spec.stride, spec.padding, spec.dilation)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_custom_pool_renders_a_frame_per_output_cell(case: str, tmp_path: Path) -> None:
    flags, kwargs = CASES[case]
    out = tmp_path / "pool.gif"
    result = invoke("custom", *flags, "-o", str(out), "--size", SIZE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    assert frame_count(out) == math.prod(expected_sizes(kwargs))  # the first channel's windows


@pytest.mark.parametrize("case", sorted(CASES))
def test_info_pool_prints_the_reference_sizes(case: str) -> None:
    flags, kwargs = CASES[case]
    sizes = expected_sizes(kwargs)
    text = invoke("info", *flags)
    assert text.exit_code == 0, text.stderr
    assert f"output {'×'.join(map(str, sizes))}" in text.stdout
    facts = json.loads(invoke("info", *flags, "--json").stdout)
    assert facts["output_size"] == sizes and facts["pool"] == kwargs["kind"]
    assert facts["caption"] == describe_pool(PoolSpec.create(**kwargs))


def test_data_with_pool_gives_the_reference_numbers() -> None:
    x = np.arange(20.0).reshape(4, 5) % 7
    text = ";".join(",".join(repr(float(v)) for v in row) for row in x)
    facts = json.loads(invoke("info", "--pool", "max", "--data", text, "--kernel", "3", "--stride", "2",
                              "--padding", "1", "--json").stdout)
    expected, _ = reference.max_pool(x[None, None], (3, 3), 2, 1)
    np.testing.assert_allclose(np.array(facts["output"]), expected[0])
    mean = invoke("info", "--pool", "avg", "--data", text, "--kernel", "2")
    assert mean.exit_code == 0 and "output 1×2×2" in mean.stdout, mean.stderr


def test_the_api_draws_a_pooling_from_its_keywords_and_reads_the_input_off(tmp_path: Path) -> None:
    path = api.pool(dict(kind="max", input_size=5, kernel_size=3, stride=1), tmp_path / "p.gif", size=SIZE)
    assert frame_count(path) == 9
    recording = api.record_pool(dict(kind="avg", kernel_size=2), input=np.ones((2, 4, 4)))
    assert (recording.spec.channels, recording.spec.input_size) == (2, (4, 4))
    np.testing.assert_allclose(recording.output, reference.avg_pool(np.ones((1, 2, 4, 4)), (2, 2))[0])


POOL = ["--pool", "avg", "--input", "5", "--kernel", "3"]
#: Every way a pooling can be wrong, with what the one line must name.
BAD = {
    "padding over half the kernel": ([*POOL, "--padding", "2"], "padding must be at most half of kernel_size"),
    "dilation for average pooling": ([*POOL, "--dilation", "2"], "dilation is only for max pooling"),
    "divisor for max pooling": (["--pool", "max", "--input", "5", "--kernel", "3", "--divisor-override", "2"],
                                "divisor_override is only for average pooling"),
    "padding not counted for max": (["--pool", "max", "--input", "5", "--kernel", "3", "--no-count-include-pad"],
                                    "count_include_pad is only for average pooling"),
    "divisor zero": ([*POOL, "--divisor-override", "0"], "divisor_override must be a non-zero int"),
    "kernel over the padded input": (["--pool", "max", "--input", "3", "--kernel", "5", "--padding", "0"],
                                     "too large for the padded input"),
    "transposed": ([*POOL, "--transposed"], "--transposed: not for a pooling"),
    "groups": ([*POOL, "--groups", "2"], "--groups: not for a pooling"),
    "out channels": ([*POOL, "--out-channels", "2"], "--out-channels: not for a pooling"),
    "weights": ([*POOL, "--weights", "box"], "--weights: not for a pooling"),
    "bias": ([*POOL, "--bias", "1"], "--bias: not for a pooling"),
    "padding same": ([*POOL, "--padding", "same"], "for a convolution only"),
    "no kernel": (["--pool", "max", "--input", "5"], "kernel_size missing"),
    "no size": (["--pool", "max", "--kernel", "3"], "input_size missing"),
    "data that disagrees": (["--pool", "max", "--kernel", "1", "--data", "1,2;3,4", "--input", "3"],
                            "input_size: 3 given, but 2×2 from the input's shape"),
    "ceil mode without --pool": (["--input", "5", "--kernel", "3", "--ceil-mode"], "--ceil-mode: only for a pooling"),
    "divisor without --pool": (["--input", "5", "--kernel", "3", "--divisor-override", "2"],
                               "--divisor-override: only for a pooling"),
    "an unknown kind": (["--pool", "min", "--input", "5", "--kernel", "3"], "'min' is not one of"),
}
#: Refused by custom only: what info never draws (as for a convolution, it prints any size), and
#: the script only a convolution has.
BAD_FIGURES = {
    "too many windows": (["--pool", "max", "--input", "200", "--kernel", "1"], "kernel positions"),
    "3D": ([*POOL, "--dims", "3"], "1D or 2D pooling (got 3D)"),
    "no numbers": ([*POOL, "--no-numbers"], "--no-numbers: a pooling figure always shows its numbers"),
    "torch script": ([*POOL, "--torch", "check.py"], "--torch: not for a pooling"),
}


def refused(command: str, args: list[str], folder: Path) -> Result:
    """``command`` with ``args`` (and, for custom, an output), checked to have written nothing."""
    before = sorted(folder.iterdir())
    extra = ["-o", "out.gif", "--size", SIZE] if command == "custom" else []
    result = runner().invoke(main, [command, *args, *extra])
    assert result.stdout == "" and sorted(folder.iterdir()) == before, result.stdout
    return result


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["custom", "info"])
def test_bad_pooling_is_one_line_exit_2_and_writes_nothing(case: str, command: str, tmp_path: Path) -> None:
    args, mentions = BAD[case]
    result = refused(command, args, tmp_path)
    assert_one_line_error(result.stderr, result.exit_code, 2, mentions)


@pytest.mark.parametrize("case", sorted(BAD_FIGURES))
def test_bad_pooling_figure_is_one_line_exit_2_and_writes_nothing(case: str, tmp_path: Path) -> None:
    args, mentions = BAD_FIGURES[case]
    result = refused("custom", args, tmp_path)
    assert_one_line_error(result.stderr, result.exit_code, 2, mentions)


@pytest.mark.parametrize(
    ("pyproject", "mentions"),
    [
        ("[tool.convanim.custom]\npool = 1\n", "pool = 1: expected a string, one of max, avg"),
        ("[tool.convanim]\nceil-mode = 'yes'\n", 'ceil-mode = "yes": expected true or false'),
        ("[tool.convanim.info]\ndivisor-override = 1.5\n", "divisor-override = 1.5: expected a whole number"),
    ],
)
def test_a_wrong_type_in_pyproject_is_one_line(pyproject: str, mentions: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    result = invoke("info")
    assert_one_line_error(result.stderr, result.exit_code, 2, mentions)
