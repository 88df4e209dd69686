"""Themes: what each picture role looks like, and the one fixed palette every frame shares.

A role's look is more than a colour: padding is dashed, inserted zeros and skipped cells are
hatched, the active cell has a thick outline, channel groups carry distinct hatches, so the
meaning survives grey-scale printing and colour-blind eyes (the hues follow Okabe & Ito).

Frames are drawn in RGB (anti-aliased) and then mapped to palette indices. The palette is fixed
per theme so that every frame of every animation shares it (no GIF colour flicker): the theme's
own colours come first and map to themselves exactly; after them come blends between fills and
the ink that edges and text are anti-aliased with. A 64x64x64 lookup table turns any RGB pixel into
its nearest palette index with one numpy fancy-index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
from PIL import Image

from convanim.picture import GREY_LEVELS, HEAT_LEVELS, ROLES, SCALES, Shade

RGB = tuple[int, int, int]

#: Hatch patterns a role may carry: "/" and "\\" diagonals, "x" both, "-" horizontal, "|" vertical.
HATCHES = ("", "/", "\\", "x", "-", "|")

#: The kernel shadow's default opacity: shaded fills at this alpha get exact palette entries.
SHADE_ALPHA: float = Shade.alpha

_LUT_BITS = 6  # 64 levels per channel: theme colours closer than 4 levels would share a bin
_PALETTE_SIZE = 256
_CHUNK = 1024  # bins per distance block while resolving bins (1024 x 256 x 3 integers)


@dataclass(frozen=True)
class RoleStyle:
    """How one role is drawn.

    ``fill`` None draws no cell/face (text-only and line-only roles); ``stroke`` is the colour of
    lines and labels carrying the role on the background; ``text`` the colour of numbers on the
    fill; ``outline_weight`` multiplies the base line width (the active cell is thick).
    """

    fill: RGB | None
    outline: RGB | None
    text: RGB
    stroke: RGB
    dashed: bool = False
    hatch: str = ""
    hatch_colour: RGB | None = None
    outline_weight: float = 1.0
    #: Only ever a flat cell's fill (a value scale's level): no lit box faces, no text blends.
    flat: bool = False

    def __post_init__(self) -> None:
        if self.hatch not in HATCHES:
            raise ValueError(f"hatch: {self.hatch!r} is not one of {HATCHES}")


@dataclass(frozen=True)
class Theme:
    """A named set of role styles plus the page colours (background, ink for titles and captions)."""

    name: str
    background: RGB
    ink: RGB
    muted: RGB
    roles: dict[str, RoleStyle] = field(hash=False)

    def style(self, role: str) -> RoleStyle:
        """The style of ``role``; an unknown role is a scene bug, so it raises."""
        try:
            return self.roles[role]
        except KeyError:
            scales = ", ".join(f"{levels[0]} ... {levels[-1]}" for levels in SCALES.values())
            raise ValueError(f"role: unknown role {role!r}; known roles: {', '.join(ROLES)}, {scales}") from None

    def readable(self, beneath: RGB) -> RGB:
        """Ink or page colour, whichever contrasts more with ``beneath`` (text on any fill)."""
        lum = luminance(beneath)
        return max((self.ink, self.background), key=lambda c: contrast(luminance(c), lum))

    def faces(self, fill: RGB) -> tuple[RGB, RGB, RGB]:
        """(front, top, side) colours of a box face lit from the upper left."""
        return fill, blend(fill, (255, 255, 255), 0.4), blend(fill, (0, 0, 0), 0.22)

    def shaded(self, fill: RGB) -> RGB:
        """``fill`` under the kernel shadow at its default opacity."""
        shadow = self.style("kernel").fill
        assert shadow is not None
        return blend(fill, shadow, SHADE_ALPHA)


def blend(a: RGB, b: RGB, t: float) -> RGB:
    """The colour a fraction ``t`` of the way from ``a`` to ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def luminance(colour: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    linear = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(lum_a: float, lum_b: float) -> float:
    """WCAG contrast ratio of two luminances (1 to 21)."""
    return (max(lum_a, lum_b) + 0.05) / (min(lum_a, lum_b) + 0.05)


def _hex(code: str) -> RGB:
    return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)


# Okabe-Ito hues, named for what they are.
_ORANGE, _SKY, _GREEN, _BLUE = _hex("#E69F00"), _hex("#56B4E9"), _hex("#009E73"), _hex("#0072B2")
_VERMILLION, _PURPLE, _YELLOW = _hex("#D55E00"), _hex("#CC79A7"), _hex("#F0E442")
_GROUPS = ((_ORANGE, ""), (_SKY, "/"), (_VERMILLION, "\\"), (_PURPLE, "x"))


@dataclass(frozen=True)
class _Swatch:
    """The colours a theme picks; every theme derives its role styles from them the same way."""

    name: str
    page: RGB
    ink: RGB
    muted: RGB
    grid: RGB  # cell outlines
    line: RGB  # projector lines, arrows
    input: RGB
    padding: RGB
    inserted: RGB
    inserted_hatch: RGB
    skipped_hatch: RGB
    output: RGB
    done: RGB
    active: RGB
    active_outline: RGB
    active_text: RGB
    shadow: RGB
    shadow_outline: RGB
    shadow_text: RGB
    matrix_zero: RGB
    matrix_zero_outline: RGB
    tint: float  # how far role hues move towards the page for fills


def _theme(s: _Swatch) -> Theme:
    """Role styles from a swatch: dashes, hatches and weights are the same in every theme."""

    def cell(fill: RGB, **kw: object) -> RoleStyle:
        style = {"outline": s.grid, "text": s.ink, "stroke": blend(fill, s.ink, 0.4)} | kw
        return RoleStyle(fill=fill, **style)  # type: ignore[arg-type]

    def tinted(hue: RGB) -> RoleStyle:
        return cell(blend(hue, s.page, s.tint))

    def group(hue: RGB, hatch: str) -> RoleStyle:
        fill = blend(hue, s.page, s.tint * 0.6)
        return cell(fill, hatch=hatch, hatch_colour=blend(fill, s.ink, 0.38))

    green = blend(_GREEN, s.ink, 0.3)
    text_only = {"fill": None, "outline": None, "text": s.ink, "stroke": s.ink}
    roles = {
        "input": cell(s.input),
        "padding": cell(s.padding, outline=s.muted, dashed=True, text=s.muted, stroke=s.muted),
        "inserted": cell(s.inserted, outline=s.muted, hatch="/", hatch_colour=s.inserted_hatch),
        "skipped": cell(blend(s.input, s.page, 0.6), hatch="\\", hatch_colour=s.skipped_hatch),
        "output": cell(s.output, stroke=green),
        "done": cell(s.done, stroke=green),
        "active": cell(
            s.active, outline=s.active_outline, outline_weight=2.6, text=s.active_text, stroke=green
        ),
        "kernel": cell(s.shadow, outline=s.shadow_outline, outline_weight=2.0, text=s.shadow_text),
        "weight": tinted(_YELLOW),
        "intermediate": tinted(_PURPLE),
        **{f"group{i}": group(hue, hatch) for i, (hue, hatch) in enumerate(_GROUPS)},
        "matrix_zero": cell(s.matrix_zero, outline=s.matrix_zero_outline, text=s.muted, stroke=s.muted),
        "matrix_value": tinted(_BLUE),
        "clear": RoleStyle(**text_only),  # type: ignore[arg-type]
        "line": RoleStyle(**text_only | {"outline": s.muted, "stroke": s.line}),  # type: ignore[arg-type]
        "text": RoleStyle(**text_only),  # type: ignore[arg-type]
        "muted": RoleStyle(**text_only | {"text": s.muted, "stroke": s.muted}),  # type: ignore[arg-type]
    }
    return Theme(s.name, s.page, s.ink, s.muted, roles)


_LIGHT = _Swatch(
    name="light",  # white page, pale fills, dark ink: the README default, close to conv_arithmetic
    page=(255, 255, 255),
    ink=_hex("#1E252D"),
    muted=_hex("#6B7682"),
    grid=_hex("#1E252D"),
    line=_hex("#4E5966"),
    input=_hex("#6DB9E8"),
    padding=_hex("#EDF1F5"),
    inserted=_hex("#FBF4E4"),
    inserted_hatch=_hex("#B8A88A"),
    skipped_hatch=_hex("#7FA6C4"),
    output=_hex("#DCF1EA"),
    done=blend(_GREEN, (255, 255, 255), 0.45),
    active=_GREEN,
    active_outline=_hex("#1E252D"),
    active_text=_hex("#1E252D"),
    shadow=_hex("#2B4560"),
    shadow_outline=_hex("#14263A"),
    shadow_text=(255, 255, 255),
    matrix_zero=_hex("#F3F4F6"),
    matrix_zero_outline=_hex("#B9C0C8"),
    tint=0.45,
)

_DARK = _Swatch(
    name="dark",  # slate page, deep fills, light ink: slides and dark-mode pages
    page=_hex("#161A21"),
    ink=_hex("#E8ECF0"),
    muted=_hex("#96A0AB"),
    grid=_hex("#C9D2DB"),
    line=_hex("#AAB4BF"),
    input=_hex("#2A6F9E"),
    padding=_hex("#242A33"),
    inserted=_hex("#3A3326"),
    inserted_hatch=_hex("#8E7E5E"),
    skipped_hatch=_hex("#5F8FB3"),
    output=_hex("#1F3A34"),
    done=_hex("#17705A"),
    active=_hex("#21A57F"),
    active_outline=_YELLOW,
    active_text=_hex("#0B1410"),
    shadow=_hex("#C9D6E3"),  # a light veil: a black shadow on a dark page hides the cells under it
    shadow_outline=_YELLOW,
    shadow_text=_hex("#161A21"),
    matrix_zero=_hex("#20252D"),
    matrix_zero_outline=_hex("#4A535E"),
    tint=0.5,
)


THEMES: dict[str, Theme] = {theme.name: theme for theme in map(_theme, (_LIGHT, _DARK))}


def get_theme(theme: str | Theme) -> Theme:
    """A theme by name (or the theme itself)."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except KeyError:
        raise ValueError(f"theme: unknown theme {theme!r}; choose one of {', '.join(THEMES)}") from None


#: The diverging scale's ends and middle: dark blue for the most negative value, a neutral grey for
#: zero, light amber for the most positive. Lightness rises from end to end, so the sign reads
#: without colour (in grey print, to colour-blind eyes) and a feature map looks like the
#: grey edge maps people know: zero mid-grey, negative dark, positive light.
_HEAT_LOW, _HEAT_ZERO, _HEAT_HIGH = _hex("#10345F"), _hex("#949AA2"), _hex("#FAD68C")


def scale_colour(role: str) -> RGB:
    """The fill of one value-scale level (``heat-3``, ``grey17``): the same in every theme, as the
    values it stands for are."""
    if role.startswith("heat"):
        level = int(role[4:])
        end = _HEAT_HIGH if level > 0 else _HEAT_LOW
        return blend(_HEAT_ZERO, end, abs(level) / HEAT_LEVELS)
    grey = round(int(role[4:]) * 255 / (GREY_LEVELS - 1))
    return grey, grey, grey


def with_scales(theme: Theme, roles: Iterable[str]) -> Theme:
    """``theme`` with every level of each value scale one of ``roles`` belongs to.

    Why not in every theme: each level takes two palette entries (its fill, and that fill under
    the kernel shadow), which figures without a heat map would take from the anti-aliasing blends.
    """
    used = set(roles)
    added = {
        role: _scale_style(theme, role)
        for levels in SCALES.values() if used.intersection(levels)
        for role in levels if role not in theme.roles
    }
    return replace(theme, roles=theme.roles | added) if added else theme


def _scale_style(theme: Theme, role: str) -> RoleStyle:
    """A value-scale level: a flat fill without outline (neighbouring levels meet edge to edge, as
    pixels do), with whichever of ink and page reads on it."""
    fill = scale_colour(role)
    return RoleStyle(fill=fill, outline=None, text=theme.readable(fill), stroke=fill, flat=True)


def theme_colours(theme: Theme) -> list[RGB]:
    """Every colour the theme names or derives exactly (fills, faces, shaded fills, lines, text).

    The background comes first: palette index 0 is the page colour.
    """
    colours = [theme.background, theme.ink, theme.muted]
    styles = list(theme.roles.values())
    for style in (style for style in styles if not style.flat):
        colours += [c for c in (style.outline, style.text, style.stroke, style.hatch_colour) if c]
        if style.fill is not None:
            colours += [*theme.faces(style.fill), theme.shaded(style.fill)]
    colours.append(theme.shaded(theme.background))
    for fill in (style.fill for style in styles if style.flat and style.fill):  # last: see with_scales
        colours += [fill, theme.shaded(fill)]
    return list(dict.fromkeys(colours))


def _blend_candidates(theme: Theme) -> list[RGB]:
    """Anti-aliasing colours, most needed first: text and outline edges over every fill."""
    fills = [s.fill for s in theme.roles.values() if s.fill is not None and not s.flat] + [theme.background]
    shaded = [theme.shaded(f) for f in fills]
    faces = [face for f in fills for face in theme.faces(f)[1:]]
    inks = [theme.ink, theme.muted]
    out: list[RGB] = []
    for t in (0.5, 0.25, 0.75):
        out += [blend(f, theme.ink, t) for f in fills]
    out += [blend(f, theme.muted, 0.5) for f in fills]
    out += [blend(f, theme.ink, 0.5) for f in shaded + faces]
    for style in (style for style in theme.roles.values() if not style.flat):
        lines = [c for c in (style.outline, style.hatch_colour, style.stroke) if c and c not in inks]
        if style.fill is not None:
            out += [blend(style.fill, c, 0.5) for c in lines]
        out += [blend(theme.background, c, t) for c in lines for t in (0.33, 0.67)]
    for t in (0.25, 0.75):
        out += [blend(f, theme.muted, t) for f in fills]
        out += [blend(f, theme.ink, t) for f in shaded]
    return out


@cache
def palette_colours(theme: Theme) -> tuple[RGB, ...]:
    """The theme's palette: exact colours, then blends not already (nearly) present, <= 256."""
    exact = theme_colours(theme)
    if len(exact) > _PALETTE_SIZE:
        raise ValueError(f"theme: {len(exact)} colours do not fit a {_PALETTE_SIZE}-colour palette")
    colours = list(exact)
    taken = np.array(colours, dtype=np.int32)
    for candidate in _blend_candidates(theme):
        if len(colours) == _PALETTE_SIZE:
            break
        if np.abs(taken - candidate).max(axis=1).min() > 3:
            colours.append(candidate)
            taken = np.vstack([taken, candidate])
    return tuple(colours)


def theme_palette(theme: str | Theme) -> bytes:
    """768 bytes for ``Image.putpalette``: the theme's palette padded with the page colour."""
    colours = list(palette_colours(get_theme(theme)))
    colours += [colours[0]] * (_PALETTE_SIZE - len(colours))
    return bytes(channel for colour in colours for channel in colour)


class PaletteMap:
    """RGB to palette index through a 6-bit-per-channel lookup table, filled as bins are met.

    Resolving all 262,144 bins up front cost about 0.2 s, most of a small render's whole process,
    while a render meets only a few thousand (the theme's colours and their anti-aliased blends).
    So each bin gets its nearest palette colour the first time a pixel falls in it; the rule is
    the same for every bin, so the frames are the same. Exact theme colours own their bins from
    the start (the first colour wins a bin two colours share).

    A pixel is looked up as one 32-bit word (its R, G, B bytes and a spare, as Pillow keeps an
    RGB image): one mask and one shift make its bin, each channel's level left in its own byte,
    so the table has gaps (8 MB reserved, of which only the pages of bins met are touched).
    Unpacking a region into channels and combining them took twice as long.
    """

    def __init__(self, theme: Theme) -> None:
        # Doubled coordinates make bin centres whole numbers: distances are exact integers, so a
        # bin's nearest colour never depends on which other bins are resolved with it.
        self._palette2 = 2 * np.array(palette_colours(theme), dtype=np.int32)
        # _RESOLVED + the palette index, so that one gather both maps a pixel (its low byte) and
        # says whether its bin is resolved yet (0: not). Zeroed by the system as pages are used.
        self._lut = np.zeros(1 << (16 + _LUT_BITS), dtype=np.uint16)
        exact = _bins(_words(np.array(theme_colours(theme), dtype=np.uint8)))
        self._lut[exact[::-1]] = _RESOLVED + np.arange(len(exact), dtype=np.uint16)[::-1]

    def indices(self, rgb: np.ndarray) -> np.ndarray:
        """Palette indices (uint8, H x W) of an H x W x 3 uint8 RGB array."""
        return self._lookup(_words(rgb))

    def image_indices(self, image: Image.Image) -> np.ndarray:
        """Palette indices (uint8, height x width) of an RGB image, read as Pillow keeps it."""
        words = np.frombuffer(image.tobytes("raw", "RGBX"), dtype="<u4")
        return self._lookup(words.reshape(image.height, image.width))

    def _lookup(self, words: np.ndarray) -> np.ndarray:
        bins = _bins(words)
        found = np.take(self._lut, bins)
        if found.size and found.min() < _RESOLVED:
            new = np.sort(bins[found < _RESOLVED])  # each once; np.unique would import numpy.ma (13 ms)
            new = new[np.concatenate(([True], new[1:] != new[:-1]))]
            self._lut[new] = _RESOLVED + self._nearest(new)
            found = np.take(self._lut, bins)
        return found.astype(np.uint8)  # the low byte: the index

    def _nearest(self, bins: np.ndarray) -> np.ndarray:
        """The palette index nearest each bin's centre by weighted distance (ties: lowest index)."""
        step = 256 >> _LUT_BITS
        q = np.stack([bins & _LEVELS, (bins >> 8) & _LEVELS, bins >> 16], axis=-1)
        centres2 = q.astype(np.int32) * (2 * step) + (step - 1)  # twice each bin's centre
        found = np.empty(len(bins), dtype=np.uint16)
        for start in range(0, len(bins), _CHUNK):
            delta = centres2[start : start + _CHUNK, None, :] - self._palette2[None, :, :]
            found[start : start + _CHUNK] = (delta * delta @ _WEIGHTS).argmin(axis=1)
        return found


#: A lookup-table entry of a resolved bin: this plus its palette index (0: not resolved yet).
_RESOLVED = 256
#: A bin's level in one channel (its byte, once shifted down; see _bins).
_LEVELS = (1 << _LUT_BITS) - 1
#: The bits of a word that make its bin: the top _LUT_BITS of each of R, G and B.
_BIN_BITS = sum(((0xFF << (8 - _LUT_BITS)) & 0xFF) << shift for shift in (0, 8, 16))
#: Weights of the squared RGB differences (green counts most, blue least): a distance that
#: approximates perceived difference, in whole numbers.
_WEIGHTS = np.array([2, 4, 3], dtype=np.int32)


@cache
def palette_map(theme: Theme) -> PaletteMap:
    """The theme's palette map, shared by every frame of every render in this process."""
    return PaletteMap(theme)


def _words(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB triples along the last axis as the words R | G << 8 | B << 16."""
    packed = np.zeros((*rgb.shape[:-1], 4), dtype=np.uint8)
    packed[..., :3] = rgb
    return packed.view("<u4")[..., 0]


def _bins(words: np.ndarray) -> np.ndarray:
    """LUT bin of each word: the top bits of R, G and B, each channel's level in its own byte."""
    bins = words & _BIN_BITS
    bins >>= 8 - _LUT_BITS
    return bins


def to_indices(rgb: np.ndarray | Image.Image, theme: Theme) -> np.ndarray:
    """Palette indices (uint8, H x W) of an H x W x 3 uint8 RGB array, or of an RGB image."""
    mapping = palette_map(theme)
    return mapping.image_indices(rgb) if isinstance(rgb, Image.Image) else mapping.indices(rgb)
