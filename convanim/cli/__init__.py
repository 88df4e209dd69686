"""The command line: a thin click layer over convanim's library API (convanim.api).

Errors are handled once, here, for every command: a bad option, value, scene, spec or output path
(``BadInput`` and the plain ``ValueError`` / ``OSError`` of checks, click's usage errors) becomes one
line on stderr and exit status 2; every other ``ConvanimError`` (a failure while rendering, a bug)
one line with its own status (1). Never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import click

from convanim import __version__
from convanim.errors import ConvanimError
from convanim.signals import Interrupted, signals_interrupt
from convanim.cli.config import default_map, read_table

#: Click raises this (a UsageError) to show the help for a bare ``convanim``; it is not an error.
_SHOW_HELP: tuple[type[BaseException], ...] = tuple(
    error for error in [getattr(click.exceptions, "NoArgsIsHelpError", None)] if error is not None
)


class Failure(click.ClickException):
    """An error shown as ``convanim: error: ...`` on one line, with its own exit status."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__("; ".join(line.strip() for line in message.splitlines() if line.strip()))
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it per class; ours is per error

    def show(self, file: Any = None) -> None:
        click.echo(f"convanim: error: {self.message}", err=True)


#: Errors that already print what they should: ours, and the help for a bare ``convanim``.
_ALREADY_SHOWN: tuple[type[BaseException], ...] = (Failure, *_SHOW_HELP)


def fail(message: str, exit_code: int = 2) -> NoReturn:
    """Stop a command with a one-line error (2: bad input, 1: something failed while working)."""
    raise Failure(message, exit_code)


@contextlib.contextmanager
def _one_line_errors() -> Iterator[None]:
    """Turn every error a user can cause into one line and the exit status that classifies it."""
    try:
        yield
    except _ALREADY_SHOWN:
        raise
    except click.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        raise Failure(f"{exc.format_message()}{where}", exc.exit_code) from None
    except ConvanimError as exc:
        raise Failure(str(exc), exc.exit_status) from None
    except BrokenPipeError:
        _stdout_gone()
    except MemoryError:  # the last line of defence: the budget checks should refuse such work first
        raise Failure("too big: ran out of memory; lower the sizes (--input, --size, --scale, --hold)", 2) from None
    except (ValueError, OSError) as exc:
        raise Failure(str(exc) or type(exc).__name__, 2) from None


#: The status of a program stopped by a closed pipe (128 + SIGPIPE), as ``yes | head -1`` leaves it.
_PIPE_CLOSED_STATUS = 141


def _stdout_gone() -> NoReturn:
    """End quietly when the reader of stdout has gone (``convanim list | head -1``): not an error.

    stdout is pointed at os.devnull first, or Python would fail again, loudly, flushing it at exit.
    """
    with contextlib.suppress(OSError):  # no file descriptor (a test's captured stdout): nothing to flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(_PIPE_CLOSED_STATUS)


class ConvanimGroup(click.Group):
    """The ``convanim`` group: parses and runs subcommands inside the one error policy."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _one_line_errors():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_errors(), _signals_end_like_ctrl_c():
            return super().invoke(ctx)


@contextlib.contextmanager
def _signals_end_like_ctrl_c() -> Iterator[None]:
    """End a command on SIGTERM or SIGHUP as on Ctrl-C: the render cleans up after itself (no
    temporary left, ffmpeg ended, the old file kept), then one line, and the status a shell gives a
    program a signal ended (128 + its number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    """
    try:
        with signals_interrupt():
            yield
    except Interrupted as stop:
        raise Failure(f"interrupted by {stop}", stop.exit_status) from None


@click.group(cls=ConvanimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convanim")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Animated, exact pictures of convolution.

    Defaults for any option can be set in [tool.convanim] of ./pyproject.toml (the command line
    wins); see the README.

    Example: convanim render basics -o basics.gif
    """
    from_file = default_map(read_table(), {name: _option_keys(cmd) for name, cmd in main.commands.items()})
    given = ctx.default_map or {}
    ctx.default_map = {name: {**from_file.get(name, {}), **given.get(name, {})} for name in main.commands}


def _option_keys(command: click.Command) -> dict[str, click.Parameter]:
    """Config keys of a command: each option's long flag without dashes -> the option (its name
    is the keyword it sets, its type the kind of value it takes)."""
    return {
        opt[2:]: param
        for param in command.params
        if isinstance(param, click.Option) and param.name
        for opt in param.opts
        if opt.startswith("--")
    }


@main.command("list")
def list_scenes() -> None:
    """List every built-in scene with a one-line description.

    Example: convanim list
    """
    from convanim.registry import builtin_scenes

    entries = list(builtin_scenes())
    width = max(len(entry.name) for entry in entries)  # the longest name sets the column
    for entry in entries:
        click.echo(f"{entry.name:{width}}  {entry.description}")


# Commands live in modules by area; importing them registers them on `main`.
from convanim.cli import commands, slides  # noqa: E402,F401
