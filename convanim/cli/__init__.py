"""The command line: a thin click layer over convanim's library API."""

from __future__ import annotations

import click

from convanim import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convanim")
def main() -> None:
    """Animated, exact pictures of convolution.

    Example: convanim render basics -o basics.gif
    """


@main.command("list")
def list_scenes() -> None:
    """List every built-in scene with a one-line description.

    Example: convanim list
    """
    from convanim.scene import builtin_scenes

    for entry in builtin_scenes():
        click.echo(f"{entry.name:28} {entry.description}")


# Commands live in modules by area; importing them registers them on `main`.
from convanim.cli import commands, slides  # noqa: E402,F401
