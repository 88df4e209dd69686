"""Fuzzing the command line as a hostile user would: whatever the arguments, convanim exits with
0, 1 or 2, prints no traceback, leaves nothing beside its target, and ends in bounded time.

Arguments are drawn from every command's real options (so a new option is fuzzed too), each
given a value that is usually plausible and often not: negative, zero, huge, fractional, the
wrong type, empty, control characters. Renders are kept small by the scenes and sizes drawn, so
the whole test runs in well under a minute.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import click
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convanim.cli import main

#: How many argument lists one run tries; each is a whole command, most of them rejected fast.
EXAMPLES = 400
#: The longest any one command may take: bad input must be refused long before this.
SECONDS = 20

CHEAP_SCENES = ["arith-no-padding-no-strides", "arith-no-padding-strides", "computation", "nothing-such", ""]
NUMBERS = ["0", "1", "2", "3", "-1", "-3", "7", "2.5", "1e308", "99999999999999999999", "nan", "inf", "", "x",
           "3,5", "2,2,2", "1,0", "same", "valid", "\x00", "1\n2"]
VALUES = {
    "size": ["64x48", "96x72", "readme", "0x5", "12000x12000", "100000x100000", "abc", "64x", "-64x48", "1080p"],
    "scale": ["0.1", "0.2", "0", "-1", "1e6", "1e308", "nan", "inf", "x"],
    "format": ["gif", "webp", "apng", "png", "mp4", "avi", "GIF", ""],
    "theme": ["light", "dark", "sepia", ""],
    "title": ["Hi", "", "a\nb", "\x00", "<b>&</b>", "x" * 300, "\x1b[31m"],
    "output": ["out.gif", "out.webp", "frames", "out.mp4", "out.avi", "-", "out.gif/", ".", "sub/deep/out.apng",
               "x" * 250 + ".gif"],  # special files (a FIFO, /dev/null) are tested on their own
    "out_dir": ["outdir", ".", "a b", "/proc/nope"],
    "data": ["0,1;1,0", "1,2,3;4,5,6;7,8,9", "1,2;3", "1|2", "x", "", "nan", "1e400", "photo.jpg", "-", ".",
             "1,2;3,4/5,6;7,8"],
    "weights": ["sobel-x", "box", "gaussian", "sobel-z", "1,0;0,-1", "1||2", "1e308", "k.npy", ""],
    "bias": ["1", "-1", "1,2", "x", "", "nan", "1e400"],
    "torch_script": ["check.py", "-", ".", "sub/check.py", "/proc/nope.py"],
}
#: Commands fuzzed, with the positional arguments each needs.
COMMANDS = {
    "render": lambda draw: [draw(st.sampled_from(CHEAP_SCENES))],
    "custom": lambda draw: [],
    "info": lambda draw: [],
    "list": lambda draw: [],
}


def _value(draw: st.DrawFn, param: click.Option) -> str:
    """A value for ``param``: from its own list when it has one, else numbers of every kind."""
    if isinstance(param.type, click.Choice) and draw(st.booleans()):
        return draw(st.sampled_from([str(c) for c in param.type.choices]))
    key = param.name or ""
    return draw(st.sampled_from(VALUES.get(key, NUMBERS)))


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    command = main.commands[name]
    args = [name, *COMMANDS[name](draw)]
    options = [p for p in command.params if isinstance(p, click.Option) and p.name not in ("help",)]
    chosen = draw(st.lists(st.sampled_from(options), max_size=5, unique_by=lambda p: p.name)) if options else []
    if name in ("custom", "info"):  # the sizes, usually sane, unless values give them
        sizes = [p for p in options if p.name in ("input_size", "kernel_size")]
        chosen = sizes + [p for p in chosen if p not in sizes]
    for param in chosen:
        flag = max(param.opts, key=len)
        if param.is_flag:
            args.append(flag)
        elif param.name in ("input_size",) and draw(st.integers(0, 3)):
            args += [flag, draw(st.sampled_from(["3", "4", "5", "4,5"]))]
        elif param.name in ("kernel_size",) and draw(st.integers(0, 3)):
            args += [flag, draw(st.sampled_from(["1", "2", "3"]))]
        else:
            args += [flag, _value(draw, param)]
    if name in ("render", "custom") and "--size" not in args:
        args += ["--size", "64x48"]  # keep renders small unless a size is being fuzzed
    return args


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=command_lines())
def test_any_command_line_exits_0_1_or_2_without_a_traceback_or_leftovers(args: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        before = os.getcwd()
        os.chdir(folder)
        try:
            start = time.perf_counter()
            result = CliRunner().invoke(main, args)
            seconds = time.perf_counter() - start
        finally:
            os.chdir(before)
        event(f"{args[0]} exit {result.exit_code}")
        shown = f"convanim {args!r}: exit {result.exit_code}\n{result.output}{result.stderr}"
        assert result.exit_code in (0, 1, 2), shown
        assert result.exception is None or isinstance(result.exception, SystemExit), shown + repr(result.exception)
        assert "Traceback" not in result.stderr, shown
        if result.exit_code:
            assert len(result.stderr.strip().splitlines()) == 1 and "error" in result.stderr, shown
        assert seconds < SECONDS, f"{shown}\ntook {seconds:.1f} s"
        hidden = [p for p in Path(folder).rglob(".*")]
        assert hidden == [], f"{shown}\nleft {hidden}"
        if result.exit_code == 2:
            assert list(Path(folder).iterdir()) == [], f"{shown}\nrefused, but wrote {list(Path(folder).iterdir())}"
