"""slides and gallery: figures into a PPTX, HTML or Beamer deck, and a gallery page for a site.

Both share the render options of ``convanim render`` except its ``--format``: for ``slides`` the
format is the deck's, and the gallery is always GIF. Errors are the group's: one line, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from convanim.cli import main
from convanim.cli.commands import JOBS, TARGETS, render_options
from convanim.slides import DECK_FORMATS, SLIDE_SIZE


def _deck_format(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The deck format, checked; a file format that came from pyproject.toml is not about decks.

    ``[tool.convanim] format = "webp"`` sets the file format of every rendering command; it
    must neither make ``slides`` fail nor choose a deck, so it is set aside here.
    """
    if value is None or value in DECK_FORMATS:
        return value
    if ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT_MAP:
        from convanim.writers import FORMATS

        if value in FORMATS:
            return None
    raise click.BadParameter(f"{value!r} is not one of {', '.join(DECK_FORMATS)}", ctx, param)


@main.command()
@TARGETS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The deck: NAME.pptx, NAME.html or NAME.tex (the suffix picks the format), or a folder "
    "with --format beamer.",
)
@click.option(
    "--format",
    "deck_format",
    metavar="[" + "|".join(DECK_FORMATS) + "]",
    callback=_deck_format,
    help="pptx, html or beamer (default: the suffix of -o).",
)
@click.option(
    "--video", is_flag=True, help="Embed MP4 video with a poster frame instead of GIF (pptx, html)."
)
@click.option(
    "--frames", type=click.Choice(("pdf", "png")),
    help="beamer: each figure as a PDF of vector pages, sharp at any zoom (the default), or a folder of PNG frames.",
)
@render_options(with_format=False, size=(SLIDE_SIZE, "each figure fitted to its slide's picture area"))
def slides(
    targets: tuple[str, ...], output: Path, deck_format: str | None, video: bool, frames: str | None,
    **options: Any,
) -> None:
    """Put figures into a deck: one 16:9 slide per figure with its title and caption.

    pptx needs the extra: pip install 'convanim[slides]' (in a checkout: pip install '.[slides]').
    html is one self-contained file (arrow keys, space or a click move between slides; P or the
    button pauses). beamer writes, per figure, a PDF of vector pages (or with --frames png a
    folder of PNG frames) and an \\animategraphics snippet, beside NAME.tex (or deck.tex in the
    folder given).

    Example: convanim slides basics dilated -o deck.pptx
    """
    from convanim.slides import make_slides

    deck = make_slides(targets, output, format=deck_format, video=video, frames=frames, **options)
    click.echo(str(deck))
    if deck.suffix == ".tex":
        from convanim.slides.beamer import compile_command

        click.echo(f"to make the PDF, run once: {compile_command(deck)}")


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="output",
    show_default=True,
    help="Folder for the GIFs, index.html and gallery.md (which links the GIFs beside it).",
)
@click.option(
    "--columns", type=click.IntRange(min=1), default=3, show_default=True,
    help="Figures per row of the Markdown table.",
)
@JOBS
@click.option(
    "--readme", type=click.Path(dir_okay=False, path_type=Path),
    help="Also put the table into this README, between <!-- gallery:start --> and <!-- gallery:end -->.",
)
@render_options(with_format=False)  # the deck's format, or always GIF
def gallery(out_dir: Path, columns: int, jobs: int | None, readme: Path | None, **options: Any) -> None:
    """Render every built-in figure as a GIF with a gallery page and a README table.

    Writes OUT/NAME.gif for each scene, OUT/index.html showing every figure, and OUT/gallery.md,
    a Markdown table of the GIFs beside it; --readme puts the table into a README too, its links
    relative to the README's folder.

    Example: convanim gallery --out output --readme README.md
    """
    from convanim.slides.gallery import TABLE_NAME, write_gallery

    index = write_gallery(out_dir, columns=columns, jobs=jobs, readme=readme, **options)
    click.echo(str(index))
    click.echo(str(index.with_name(TABLE_NAME)))
